"""PURE: the organizations (which one a channel uses, `org list`, `org use`, `--org`) and an
org's networks' listings (private links, domains, keys, peering).

These DevOps API answers are shown as Astra sends them (plain JSON, whose key casing varies
between endpoints and versions: ``clusterID`` and ``ClusterID``), read here by :func:`field`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bot.render.core import Message, count, plain, shorten
from bot.render.lists import bullet_list, key_values
from bot.render.mrkdwn import Mrkdwn, channel, join, md, user


def field(obj: Any, key: str) -> Any:
    """``obj[key]`` read case-insensitively (the wire casing of these objects varies)."""
    if not isinstance(obj, Mapping):
        return None
    folded = key.replace("_", "").lower()
    for k, v in obj.items():
        if str(k).replace("_", "").lower() == folded:
            return v
    return None


def items(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list) else []


#: How a channel chooses its org (an argument of the templates: its ``<name>`` is escaped).
USE = "`/astra org use <name>`"


@dataclass(frozen=True)
class OrgView:
    """One configured org as `org show` and `org list` show it (never its token)."""

    name: str
    #: Astra's id and name of the org, once learned
    org_id: str | None
    title: str | None
    #: why its token was refused, if it was
    problem: str | None = None
    is_default: bool = False
    #: the channels whose commands go to it (`org use`)
    channels: tuple[str, ...] = ()


def organization(view: OrgView, *, several: bool, chosen: bool) -> Message:
    """`org show`: the org this channel's commands go to. With one org, as before: its
    Astra name and id; with several, which org it is and how it was chosen."""
    pairs = [("Name", view.title or "—"), ("Id", f"`{view.org_id or '?'}`")]
    if not several:
        return key_values("Organization", pairs)
    how = "set by `/astra org use`" if chosen else f"the default; {USE} sets it"
    pairs = [("Org", f"*{view.name}* ({how})"), *pairs]
    if view.problem:
        pairs.append(("Token", f"refused: {view.problem}"))
    return key_values("This channel's organization", pairs)


def _org_line(view: OrgView) -> Mrkdwn:
    state = md(" — token refused: {}", view.problem) if view.problem else md("")
    where = join(", ", (channel(c) for c in view.channels)) if view.channels else md("no channel")
    default = md(" (default)") if view.is_default else md("")
    ident = md("`{}` {}", view.org_id, view.title or "") if view.org_id else md("id not known yet")
    return md("*{}*{} · {} · used by {}{}", view.name, default, ident, where, state)


def org_list(views: Sequence[OrgView]) -> tuple[str, Message]:
    """`org list`: every configured org, its Astra id, the channels that chose it."""
    lines = [_org_line(v) for v in views]
    note = md("A channel that chose none uses the default; {} chooses.", USE)
    return (
        count(len(views), "organization"),
        bullet_list("Organizations", [*lines, note]),
    )


def org_used(by: str, name: str, before: str | None) -> Message:
    """`org use`, said in the channel: where its commands go from now on."""
    was = md(" (was *{}*)", before) if before and before != name else md("")
    said = md("{} set this channel's organization to *{}*{}: its commands go there now.",
              user(by), name, was)  # fmt: skip
    return plain(said)


def org_option(names: Sequence[str], current: str) -> Mrkdwn:
    """Help's line about `--org`, shown only where several orgs are configured."""
    return md(
        "This channel's commands go to *{}*; add {} to any command to run it in another "
        "organization ({}).",
        current,
        "`--org <name>`",
        join(", ", (md("`{}`", n) for n in names)),
    )


def unknown_org(name: str, names: Sequence[str]) -> str:
    """A name that is no configured org (its usage error says "did you mean")."""
    listed = ", ".join(f"`{n}`" for n in names)
    return f"There is no organization `{name}` here (the organizations are {listed})."


def stale_org(name: str) -> tuple[str, str]:
    """The channel chose an org that is no longer configured."""
    return (
        f"This channel's commands go to the organization `{name}`, which this bot no "
        "longer serves.",
        "An admin chooses another with `/astra org use <name>`; `/astra org list` shows them.",
    )


def token_refused(name: str, why: str) -> tuple[str, str]:
    """An org whose token Astra refuses: its commands cannot run, the others' can."""
    return (
        f"Astra refuses the bot's token for the organization `{name}`: {why}",
        f"An operator fixes `ASTRA_BOT_ORGS[{name}]` (`astra-bot doctor` checks it); the "
        "other organizations are served as usual.",
    )


def unserved_org(org_id: str) -> str:
    """A stored confirmation of an org this bot does not (or not yet) serve."""
    return (
        f"This confirmation was asked in the organization `{org_id}`, which this bot does "
        "not serve now: nothing was run."
    )


def _endpoint(e: Any) -> str:
    about = field(e, "description")
    described = f" ({shorten(str(about), 60)})" if about else ""
    return f"`{field(e, 'endpointID') or '?'}` {field(e, 'status') or ''}{described}"


def _datacenter_line(prefix: str, dc: Any) -> str:
    service = field(dc, "serviceName")
    principals = items(field(dc, "allowedPrincipals"))
    endpoints = [_endpoint(e) for e in items(field(dc, "endpoints"))]
    return (
        f"{prefix} dc `{field(dc, 'datacenterID') or '?'}`"
        + (f" · service `{service}`" if service else "")
        + (f" · {count(len(principals), 'allowed principal')}" if principals else "")
        + (" · endpoints: " + ", ".join(endpoints) if endpoints else " · no endpoint")
    )


def private_link_lines(data: Mapping[str, Any], db_names: Mapping[str, str]) -> list[str]:
    """One line per datacenter of every database with private links."""
    lines: list[str] = []
    for cluster in items(field(data, "clusters")):
        cid = str(field(cluster, "clusterID") or "?")
        name = f"*{db_names[cid]}* " if cid in db_names else ""
        for dc in items(field(cluster, "datacenters")) or [{}]:
            lines.append(_datacenter_line(f"{name}`{cid}`", dc))
    return lines


def private_links(data: Mapping[str, Any], db_names: Mapping[str, str]) -> tuple[str, Message]:
    lines = private_link_lines(data, db_names)
    return (
        count(len(lines), "private-link datacenter"),
        bullet_list("Private links", lines, empty="No private links."),
    )


def custom_domains(domains: Sequence[str]) -> tuple[str, Message]:
    return (
        count(len(domains), "custom domain"),
        bullet_list("Custom domains", [f"`{d}`" for d in domains], empty="No custom domains."),
    )


def kms_lines(keys: Sequence[Mapping[str, Any]]) -> list[str]:
    lines = []
    for k in keys:
        cloud = field(k, "CloudProvider")
        key_id, region = field(k, "KeyID"), field(k, "Region")
        if cloud is None:  # the ExternalKMS shape: {"orgId", "aws": {"keyID", "region"}}
            for provider in ("aws", "gcp", "azure"):
                block = field(k, provider)
                if isinstance(block, Mapping):
                    cloud, key_id, region = provider, field(block, "keyID"), field(block, "region")
        lines.append(f"{str(cloud or '?').lower()} / {region or '?'}: `{key_id or '?'}`")
    return lines


def customer_keys(keys: Sequence[Mapping[str, Any]]) -> tuple[str, Message]:
    return (
        count(len(keys), "customer key"),
        bullet_list("Customer keys (KMS)", kms_lines(keys), empty="No customer keys."),
    )


def _vpc(v: Any) -> str:
    if not isinstance(v, Mapping):
        return "—"
    return (
        f"{field(v, 'provider') or '?'} · account {field(v, 'account') or '?'} · "
        f"VPC `{field(v, 'vpcId') or '?'}` · `{field(v, 'cidrBlock') or '?'}`"
    )


def no_peering(db_name: str, provider: str) -> tuple[str, Message]:
    return (
        f"no VPC peering for {db_name} on {provider}",
        plain(md("*{}* has no VPC peering connection on {}.", db_name, provider)),
    )


def peering(db_name: str, provider: str, conn: Any) -> tuple[str, Message]:
    status = field(conn, "status")
    pairs = [
        ("Connection", f"`{field(conn, 'connectionId') or '?'}`"),
        ("Status", str(status or "?")),
        ("Astra VPC", _vpc(field(conn, "currentVpc"))),
        ("Peered VPC", _vpc(field(conn, "otherVpc"))),
    ]
    return (
        f"VPC peering of {db_name} on {provider}: {status or '?'}",
        key_values(f"VPC peering of {db_name} ({provider})", pairs),
    )

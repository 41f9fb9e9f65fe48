"""PURE: private links, custom domains, customer keys and VPC peering, as messages.

What these commands change is announced in the channel without the cloud identities it
touches (principals, key ids, account ids: the requester alone sees those, privately);
a private answer carries the details.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from bot.astra.models import (
    CloudAccount,
    CustomerKey,
    PrivateLinkCluster,
    PrivateLinkDatacenter,
    PrivateLinkEndpoint,
    PrivateLinkService,
    VpcConnection,
)
from bot.astra.models.peering import Vpc
from bot.render.core import Message, count, plain, shorten
from bot.render.lists import bullet_list, key_values
from bot.render.mrkdwn import Mrkdwn, join, md, user

_NONE = "—"


def _kind(classic: bool) -> str:
    return "classic" if classic else "serverless"


# ---------------------------------------------------------------------------- private links


def _endpoint(e: PrivateLinkEndpoint) -> Mrkdwn:
    about = md(" ({})", shorten(e.description, 60)) if e.description else ""
    return md("`{}` {}", e.endpoint_id, e.status or "?") + about


def _dc_line(region: str, dc: PrivateLinkDatacenter) -> Mrkdwn:
    service = md(" · service `{}`", dc.service_name) if dc.service_name else ""
    principals = (
        md(" · allowed: {}", join(", ", (md("`{}`", p) for p in dc.allowed_principals)))
        if dc.allowed_principals
        else md(" · nobody allowed")
    )
    endpoints = (
        md(" · endpoints: {}", join(", ", (_endpoint(e) for e in dc.endpoints)))
        if dc.endpoints
        else md(" · no endpoint")
    )
    return md("{} (`{}`)", region, dc.datacenter_id or "?") + service + principals + endpoints


def private_link_cluster(
    db_name: str, cluster: PrivateLinkCluster, regions: Mapping[str, str]
) -> tuple[str, Message]:
    """Every datacenter of a database that has a private link (shown only to the caller)."""
    lines = [_dc_line(regions.get(dc.datacenter_id or "", "?"), dc) for dc in cluster.datacenters]
    return (
        f"{count(len(lines), 'private-link datacenter')} of {db_name}",
        bullet_list(f"Private links of {db_name}", lines, empty="No private link in any region."),
    )


def private_link_datacenter(
    db_name: str, region: str, dc: PrivateLinkDatacenter
) -> tuple[str, Message]:
    if not dc.configured:
        return (
            f"no private link for {db_name} in {region}",
            plain(
                md(
                    "*{}* has no private link in {} yet: `/astra private-link principal add` "
                    "sets it up.",
                    db_name,
                    region,
                )
            ),
        )
    pairs = [
        ("Service", f"`{dc.service_name or _NONE}`"),
        ("Allowed", ", ".join(f"`{p}`" for p in dc.allowed_principals) or "nobody"),
        (
            "Endpoints",
            ", ".join(
                f"`{e.endpoint_id}` {e.status or '?'}"
                + (f" ({e.description})" if e.description else "")
                for e in dc.endpoints
            )
            or "none",
        ),
    ]
    return (
        f"private link of {db_name} in {region}",
        key_values(f"Private link of {db_name} in {region}", pairs),
    )


def principals_allowed(
    by: str,
    db_name: str,
    region: str,
    added: Sequence[str],
    service: PrivateLinkService,
    first: bool,
) -> tuple[str, Message, Message]:
    """(audit, the requester's details, the channel's announcement without the principals)."""
    n = count(len(added), "principal")
    what = "set up the private link" if first else "allowed more principals on the private link"
    return (
        f"{n} allowed on the private link of {db_name} in {region}",
        key_values(
            f"Private link of {db_name} in {region}",
            [
                ("Service", f"`{service.service_name or _NONE}`"),
                ("Allowed", ", ".join(f"`{p}`" for p in service.allowed_principals) or "nobody"),
            ],
        ),
        plain(
            md(":white_check_mark: {} {} of *{}* in {} ({}).", user(by), what, db_name, region, n)
        ),
    )


def principal_removed(by: str, db_name: str, region: str) -> tuple[str, Message]:
    return (
        f"a principal removed from the private link of {db_name} in {region}",
        plain(
            md(
                ":wastebasket: A principal may no longer connect to the private link of *{}* in {} "
                "(asked by {}).",
                db_name,
                region,
                user(by),
            )
        ),
    )


def endpoint_detail(db_name: str, region: str, e: PrivateLinkEndpoint) -> tuple[str, Message]:
    pairs = [
        ("Endpoint", f"`{e.endpoint_id}`"),
        ("Status", e.status or "?"),
        ("Description", shorten(e.description, 200) or _NONE),
        ("Link", f"`{e.link_id}`" if e.link_id else _NONE),
        ("Created", e.created_date_time or _NONE),
    ]
    return (
        f"endpoint {e.endpoint_id} of {db_name} in {region}: {e.status or '?'}",
        key_values(f"Private-link endpoint of {db_name} in {region}", pairs),
    )


def endpoint_changed(
    by: str, db_name: str, region: str, e: PrivateLinkEndpoint, done: str
) -> tuple[str, Message]:
    """``done``: "accepted", "described" — the endpoint id is the customer's own resource,
    named in the channel as typed."""
    return (
        f"endpoint {e.endpoint_id} {done} on {db_name} in {region}",
        plain(
            md(
                ":white_check_mark: {} {} endpoint `{}` on the private link of *{}* in {}.",
                user(by),
                done,
                e.endpoint_id,
                db_name,
                region,
            )
        ),
    )


def endpoint_rejected(by: str, db_name: str, region: str, endpoint: str) -> tuple[str, Message]:
    return (
        f"endpoint {endpoint} rejected on {db_name} in {region}",
        plain(
            md(
                ":wastebasket: Endpoint `{}` was rejected on the private link of *{}* in {} "
                "(asked by {}).",
                endpoint,
                db_name,
                region,
                user(by),
            )
        ),
    )


# ---------------------------------------------------------------------------- custom domains


def _domains(names: Sequence[str]) -> Mrkdwn:
    return join(", ", (md("`{}`", d) for d in names)) or md("none")


def domains_set(
    by: str, added: Sequence[str], removed: Sequence[str], now: Sequence[str]
) -> tuple[str, Message]:
    parts = []
    if added:
        parts.append(md("added {}", _domains(added)))
    if removed:
        parts.append(md("removed {}", _domains(removed)))
    change = join("; ", parts) or md("changed nothing")
    return (
        f"custom domains: +{len(added)} -{len(removed)} ({len(now)} now)",
        plain(
            md(
                ":white_check_mark: {} {} (custom domains now: {}).",
                user(by),
                change,
                _domains(now),
            )
        ),
    )


def domains_unchanged(now: Sequence[str]) -> tuple[str, Message]:
    return (
        "custom domains unchanged",
        plain(md("Nothing to change: the custom domains are {}.", _domains(now))),
    )


def domains_removal(removed: Sequence[str]) -> str:
    """What the confirmation of a change that removes custom domains says."""
    return md(
        "remove custom domain{} {}: private-link hostnames under {} stop resolving.",
        "s" if len(removed) > 1 else "",
        _domains(removed),
        "them" if len(removed) > 1 else "it",
    )


# ---------------------------------------------------------------------------- customer keys


def customer_key(key: CustomerKey, classic: bool) -> tuple[str, Message]:
    """Only to the requester: the key id is the customer's cloud resource."""
    pairs = [
        ("Cloud", key.cloud_provider or "?"),
        ("Region", key.region or "?"),
        ("Key", f"`{key.key_id or '?'}`"),
        ("Kind", _kind(classic)),
    ]
    return (
        f"{_kind(classic)} customer key of {key.cloud_provider} {key.region} shown",
        key_values("Customer key (only you see this)", pairs),
    )


def no_customer_key(cloud: str, region: str, classic: bool) -> tuple[str, Message]:
    return (
        f"no {_kind(classic)} customer key for {cloud} {region}",
        plain(md("No {} customer key is registered for {} {}.", _kind(classic), cloud, region)),
    )


def key_accounts(
    cloud: str, region: str, classic: bool, accounts: Sequence[CloudAccount]
) -> tuple[str, Message]:
    lines = [md("`{}` ({})", a.provider_id, a.provider or cloud) for a in accounts]
    empty = "None yet: `/astra kms assign-account` gives the org one." if classic else "None."
    return (
        f"{count(len(lines), 'cloud account')} for {_kind(classic)} keys in {cloud} {region}",
        bullet_list(
            f"Accounts your {cloud} key in {region} must trust (only you see this)",
            lines,
            empty=empty,
        ),
    )


def key_created(
    by: str, cloud: str, region: str, key_id: str, classic: bool
) -> tuple[str, Message, Message]:
    """(audit, the requester's confirmation with the key id, the channel's without it)."""
    return (
        f"{_kind(classic)} customer key registered for {cloud} {region}",
        plain(
            md("Registered `{}` for {} databases in {} {}.", key_id, _kind(classic), cloud, region)
        ),
        plain(
            md(
                ":key: {} registered a {} customer key for {} {}.",
                user(by),
                _kind(classic),
                cloud,
                region,
            )
        ),
    )


def account_assigned(by: str, cloud: str) -> tuple[str, Message]:
    return (
        f"{cloud} cloud account assigned for classic customer keys",
        plain(
            md(
                ":key: {} gave the organization a {} cloud account for classic customer keys "
                "(`/astra kms accounts {} {} --classic` lists it).",
                user(by),
                cloud,
                cloud,
                "<region>",  # foreign-shaped: escaped, never read as a link
            )
        ),
    )


# ---------------------------------------------------------------------------- VPC peering


def _vpc(v: Vpc) -> str:
    return (
        f"{v.provider or '?'} · account {v.account or '?'} · VPC `{v.vpc_id or '?'}` · "
        f"`{v.cidr_block or '?'}`"
    )


def peering_created(
    by: str, db_name: str, provider: str, conn: VpcConnection
) -> tuple[str, Message, Message]:
    return (
        f"VPC peering of {db_name} on {provider} created: {conn.status or '?'}",
        key_values(
            f"VPC peering of {db_name} ({provider})",
            [
                ("Connection", f"`{conn.connection_id}`"),
                ("Status", conn.status or "?"),
                ("Astra VPC", _vpc(conn.current_vpc)),
                ("Peered VPC", _vpc(conn.other_vpc)),
            ],
        ),
        plain(
            md(
                ":white_check_mark: {} peered *{}* with a VPC on {} ({}).",
                user(by),
                db_name,
                provider.upper(),
                conn.status or "?",
            )
        ),
    )


def peering_deleted(by: str, db_name: str, provider: str) -> tuple[str, Message]:
    return (
        f"VPC peering of {db_name} on {provider} deleted",
        plain(
            md(
                ":wastebasket: The VPC peering of *{}* on {} was deleted (asked by {}).",
                db_name,
                provider,
                user(by),
            )
        ),
    )

"""PURE: the organization and its networks' listings (private links, domains, keys, peering).

These DevOps API answers are shown as Astra sends them (plain JSON, whose key casing varies
between endpoints and versions: ``clusterID`` and ``ClusterID``), read here by :func:`field`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from bot.render.core import Message, _clip, count, plain
from bot.render.lists import bullet_list, key_values
from bot.render.mrkdwn import md


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


def organization(name: str | None, org_id: str) -> Message:
    return key_values("Organization", [("Name", name or "—"), ("Id", f"`{org_id}`")])


def _endpoint(e: Any) -> str:
    about = field(e, "description")
    described = f" ({_clip(str(about), 60)})" if about else ""
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

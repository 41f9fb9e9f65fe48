"""PURE: the words of a database's parts: its keyspaces, its regions (and those for new
databases), and its secure connect bundle."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bot.render.core import Message
from bot.render.lists import bullet_list, secret_once
from bot.render.mrkdwn import link, md


def its(what: str, names: Sequence[str]) -> str:
    """The hint of a name not found among a database's: ``Its regions: `a`, `b`.``"""
    return f"Its {what}: {', '.join(f'`{n}`' for n in names) or 'none'}."


def keyspace_list(db_name: str, keyspaces: Sequence[str]) -> Message:
    return bullet_list(f"Keyspaces of {db_name}", [f"`{k}`" for k in keyspaces])


def no_keyspace(db_name: str, keyspace: str) -> str:
    return f"`{db_name}` has no keyspace `{keyspace}`."


def has_keyspace(db_name: str, keyspace: str) -> str:
    return f"`{db_name}` already has a keyspace `{keyspace}`."


#: One datacenter of a database: region, cloud, tier, status, datacenter id.
Datacenter = tuple[str | None, str, str | None, str | None, str]


def region_list(db_name: str | None, dcs: Sequence[Datacenter]) -> Message:
    lines = [
        f"`{region}` ({cloud.lower()}, {tier or '—'}) {status or ''} · dc `{dc_id}`"
        for region, cloud, tier, status, dc_id in dcs
    ]
    return bullet_list(f"Regions of {db_name}", lines)


def already_in_region(db_name: str, region: str) -> tuple[str, str]:
    """The message and hint of a region the database is in already."""
    return (
        f"`{db_name}` is already in `{region}`.",
        f"`/astra region list {db_name}` shows its regions.",
    )


def no_region(db_name: str, region: str, regions: Sequence[str | None]) -> tuple[str, str]:
    """The message and hint of a region the database is not in."""
    return f"`{db_name}` has no region `{region}`.", its("regions", [r for r in regions if r])


def serverless_regions(regions: Mapping[tuple[str, str], str]) -> tuple[Message, int]:
    """(cloud, region) → display name: the list, and how many."""
    lines = sorted(f"`{name}` ({c}) {shown}" for (c, name), shown in regions.items())
    title = "Regions for new serverless databases"
    return _available(title, lines), len(lines)


@dataclass(frozen=True)
class RegionQuota:
    """A region for new classic databases, with this organization's quotas there."""

    region: str
    cloud: str
    tier: str
    databases_used: int | None
    databases_limit: int | None
    units_used: int | None
    units_limit: int | None


def classic_regions(tier: str, quotas: Sequence[RegionQuota]) -> tuple[Message, int]:
    lines = sorted(
        f"`{q.region}` ({q.cloud.lower()}, {q.tier}) · databases "
        f"{q.databases_used or 0}/{q.databases_limit or '∞'} · capacity "
        f"units {q.units_used or 0}/{q.units_limit or '∞'}"
        for q in quotas
    )
    return _available(f"Regions for new {tier} databases", lines), len(lines)


def _available(title: str, lines: Sequence[str]) -> Message:
    return bullet_list(title, lines, empty="None available to this organization.")


def secure_bundle(
    db_name: str, url: str, where: str, others: Sequence[str], minutes: int, expires: str
) -> Message:
    """The signed bundle link, shown once to the requester, and when it expires."""
    lines: list[str] = [md("{} ({})", link(url, f"Download secure-connect-{db_name}.zip"), where)]
    if others:
        lines.append(f"Other regions: {', '.join(others)} — add `--region <region>`.")
    return secret_once(
        f"Secure connect bundle for {db_name}",
        lines,
        f"Only you can see this link. It expires in about {minutes} minutes (around "
        f"{expires}); run `/astra scb {db_name}` again for a fresh one. Do not share it: "
        "anyone holding it can download the bundle.",
    )

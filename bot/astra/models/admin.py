"""PURE: the DevOps API's own access list, access-list checks, who an IP list admits, engines.

The DevOps API access list (``/v2/organizations/{orgId}/devops-acl``) decides which
addresses may call the DevOps API at all. A change to it can exclude the bot's own
requests, so :func:`excluded` says which of the bot's egress networks a list would no
longer admit: an enabled entry must cover the whole egress network (a /32 entry does not
admit a /24 egress range, of which only one address may be the bot's).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence
from typing import Annotated, Final, NamedTuple

from pydantic import BeforeValidator, Field

from bot.astra.models.base import ApiModel, NullableList, _none_to_list

#: ``EngineType.engineType`` values the official document names (``updateEngineType``):
#: Cassandra with vector support, and Astra DB Serverless without it.
ENGINE_TYPES: Final = ("cassandra-vector", "serverless")


class AddressEntry(NamedTuple):
    """One address of an access list as the bot writes it (``AddressRequest``,
    ``DevOpsIpAddress``): the address, whether it is in use, what it is for."""

    address: str
    enabled: bool
    description: str


class EntryDiff(NamedTuple):
    """What a new access list changes: entries added, removed, changed (before, after),
    and how many stay as they are."""

    added: tuple[AddressEntry, ...]
    removed: tuple[AddressEntry, ...]
    changed: tuple[tuple[AddressEntry, AddressEntry], ...]
    kept: int

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed)


def diff_entries(before: Sequence[AddressEntry], after: Sequence[AddressEntry]) -> EntryDiff:
    """The change from ``before`` to ``after``, by address, in the order each list gives."""
    old = {e.address: e for e in before}
    new = {e.address: e for e in after}
    return EntryDiff(
        added=tuple(e for a, e in new.items() if a not in old),
        removed=tuple(e for a, e in old.items() if a not in new),
        changed=tuple((old[a], e) for a, e in new.items() if a in old and old[a] != e),
        kept=sum(1 for a, e in new.items() if old.get(a) == e),
    )


class DevOpsAclAddress(ApiModel):
    """``DevOpsAclAddress``: one address allowed to call the DevOps API."""

    address: str
    description: str = ""
    enabled: bool = True
    last_update_date_time: str | None = None
    created_at: str | None = None

    def entry(self) -> AddressEntry:
        return AddressEntry(self.address, self.enabled, self.description)


class DevOpsAccessList(ApiModel):
    """``DevOpsAccessListResponse``. No addresses: the feature is off, every address may call."""

    addresses: Annotated[list[DevOpsAclAddress], BeforeValidator(_none_to_list)] = Field(
        default_factory=list
    )

    def entries(self) -> list[AddressEntry]:
        return [a.entry() for a in self.addresses]


class AccessListValidation(ApiModel):
    """``ValidationResponse`` of ``POST /v2/access-list/validate``."""

    valid: bool = False
    validation_failures: NullableList = Field(default_factory=list)


def network(address: str) -> ipaddress.IPv4Network | None:
    """``1.2.3.4`` or ``10.0.0.0/8`` as a network (host bits allowed); None if it is neither."""
    try:
        return ipaddress.IPv4Network(address.strip(), strict=False)
    except (ValueError, AttributeError):
        return None


def excluded(entries: Iterable[tuple[str, bool]], egress: Sequence[str]) -> list[str]:
    """The egress networks in ``egress`` that a DevOps access list of ``entries``
    ``(address, enabled)`` would not admit. Only an empty list admits everyone (the
    DevOps API: "Remove entire DevOps API Access List … will disable the DevOps API Access
    List feature"); a list whose entries are all disabled is taken to admit no one, the
    document not saying otherwise. An egress that is not an IPv4 network is never admitted
    (it cannot be shown to be inside)."""
    entries = list(entries)
    if not entries:
        return []
    allowed = [n for a, on in entries if on and (n := network(a)) is not None]
    out: list[str] = []
    for cidr in egress:
        mine = network(cidr)
        if mine is None or not any(mine.subnet_of(n) for n in allowed):
            out.append(cidr)
    return out

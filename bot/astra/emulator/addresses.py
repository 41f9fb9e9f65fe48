"""The emulator's reading of address entries: IPv4 addresses or CIDR blocks, as the API checks.

``AddressRequest`` (database access lists) requires address, enabled and description and
gives the address a pattern; ``DevOpsIpAddress`` requires nothing, but an address that is
not IPv4 is refused all the same (the real API cannot allow what it cannot match).
"""

from __future__ import annotations

import ipaddress
from typing import Any, Final

from bot.astra.emulator.catalogue import _ADDRESS_RE
from bot.astra.emulator.state import _iso

#: The fields ``AddressRequest`` requires.
REQUIRED: Final = ("address", "enabled", "description")


def address_problem(item: Any, required: tuple[str, ...]) -> str | None:
    """Why ``item`` is not an address entry with ``required`` fields; None when it is."""
    if not isinstance(item, dict):
        return "Each address must be an object."
    missing = [k for k in required if k not in item]
    if missing:
        return f"Missing required fields: {', '.join(missing)}."
    address = item.get("address")
    if not isinstance(address, str) or not _ADDRESS_RE.match(address):
        return f"{address} is not an IPv4 address or CIDR block."
    try:
        ipaddress.IPv4Network(address, strict=False)
    except ValueError:
        return f"{address} is not an IPv4 address or CIDR block."
    if "enabled" in item and not isinstance(item["enabled"], bool):
        return "enabled must be a boolean."
    if "description" in item and not isinstance(item["description"], str):
        return "description must be a string."
    return None


def address_entries(items: Any) -> tuple[list[dict[str, Any]], str | None]:
    """``AddressRequest`` items (address, enabled, description required) as stored entries."""
    if not isinstance(items, list):
        return [], "addresses must be an array."
    entries: list[dict[str, Any]] = []
    for item in items:
        problem = address_problem(item, REQUIRED)
        if problem:
            return [], problem
        entries.append(
            {
                "address": item["address"],
                "enabled": item["enabled"],
                "description": item["description"],
                "lastUpdateDateTime": _iso(),
            }
        )
    return entries, None

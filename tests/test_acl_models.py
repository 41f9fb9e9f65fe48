"""Who a DevOps API access list admits (the bot's own egress), and the diff of two lists."""

from __future__ import annotations

import pytest

from bot.astra.models import AddressEntry, diff_entries, excluded


@pytest.mark.parametrize(
    ("entries", "egress", "left_out"),
    [
        ([], ["203.0.113.7"], []),  # no list: the feature is off, everyone may call
        ([("203.0.113.0/24", True)], ["203.0.113.7"], []),
        ([("203.0.113.0/24", True)], ["203.0.113.7/32", "198.51.100.0/30"], ["198.51.100.0/30"]),
        ([("203.0.113.7", True)], ["203.0.113.0/24"], ["203.0.113.0/24"]),  # /32 ⊉ /24
        ([("203.0.113.0/24", False)], ["203.0.113.7"], ["203.0.113.7"]),  # disabled admits none
        ([("10.0.0.0/8", True), ("203.0.113.0/24", False)], ["203.0.113.9"], ["203.0.113.9"]),
        ([("0.0.0.0/0", True)], ["203.0.113.7", "10.1.2.3"], []),
        ([("10.0.0.0/8", True)], ["not-an-ip"], ["not-an-ip"]),
        ([("junk", True)], ["10.0.0.1"], ["10.0.0.1"]),
    ],
)
def test_excluded(entries: list[tuple[str, bool]], egress: list[str], left_out: list[str]) -> None:
    assert excluded(entries, egress) == left_out


def test_diff_entries() -> None:
    a = AddressEntry("10.0.0.0/8", True, "office")
    b = AddressEntry("1.2.3.4", True, "vpn")
    b_off = AddressEntry("1.2.3.4", False, "vpn")
    c = AddressEntry("8.8.8.8", True, "")
    d = diff_entries([a, b], [b_off, c])
    assert d.added == (c,) and d.removed == (a,) and d.changed == ((b, b_off),) and d.kept == 0
    same = diff_entries([a, b], [b, a])
    assert same.empty and same.kept == 2

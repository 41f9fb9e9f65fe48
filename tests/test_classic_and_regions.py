"""Classic-only operations explain the API's limits; regions for new databases."""

from __future__ import annotations

import pytest

from bot.render import ACTION_CONFIRM
from tests.conftest import ServiceHarness


def _writes(h: ServiceHarness) -> list[str]:
    return [f"{r.method} {r.path}" for r in h.emulator.requests if r.method != "GET"]


def _button(h: ServiceHarness) -> str:
    blocks = h.notifier.posts[-1][1].blocks
    return next(
        e["value"]
        for b in blocks
        for e in b.get("elements", [])
        if e.get("action_id") == ACTION_CONFIRM
    )


@pytest.mark.parametrize("cmd", ["db park orders", "db unpark orders", "db resize orders 2"])
async def test_serverless_refused_before_anything(shell_bot: ServiceHarness, cmd: str) -> None:
    shell_bot.emulator.add_database("orders")
    posts = len(shell_bot.notifier.posts)
    r = await shell_bot.run(cmd)
    assert "serverless" in r.last and "classic" in r.last
    assert _writes(shell_bot) == []
    assert len(shell_bot.notifier.posts) == posts  # no confirmation posted


@pytest.mark.parametrize(
    ("units", "says"),
    [("1", "cannot shrink"), ("2", "already has 2"), ("9", "at most 3"), ("101", "between 1")],
)
async def test_resize_limits(shell_bot: ServiceHarness, units: str, says: str) -> None:
    shell_bot.emulator.add_database("legacy", tier="C10", capacity_units=2)
    r = await shell_bot.run(f"db resize legacy {units}")
    assert says in r.last
    assert _writes(shell_bot) == []


async def test_classic_park_unpark_resize(shell_bot: ServiceHarness) -> None:
    db_id = shell_bot.emulator.add_database("legacy", tier="C10", capacity_units=2)
    await shell_bot.run("db park legacy")
    assert _writes(shell_bot) == []
    await shell_bot.click(ACTION_CONFIRM, _button(shell_bot))
    await shell_bot.run_until_idle()
    assert shell_bot.emulator.status_of(db_id) == "PARKED"
    assert "legacy is PARKED" in shell_bot.notifier.posts[-1][1].text
    await shell_bot.run("db unpark legacy")
    await shell_bot.run_until_idle()
    assert shell_bot.emulator.status_of(db_id) == "ACTIVE"
    await shell_bot.run("db resize legacy 4")
    await shell_bot.run_until_idle()
    assert any(w.endswith("/resize") for w in _writes(shell_bot))
    assert "legacy is ACTIVE" in shell_bot.notifier.posts[-1][1].text


async def test_region_available_serverless_and_classic(shell_bot: ServiceHarness) -> None:
    r = await shell_bot.run("region available --cloud aws")
    assert "us-east-1" in r.last and "us-east1" not in r.last
    r = await shell_bot.run("region available --tier C10")
    assert "Regions for new C10 databases" in r.last
    assert any(q.path == "/v2/availableRegions" for q in shell_bot.emulator.requests)


async def test_devops_access_list(shell_bot: ServiceHarness) -> None:
    r = await shell_bot.run("access-list devops")
    assert "DevOps API access list" in r.last
    assert any("devops-acl" in q.path for q in shell_bot.emulator.requests)

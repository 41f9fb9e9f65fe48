"""A create is never sent twice, and never forgotten (names are not unique in Astra)."""

from __future__ import annotations

from bot.render import ACTION_CONFIRM
from bot.store.enums import OperationState
from tests.conftest import ServiceHarness


def _creates(h: ServiceHarness) -> int:
    return sum(1 for r in h.emulator.requests if r.method == "POST" and r.path == "/v2/databases")


def _button(h: ServiceHarness) -> str:
    blocks = h.notifier.posts[-1][1].blocks
    return next(
        e["value"]
        for b in blocks
        for e in b.get("elements", [])
        if e.get("action_id") == ACTION_CONFIRM
    )


async def test_unknown_region_names_the_nearest_valid_ones(shell_bot: ServiceHarness) -> None:
    r = await shell_bot.run("db create orders --cloud gcp --region us-east2")
    assert _creates(shell_bot) == 0
    assert "not a region" in r.last
    assert "us-east1" in str(r.messages[-1].blocks) or "us-east4" in str(r.messages[-1].blocks)


async def test_existing_name_asks_before_creating_another(shell_bot: ServiceHarness) -> None:
    db_id = shell_bot.emulator.add_database("orders")
    await shell_bot.run("db create orders")
    assert _creates(shell_bot) == 0
    text = shell_bot.notifier.posts[-1][1].text
    assert "orders` already exists" in text and db_id in text
    assert "Create another database named orders?" in text
    await shell_bot.click(ACTION_CONFIRM, _button(shell_bot))
    assert _creates(shell_bot) == 1
    await shell_bot.click(ACTION_CONFIRM, _button(shell_bot))  # replay: nothing more
    assert _creates(shell_bot) == 1


async def test_same_create_twice_quickly_is_one_database(shell_bot: ServiceHarness) -> None:
    await shell_bot.run("db create orders")
    await shell_bot.run("db create orders")
    assert _creates(shell_bot) == 1
    assert "being created by" in shell_bot.notifier.posts[-1][1].text


async def test_explicit_duplicate_is_allowed(shell_bot: ServiceHarness) -> None:
    shell_bot.emulator.add_database("orders")
    await shell_bot.run("db create orders --allow-duplicate-name")
    assert _creates(shell_bot) == 1


async def test_ambiguous_answer_is_reconciled_not_repeated(shell_bot: ServiceHarness) -> None:
    shell_bot.emulator.inject_fault(503, method="POST", path_prefix="/v2/databases")
    r = await shell_bot.run("db create orders")
    assert "did not answer clearly" in r.last
    assert _creates(shell_bot) == 1
    # Astra did create it after all: the watcher finds it by name and creation time
    db_id = shell_bot.emulator.add_database("orders", status="ACTIVE")
    await shell_bot.run_until_idle()
    assert _creates(shell_bot) == 1
    final = shell_bot.notifier.posts[-1][1].text
    assert "orders is ACTIVE" in final and db_id in final


async def test_ambiguous_answer_with_nothing_created_is_reported_unknown(
    shell_bot: ServiceHarness,
) -> None:
    shell_bot.emulator.inject_fault(500, method="POST", path_prefix="/v2/databases")
    await shell_bot.run("db create orders")
    await shell_bot.run_until_idle(step=30, max_ticks=20)
    assert _creates(shell_bot) == 1
    assert "outcome is unknown" in shell_bot.notifier.posts[-1][1].text


async def test_refused_create_leaves_nothing_to_follow(shell_bot: ServiceHarness) -> None:
    shell_bot.emulator.inject_fault(422, method="POST", path_prefix="/v2/databases")
    r = await shell_bot.run("db create orders")
    assert (r.messages and "422" in r.last) or "could not" in r.last.lower()
    assert await shell_bot.components.store.pending_operations() == []


async def test_terminate_refused_in_maintenance_is_retried_when_active(
    shell_bot: ServiceHarness,
) -> None:
    db_id = shell_bot.emulator.add_database("orders")
    await shell_bot.run("db delete orders")
    conf = _button(shell_bot)
    shell_bot.emulator.set_status(db_id, "MAINTENANCE")
    await shell_bot.click(ACTION_CONFIRM, conf)
    terminates = [r for r in shell_bot.emulator.requests if r.path.endswith("/terminate")]
    assert len(terminates) == 1  # refused with 409
    (op,) = await shell_bot.components.store.pending_operations()
    assert op.state == OperationState.RETRYING  # the watcher sends it again
    await shell_bot.components.watcher.tick()
    assert shell_bot.emulator.status_of(db_id) == "MAINTENANCE"
    shell_bot.emulator.set_status(db_id, "ACTIVE")
    await shell_bot.run_until_idle()
    terminates = [r for r in shell_bot.emulator.requests if r.path.endswith("/terminate")]
    assert len(terminates) == 2
    assert "orders is TERMINATED" in shell_bot.notifier.posts[-1][1].text


async def test_conflict_says_the_current_status(shell_bot: ServiceHarness) -> None:
    db_id = shell_bot.emulator.add_database("orders")
    shell_bot.emulator.set_status(db_id, "MAINTENANCE")
    r = await shell_bot.run("keyspace create orders shop")
    assert "409" in r.last or "not in a valid state" in r.last
    assert "MAINTENANCE now" in r.last and "ACTIVE" in r.last


async def test_multi_region_delete_explains_regions_first(shell_bot: ServiceHarness) -> None:
    shell_bot.emulator.add_database("orders", extra_regions=["us-central1"])
    reply = await shell_bot.run("db delete orders")
    # said before a confirmation is posted (the click would re-check it)
    assert shell_bot.notifier.posts == []
    assert not any(r.path.endswith("/terminate") for r in shell_bot.emulator.requests)
    assert "region remove orders" in reply.last and "us-central1" in reply.last
    assert "wait until" not in reply.last

"""The registration of handlers: methods marked by the command class they take, each given
its own command type (narrowed), collected by Handlers.entries()."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from bot.commands.db import GetDatabase, ParkDatabase, UnparkDatabase
from bot.intents import parse
from bot.service.context import Request
from bot.service.outcome import Outcome
from bot.service.registry import Call, Handlers, Registry, confirms, handles, prechecks
from tests.conftest import RecordingReplier


@dataclass(frozen=True)
class _Nouns(Handlers):
    seen: list[object]

    @handles(GetDatabase)
    async def get(self, cmd: GetDatabase, call: Call) -> Outcome:
        self.seen.append((cmd.db, call.req.user_id, call.reply is not None, call.ts))
        return Outcome(f"shown {cmd.db}")

    @confirms(ParkDatabase)
    async def park(self, cmd: ParkDatabase, call: Call) -> Outcome:
        self.seen.append((cmd.db, call.reply, call.ts))
        return Outcome(f"parked {cmd.db}")

    @prechecks(ParkDatabase, UnparkDatabase)
    async def classic(self, cmd: ParkDatabase | UnparkDatabase, call: Call) -> None:
        self.seen.append((type(cmd).__name__, call.req.user_id, call.db))


async def test_marked_methods_are_the_entries_each_given_its_own_command() -> None:
    seen: list[object] = []
    registry = Registry()
    registry.add(_Nouns(seen).entries())
    assert set(registry.handlers) == {"db.get"}
    assert set(registry.confirmed) == {"db.park"}
    assert set(registry.prechecks) == {"db.park", "db.unpark"}
    req = Request("U1", "C1")
    out = await registry.handlers["db.get"](req, parse("db get prod"), RecordingReplier(), None)
    assert out.audit == "shown prod"
    out = await registry.confirmed["db.park"](req, parse("db park prod"), "171.1")
    assert out.audit == "parked prod"
    await registry.prechecks["db.unpark"](req, parse("db unpark prod"), None)
    assert seen == [
        ("prod", "U1", True, None),
        ("prod", None, "171.1"),
        ("UnparkDatabase", "U1", None),
    ]


async def test_a_handler_given_another_command_refuses_it() -> None:
    registry = Registry()
    registry.add(_Nouns([]).entries())
    with pytest.raises(TypeError, match="GetDatabase expected"):
        await registry.handlers["db.get"](
            Request("U1", "C1"), parse("db park prod"), RecordingReplier(), None
        )


def test_two_handlers_of_one_command_in_a_module_are_refused() -> None:
    class Twice(Handlers):
        @handles(GetDatabase)
        async def one(self, cmd: GetDatabase, call: Call) -> Outcome:
            return Outcome("one")

        @handles(GetDatabase)
        async def two(self, cmd: GetDatabase, call: Call) -> Outcome:
            return Outcome("two")

    with pytest.raises(TypeError, match="two handlers of GetDatabase"):
        Twice().entries()


def test_every_confirmation_summary_names_a_destructive_command() -> None:
    """The summaries' table (bot/render/confirmations.py) has one line per command that asks."""
    from bot.intents import COMMANDS
    from bot.render.confirmations import ASKS

    destructive = {s.permission for s in COMMANDS if s.destructive}
    assert set(ASKS) == destructive

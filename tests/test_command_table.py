"""The whole command table against the service's one table of handlers: a command the
grammar names and no handler runs fails here, not as "not available" at run time."""

from __future__ import annotations

from bot.intents import COMMANDS
from bot.service import Service
from tests.conftest import RecordingNotifier, ServiceHarness


def _service(h: ServiceHarness) -> Service:
    """A service as its constructor builds it: nothing is added to it from outside."""
    c = h.components
    return Service(c.settings, c.store, c.astra, RecordingNotifier())


def test_destructive_in_the_grammar_is_run_only_once_confirmed(shell_bot: ServiceHarness) -> None:
    svc = _service(shell_bot)
    destructive = {s.permission for s in COMMANDS if s.destructive}
    assert destructive, "the command table has destructive commands"
    assert destructive <= set(svc.confirmed), "a destructive command needs a confirmed handler"
    assert not destructive & set(svc.handlers), "a destructive command never runs at once"
    assert destructive <= set(svc.prechecks), "a destructive command has a precheck"


def test_every_other_command_has_a_handler(shell_bot: ServiceHarness) -> None:
    svc = _service(shell_bot)
    plain = {s.permission for s in COMMANDS if not s.destructive}
    missing = plain - set(svc.handlers)
    assert not missing, f"commands without a handler: {sorted(missing)}"
    # a confirmed handler of a command that is not destructive is one its handler asks for
    # (a create with a name already taken): it runs at once too
    assert set(svc.confirmed) - {s.permission for s in COMMANDS if s.destructive} <= set(
        svc.handlers
    )


def test_the_service_names_no_command_outside_the_grammar(shell_bot: ServiceHarness) -> None:
    svc = _service(shell_bot)
    known = {s.permission for s in COMMANDS}
    assert set(svc.handlers) | set(svc.confirmed) | set(svc.prechecks) <= known

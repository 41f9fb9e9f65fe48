"""The whole command table against the service's one table of handlers: a command the
grammar names and no handler runs fails here, not as "not available" at run time."""

from __future__ import annotations

from bot.intents import COMMANDS, parse
from bot.service import Request, Service
from tests.conftest import RecordingNotifier, RecordingReplier, ServiceHarness


def _service(h: ServiceHarness) -> Service:
    """A service as its constructor builds it: nothing is added to it from outside."""
    c = h.components
    return Service(c.settings, c.store, c.orgs, RecordingNotifier())


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


async def test_a_handler_returns_what_it_did_and_sends_nothing_itself(
    shell_bot: ServiceHarness,
) -> None:
    """The dispatcher sends a handler's answer and writes its audit row: the handler only
    says what it did (an Outcome)."""
    notifier = RecordingNotifier()
    c = shell_bot.components
    svc = Service(c.settings, c.store, c.orgs, notifier)
    reply = RecordingReplier()
    out = await svc.handlers["watch.list"](Request("U1", "C1"), parse("watch list"), reply, None)
    assert reply.messages == [] and notifier.posts == []
    assert out.private is not None and "Watched in this channel" in out.private.text
    assert out.channel is None and "watch" in out.audit

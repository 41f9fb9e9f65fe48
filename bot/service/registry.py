"""The one table of permission → handler, confirmed handler, precheck and escalation."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass

from bot.astra.models import Database
from bot.intents import Intent
from bot.ports import Replier
from bot.service.context import Request
from bot.service.outcome import Outcome

#: A command that runs at once; what it did, the dispatcher sends and audits.
Handler = Callable[[Request, Intent, Replier, Database | None], Awaitable[Outcome]]
#: A destructive command, run only from a confirmation click (in the stored channel).
ConfirmedHandler = Callable[[Request, Intent, str | None], Awaitable[Outcome]]
#: Explains a refusal before anything is sent or a confirmation is posted.
Precheck = Callable[[Intent, Database | None], Awaitable[None]]
#: Whether this instance of a command that is not destructive is destructive after all (the
#: first entry of an empty access list): what its confirmation says, or None. The command
#: is then decided and confirmed as a destructive one (and needs a confirmed handler).
Escalation = Callable[[Intent, Database | None], Awaitable[str | None]]


@dataclass(frozen=True)
class Entry:
    """What one command permission runs: at once, once confirmed, and its precheck."""

    permission: str
    handler: Handler | None = None
    confirmed: ConfirmedHandler | None = None
    precheck: Precheck | None = None
    escalate: Escalation | None = None


class Registry:
    """Filled once from the handler modules' entries (bot/service/handlers/); the
    dispatcher and the confirmations read it."""

    def __init__(self) -> None:
        self.handlers: dict[str, Handler] = {}
        self.confirmed: dict[str, ConfirmedHandler] = {}
        self.prechecks: dict[str, Precheck] = {}
        self.escalations: dict[str, Escalation] = {}

    def add(self, entries: Iterable[Entry]) -> None:
        for e in entries:
            if e.handler is not None:
                self.handlers[e.permission] = e.handler
            if e.confirmed is not None:
                self.confirmed[e.permission] = e.confirmed
            if e.precheck is not None:
                self.prechecks[e.permission] = e.precheck
            if e.escalate is not None:
                self.escalations[e.permission] = e.escalate

"""The one table of permission → handler, confirmed handler, precheck and escalation, filled
from handler methods marked by the command class they take.

A handler module is a :class:`Handlers` subclass; each of its methods is marked with the
command it serves, and receives that command already narrowed to its class (mypy sees a
wrong field)::

    class DbHandlers(Handlers):
        @handles(GetDatabase)
        async def get(self, cmd: GetDatabase, call: Call) -> Outcome: ...

        @prechecks(TerminateDatabase)
        async def terminable(self, cmd: TerminateDatabase, call: Call) -> None: ...

        @confirms(TerminateDatabase)
        async def delete(self, cmd: TerminateDatabase, call: Call) -> Outcome: ...

:meth:`Handlers.entries` collects the marked methods of an instance; :class:`Registry` is
what the dispatcher (bot/service/dispatch.py) and the confirmations read.

The org: a handler holds no Astra client. Every method (handler, precheck, escalation)
gets the :class:`Call`, and ``call.org`` is the org the dispatcher decided the command runs
in (``--org``, else the channel's, else the default; a confirmed one, the org its
confirmation was asked in): ``call.org.astra`` is that org's client, ``await
call.org.org_id()`` its Astra id, and the resolver finds names in it
(``resolver.resolve_db(call.org.astra, ref)``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar, overload

from bot.astra.models import Database
from bot.astra.orgs import Org
from bot.commands import Command
from bot.ports import Replier
from bot.service.context import Request, org_of
from bot.service.outcome import Outcome
from bot.service.resolve import need

C = TypeVar("C", bound=Command)
C2 = TypeVar("C2", bound=Command)
C3 = TypeVar("C3", bound=Command)


@dataclass(frozen=True)
class Call:
    """Where a command runs: who asks where (``req``), how to answer them (``reply``; a
    confirmed command, run from a click, has none), the database it was decided on, and
    the confirmation message it was confirmed with (``ts``)."""

    req: Request
    reply: Replier | None = None
    db: Database | None = None
    ts: str | None = None

    @property
    def database(self) -> Database:
        """The resolved database of a command that names one (the grammar requires it)."""
        return need(self.db)

    @property
    def org(self) -> Org:
        """The org the command runs in (the dispatcher puts it on every request it runs)."""
        return org_of(self.req)


#: A command that runs at once; what it did, the dispatcher sends and audits.
Handler = Callable[[Request, Command, Replier, Database | None], Awaitable[Outcome]]
#: A destructive command, run only from a confirmation click (in the stored channel).
ConfirmedHandler = Callable[[Request, Command, str | None], Awaitable[Outcome]]
#: Explains a refusal before anything is sent or a confirmation is posted.
Precheck = Callable[[Request, Command, Database | None], Awaitable[None]]
#: Whether this instance of a command that is not destructive is destructive after all (the
#: first entry of an empty access list): what its confirmation says, or None. The command
#: is then decided and confirmed as a destructive one (and needs a confirmed handler).
Escalation = Callable[[Request, Command, Database | None], Awaitable[str | None]]
#: What the confirmation of a destructive command says, read from Astra (the diff a whole
#: list's replacement makes) instead of the summaries' table (bot/render/confirmations.py).
Summary = Callable[[Request, Command, Database | None], Awaitable[str]]

#: The methods the decorators take (``self`` first).
RunMethod = Callable[[Any, C, Call], Awaitable[Outcome]]
CheckMethod = Callable[[Any, C, Call], Awaitable[None]]
EscalateMethod = Callable[[Any, C, Call], Awaitable[str | None]]
SummaryMethod = Callable[[Any, C, Call], Awaitable[str]]
M = TypeVar("M", bound=Callable[..., Awaitable[Any]])

_MARKS = "__astra_commands__"


def _mark(role: str, *commands: type[Command]) -> Callable[[M], M]:
    def mark(method: M) -> M:
        marks: list[tuple[str, type[Command]]] = getattr(method, _MARKS, [])
        setattr(method, _MARKS, [*marks, *((role, c) for c in commands)])
        return method

    return mark


@overload
def handles(a: type[C], /) -> Callable[[RunMethod[C]], RunMethod[C]]: ...
@overload
def handles(a: type[C], b: type[C2], /) -> Callable[[RunMethod[C | C2]], RunMethod[C | C2]]: ...
def handles(*commands: type[Command]) -> Callable[[M], M]:
    """The method runs each of ``commands`` at once (once the dispatcher allowed it); its
    parameter takes their union."""
    return _mark("handler", *commands)


def confirms(command: type[C]) -> Callable[[RunMethod[C]], RunMethod[C]]:
    """The method runs ``command`` once confirmed (from the confirmation click)."""
    return _mark("confirmed", command)


@overload
def prechecks(a: type[C], /) -> Callable[[CheckMethod[C]], CheckMethod[C]]: ...
@overload
def prechecks(
    a: type[C], b: type[C2], /
) -> Callable[[CheckMethod[C | C2]], CheckMethod[C | C2]]: ...
@overload
def prechecks(
    a: type[C], b: type[C2], c: type[C3], /
) -> Callable[[CheckMethod[C | C2 | C3]], CheckMethod[C | C2 | C3]]: ...
def prechecks(*commands: type[Command]) -> Callable[[M], M]:
    """The method explains a refusal of each of ``commands`` (its parameter takes their
    union) before anything is sent or a confirmation is asked."""
    return _mark("precheck", *commands)


def escalates(command: type[C]) -> Callable[[EscalateMethod[C]], EscalateMethod[C]]:
    """The method says whether this ``command`` is destructive after all (and why)."""
    return _mark("escalate", command)


def summarizes(command: type[C]) -> Callable[[SummaryMethod[C]], SummaryMethod[C]]:
    """The method says what the confirmation of ``command`` asks about (its diff)."""
    return _mark("summary", command)


@dataclass(frozen=True)
class Entry:
    """What one command permission runs: at once, once confirmed, and its precheck."""

    permission: str
    handler: Handler | None = None
    confirmed: ConfirmedHandler | None = None
    precheck: Precheck | None = None
    escalate: Escalation | None = None
    summary: Summary | None = None


def _adapt(role: str, command: type[Command], bound: Callable[..., Awaitable[Any]]) -> Any:
    """The registry's calling convention for one marked method, narrowing the command."""
    if role == "handler":

        async def run(req: Request, cmd: Command, reply: Replier, db: Database | None) -> Any:
            return await bound(command.narrow(cmd), Call(req, reply, db))

        return run
    if role == "confirmed":

        async def confirmed(req: Request, cmd: Command, ts: str | None) -> Any:
            return await bound(command.narrow(cmd), Call(req, ts=ts))

        return confirmed

    async def check(req: Request, cmd: Command, db: Database | None) -> Any:
        return await bound(command.narrow(cmd), Call(req, db=db))

    return check


class Handlers:
    """The base of a noun's handlers: :meth:`entries` are its marked methods."""

    def entries(self) -> list[Entry]:
        found: dict[str, dict[str, Any]] = {}
        for name in dir(type(self)):
            for role, command in getattr(getattr(type(self), name), _MARKS, ()):
                roles = found.setdefault(command.spec.permission, {})
                if role in roles:
                    raise TypeError(f"two {role}s of {command.__name__} in {type(self).__name__}")
                roles[role] = _adapt(role, command, getattr(self, name))
        return [Entry(permission, **roles) for permission, roles in found.items()]


class Registry:
    """Filled once from the handler modules' entries (bot/service/handlers/); the
    dispatcher and the confirmations read it."""

    def __init__(self) -> None:
        self.handlers: dict[str, Handler] = {}
        self.confirmed: dict[str, ConfirmedHandler] = {}
        self.prechecks: dict[str, Precheck] = {}
        self.escalations: dict[str, Escalation] = {}
        self.summaries: dict[str, Summary] = {}

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
            if e.summary is not None:
                self.summaries[e.permission] = e.summary

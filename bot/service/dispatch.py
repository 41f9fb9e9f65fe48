"""The one path of every command, click and form: parse → the org → resolve → decide on
the resolved target → precheck → confirm | run → audit.

The org of a command is decided once, here (bot/service/org_choice.py: ``--org``, else the
channel's, else the default), and travels on the request (``Request.org``): the resolver
finds names in it, every handler and precheck uses its client (``call.org.astra``), and
what is stored (operations, confirmations, watches) carries its Astra id.

Where replies go (DESIGN §2): what changes something, and its progress and outcome, is
posted in the channel; reads, help, usage errors, denials and secrets go privately to the
caller.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace

from bot import render
from bot.astra.models import Database
from bot.astra.orgs import Org
from bot.errors import AstraConflict, AstraError, BotError, ConfirmationError, UsageError
from bot.intents import MAX_TEXT_CHARS, Intent, command_named, parse
from bot.policy import Actor, Decision, Place, Rules, decide, decided_in
from bot.ports import Notifier, Replier
from bot.render import Form, Message
from bot.service.audit import Auditor
from bot.service.confirmations import Confirmations
from bot.service.context import Context, Request, org_of
from bot.service.org_choice import OrgChoice
from bot.service.outcome import deliver
from bot.service.registry import Registry
from bot.service.resolve import Resolver

log = logging.getLogger("astra_bot.service")

#: Opens the `db create` form for a request, if the caller may (False: it was not opened).
FormOpener = Callable[[Request, Replier], Awaitable[bool]]


def clipped(text: str) -> str:
    """A command text as the audit keeps it: a text longer than any command can be (a
    refused one) is kept as its start and its length."""
    if len(text) <= MAX_TEXT_CHARS:
        return text
    return f"{text[:200]}… ({len(text):,} characters)"


def _db_name(intent: Intent, db: Database | None) -> str | None:
    if db is not None:
        return db.info.name or db.id
    return intent.target_db


@dataclass(frozen=True)
class Dispatcher:
    """Runs commands and clicks, each decided for the person who sends it."""

    ctx: Context
    auditor: Auditor
    resolver: Resolver
    confirmations: Confirmations
    registry: Registry
    notifier: Notifier
    open_create_form: FormOpener
    choice: OrgChoice

    async def command(self, req: Request, text: str, reply: Replier) -> None:
        started = self.ctx.now()
        # the audit row writes the command as it was typed: `astra-bot perm …` on the CLI
        shown = ("astra-bot " if req.source == "cli" else "/astra ") + clipped(text.strip())
        # no name: the form, where there is one (a Slack modal, prompts in the shell)
        if text.split() == ["db", "create"] and await self.open_create_form(
            replace(req, org=await self.choice.of_channel(req.channel_id)), reply
        ):
            await self.auditor.record(req, shown, "form", permission="db.create", started=started)
            return
        try:
            intent = parse(text)
        except UsageError as err:
            refused = await self._refused_before_usage(req, text)
            if refused is not None:  # a usage or a form is for those who may run it
                await self.auditor.deny(req, shown, refused, reply, started, None)
                return
            await reply.private(render.usage_error(err))
            await self.auditor.record(
                req, shown, "invalid", reason=err.user_message, started=started
            )
            return
        await self._intent(req, intent, shown, reply, started)

    async def _intent(
        self, req: Request, intent: Intent, shown: str, reply: Replier, started: float
    ) -> None:
        db: Database | None = None
        try:
            req = replace(req, org=await self.choice.of(req.channel_id, intent))
            rules, actor = await self.ctx.rules_and_actor(req.user_id)
            # a rule change is decided where it will hold (bot/policy.py: decided_in)
            where = decided_in(intent.spec, intent.org, org_of(req).name)
            place = replace(req.place, org=where)
            decision, db, on = await self._decide(req, rules, actor, place, intent)
            if not decision.allowed:
                await self.auditor.deny(req, shown, decision, reply, started, on)
                return
            await self._allowed(req, intent, decision, db, shown, reply, started)
        except BotError as err:
            if isinstance(err, AstraConflict) and db is not None and not err.exists:
                err = await self._explain_conflict(org_of(req), err, db)
            log.info(
                "command failed: %s",
                type(err).__name__,
                extra={"correlation_id": req.correlation_id},
            )
            await reply.private(render.error(err, req.correlation_id))
            await self.auditor.record(
                req,
                shown,
                "error",
                permission=intent.permission,
                reason=type(err).__name__,
                outcome=err.user_message,
                started=started,
                database=intent.target_db,
            )

    async def _destructive_now(
        self, req: Request, intent: Intent, decision: Decision, db: Database | None
    ) -> tuple[Decision, str | None]:
        """A command that is destructive only this time (the first entry of an empty access
        list): decided again as a destructive one (the two-person rule included), and what
        its confirmation says; else the decision as it was, and None."""
        escalate = self.registry.escalations.get(intent.permission)
        why = await escalate(req, intent, db) if escalate is not None else None
        if why is None:
            return decision, None
        rules, actor = await self.ctx.rules_and_actor(req.user_id)
        name = _db_name(intent, db)
        return decide(rules, actor, req.place, intent.spec, name, destructive=True), why

    async def _allowed(
        self,
        req: Request,
        intent: Intent,
        decision: Decision,
        db: Database | None,
        shown: str,
        reply: Replier,
        started: float,
    ) -> None:
        """Precheck, then a confirmation to ask or the handler to run."""
        spec = intent.spec
        asks = decision.outcome in {"confirm", "approve"}
        if asks and spec.permission not in self.registry.confirmed:
            raise BotError(f"`/astra {spec.name}` is not available in this version.")
        await self.choice.ready(org_of(req), spec)
        check = self.registry.prechecks.get(spec.permission)
        if check is not None:
            await check(req, intent, db)
        why: str | None = None
        if not asks:
            decision, why = await self._destructive_now(req, intent, decision, db)
            asks = why is not None
        if asks:
            await self.confirmations.ask(
                req, intent, decision, db, summary_text=why, undoable=why is not None
            )
            await self.auditor.record(req, shown, decision.outcome, reason=decision.reason,
                                      permission=spec.permission,
                                      database=db.info.name if db else None, started=started,
                                      outcome="confirmation posted")  # fmt: skip
            return
        handler = self.registry.handlers.get(spec.permission)
        if handler is None:
            raise BotError(f"`/astra {spec.name}` is not available yet in this version.")
        if spec.mutating:
            await self.auditor.record(
                req,
                shown,
                "requested",
                permission=spec.permission,
                database=_db_name(intent, db),
                started=started,
                required=True,
            )
        outcome = await handler(req, intent, reply, db)
        await deliver(outcome, req, reply, self.notifier)
        await self.auditor.record(
            req,
            shown,
            "allow",
            reason="; ".join(decision.granted_by),
            permission=spec.permission,
            database=_db_name(intent, db),
            outcome=outcome.audit,
            started=started,
        )

    async def _refused_before_usage(self, req: Request, text: str) -> Decision | None:
        """The denial of a command the caller named but may not run (on any database)."""
        spec = command_named(text)
        if spec is None:
            return None
        rules, actor = await self.ctx.rules_and_actor(req.user_id)
        req = replace(req, org=await self.choice.of_channel(req.channel_id))
        decision = decide(rules, actor, req.place, spec, None, db_known=False)
        return None if decision.allowed else decision

    async def _explain_conflict(self, org: Org, err: AstraConflict, db: Database) -> AstraConflict:
        """409: say what state the database is in now (Astra's message does not)."""
        try:
            status = (await org.astra.get_database(db.id)).status
        except AstraError:
            return err
        name = db.info.name or db.id
        if status in {"PARKED", "HIBERNATED"}:
            # waiting does not wake it: a parked database is unparked, a hibernated one
            # resumes on its first data request
            how = (
                f"unpark it first (`/astra db unpark {name}`)"
                if status == "PARKED"
                else "it resumes on its first data request"
            )
            err.hint = f"`{name}` is {status}: {how}, then try again."
        else:
            err.hint = (
                f"`{name}` is {status} now; wait until it is ACTIVE, then try "
                "again (`/astra watch` tells this channel when)."
            )
        return err

    async def _decide(
        self, req: Request, rules: Rules, actor: Actor, place: Place, intent: Intent
    ) -> tuple[Decision, Database | None, str | None]:
        """The one decision of a command: the decision, the database it acts on, and the
        database name it was decided on. Every database the command names is decided on as
        resolved (its name, not what was typed), whatever the noun; a first decision before
        any Astra call turns away those who could not run it on any database."""
        spec = intent.spec
        target = intent.target_db
        known_name = target if spec.permission == "db.create" else None
        decision = decide(
            rules, actor, place, spec, known_name, db_known=target is None or known_name is not None
        )
        if not decision.allowed or known_name is not None:
            return decision, None, target
        if intent.target_dbs:  # resolving asks the org's Astra: a refused token, said so
            await self.choice.ready(org_of(req), spec)
        db: Database | None = None
        first: str | None = None
        for ref in intent.target_dbs:
            name, found = await self.resolver.target(req, intent, ref)
            if first is None:
                db, first = found, name
            decision = decide(rules, actor, place, spec, name)
            if not decision.allowed:
                return decision, db, name
        return decision, db, first

    async def action(
        self, req: Request, action_id: str, value: str, message_ts: str | None, reply: Replier
    ) -> None:
        """A button click. Every click is a new decision, for the person who clicks."""
        started = self.ctx.now()
        family = render.action_family(action_id)  # astra_run:2 and a bare astra_run alike
        try:
            if family == render.ACTION_RUN:
                # A button that stands for a command: run it as the person who clicked,
                # through the same parser, policy and confirmation as a typed command.
                await self.command(req, value, reply)
            elif family == render.ACTION_PAGE:
                await self.command(req, value, _Replacing(reply))
            elif family in {render.ACTION_CONFIRM, render.ACTION_CANCEL}:
                await self.confirmations.click(req, family, value, message_ts, reply, started)
            else:
                raise ConfirmationError("That button is not known to this bot.")
        except BotError as err:
            await reply.private(render.error(err, req.correlation_id))
            await self.auditor.record(
                req,
                f"click {family}",
                "error",
                reason=type(err).__name__,
                outcome=err.user_message,
                started=started,
            )


class _Replacing:
    """A replier whose private answers replace the message that was clicked (pages)."""

    def __init__(self, reply: Replier) -> None:
        self._reply = reply

    async def private(self, message: Message) -> None:
        await self._reply.replace(message)

    async def replace(self, message: Message) -> None:
        await self._reply.replace(message)

    async def open_form(self, form: Form) -> bool:
        return await self._reply.open_form(form)

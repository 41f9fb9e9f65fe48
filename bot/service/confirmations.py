"""Confirmations: asked in the channel, claimed once, each click decided for its clicker."""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace

from bot import render
from bot.astra.models import Database
from bot.astra.orgs import Org
from bot.errors import BotError, ConfirmationError
from bot.intents import Intent, parse
from bot.policy import Decision, decide
from bot.ports import Notifier, Replier
from bot.render import org as org_words
from bot.service.audit import Auditor
from bot.service.context import Context, Request, org_of
from bot.service.outcome import deliver
from bot.service.registry import Registry
from bot.store.enums import ConfirmationState
from bot.store.models import Confirmation

log = logging.getLogger("astra_bot.service")


def summary(intent: Intent, db: Database | None) -> str:
    """What a confirmation asks about, in a few words (bot/render/confirmations.py)."""
    target = render.Target(db.info.name, db.id, db.status) if db else None
    return render.confirmation_summary(intent, target)


@dataclass(frozen=True)
class Confirmations:
    """Posts Confirm / Cancel, and runs the confirmed command from a click."""

    ctx: Context
    notifier: Notifier
    auditor: Auditor
    registry: Registry

    async def ask(
        self,
        req: Request,
        intent: Intent,
        decision: Decision,
        db: Database | None,
        *,
        summary_text: str | None = None,
        question: str | None = None,
        ok_label: str | None = None,
        danger: bool = True,
        undoable: bool = False,
    ) -> None:
        """Post Confirm / Cancel in the channel; the command runs only from a click."""
        conf = await self.ctx.store.create_confirmation(
            org_id=await org_of(req).org_id(),
            command=intent.canonical(),
            permission=intent.permission,
            requester_id=req.user_id,
            channel_id=req.channel_id,
            correlation_id=req.correlation_id,
            ttl=self.ctx.settings.confirm_ttl,
            needs_approval=decision.outcome == "approve",
            database_id=db.id if db else None,
            database_name=(db.info.name or db.id) if db else intent.target_db,
            thread_ts=req.thread_ts,
        )
        summarize = self.registry.summaries.get(intent.permission)
        said = summary_text or (
            await summarize(req, intent, db) if summarize else summary(intent, db)
        )
        prompt = render.Prompt(said, question, ok_label, danger, undoable)
        message = render.confirmation(
            conf.id, intent.canonical(), req.user_id, conf.expires_at, conf.needs_approval, prompt
        )
        ts = await self.notifier.post(req.channel_id, message, thread_ts=req.thread_ts)
        if ts:
            await self.ctx.store.set_confirmation_message(conf.id, ts)

    async def click(
        self,
        req: Request,
        action_id: str,
        conf_id: str,
        message_ts: str | None,
        reply: Replier,
        started: float,
    ) -> None:
        """A click on Confirm or Cancel, decided again for the person who clicks."""
        conf = await self.ctx.store.get_confirmation(conf_id)
        if conf is None:
            raise ConfirmationError("This confirmation is not known (it may have been removed).")
        # Decided where the confirmation was posted, whatever channel the click names: its
        # channel's bindings and guard, never those of a channel the payload claims.
        if req.channel_id != conf.channel_id:
            log.warning(
                "a click on confirmation %s names channel %s, not its own",
                conf.id,
                req.channel_id,
                extra={"correlation_id": req.correlation_id},
            )
        # Run in the org it was asked in (its stored id), never the channel's org of now.
        org = await self._org_of(conf)
        if org is None and action_id == render.ACTION_CONFIRM:
            raise ConfirmationError(org_words.unserved_org(conf.org_id))
        req = replace(
            req, channel_id=conf.channel_id, is_dm=conf.channel_id.startswith("D"), org=org
        )
        label = f"click {'confirm' if action_id == render.ACTION_CONFIRM else 'cancel'}"
        click = _Click(
            req, conf, f"{label}: {conf.command}", conf.message_ts or message_ts, started
        )
        await self._pending(click)
        intent = parse(conf.command)
        rules, actor = await self.ctx.rules_and_actor(req.user_id)
        decision = decide(rules, actor, req.place, intent.spec, conf.database_name)
        if action_id == render.ACTION_CANCEL:
            await self._cancel(click, decision, reply)
        elif not decision.allowed:
            await self.auditor.deny(req, click.shown, decision, reply, started, conf.database_name)
        elif await self._second_person_refused(click, decision, reply):
            return
        else:
            await self._claim(click)
            await self._run(click, intent, decision)

    async def _org_of(self, conf: Confirmation) -> Org | None:
        """The configured org whose Astra id the confirmation stored (learned first if
        need be: after a restart no id is known yet); None if no configured org has it."""
        org = self.ctx.orgs.by_id(conf.org_id)
        if org is None:
            await self.ctx.orgs.learn()
            org = self.ctx.orgs.by_id(conf.org_id)
        return org

    async def _pending(self, click: _Click) -> None:
        """Still pending and not expired, or a ConfirmationError that says why."""
        conf = click.conf
        if conf.state != ConfirmationState.PENDING:
            raise ConfirmationError(render.already_decided(conf.state, conf.decided_by))
        if conf.expires_at > self.ctx.now():
            return
        if await self.ctx.store.expire_confirmation(conf.id):
            await self._update_message(click, ConfirmationState.EXPIRED)
        await self.auditor.record(
            click.req,
            click.shown,
            "expired",
            permission=conf.permission,
            database=conf.database_name,
            started=click.started,
        )
        raise ConfirmationError("This confirmation has expired; run the command again.")

    async def _cancel(self, click: _Click, decision: Decision, reply: Replier) -> None:
        req, conf = click.req, click.conf
        if req.user_id != conf.requester_id and not decision.allowed:
            await self.auditor.deny(
                req, click.shown, decision, reply, click.started, conf.database_name
            )
            return
        if not await self.ctx.store.decide_confirmation(
            conf.id, ConfirmationState.CANCELLED, req.user_id
        ):
            raise ConfirmationError(render.already_decided("decided"))
        await self._update_message(click, ConfirmationState.CANCELLED)
        await self.auditor.record(
            req,
            click.shown,
            "cancel",
            permission=conf.permission,
            database=conf.database_name,
            started=click.started,
            outcome="cancelled",
        )

    async def _second_person_refused(
        self, click: _Click, decision: Decision, reply: Replier
    ) -> bool:
        """Protected when asked, or protected since: either way a second person decides."""
        req, conf = click.req, click.conf
        needs_second = conf.needs_approval or decision.outcome == "approve"
        if not needs_second or req.user_id != conf.requester_id:
            return False
        msg = "you cannot approve your own request: another person with the right must."
        await reply.private(
            render.denied(msg, what_next="Ask someone else who may run it to approve it.")
        )
        await self.auditor.record(
            req,
            click.shown,
            "deny",
            reason="self-approval refused",
            permission=conf.permission,
            database=conf.database_name,
            started=click.started,
        )
        return True

    async def _claim(self, click: _Click) -> None:
        """Single use: the first click that claims it runs it, the others are told."""
        conf = click.conf
        if not await self.ctx.store.decide_confirmation(
            conf.id, ConfirmationState.CONFIRMED, click.req.user_id
        ):
            fresh = await self.ctx.store.get_confirmation(conf.id)
            raise ConfirmationError(render.already_decided(fresh.state if fresh else "decided"))
        await self._update_message(click, ConfirmationState.CONFIRMED)

    async def _run(self, click: _Click, intent: Intent, decision: Decision) -> None:
        """The confirmed command, as its requester, in the channel it was asked in."""
        req, conf = click.req, click.conf
        runner = self.registry.confirmed[intent.permission]
        run_req = Request(
            user_id=conf.requester_id,
            channel_id=conf.channel_id,
            thread_ts=conf.thread_ts,
            source="click",
            correlation_id=req.correlation_id,
            org=req.org,
        )
        perm, name, started = conf.permission, conf.database_name, click.started
        try:
            await self.auditor.record(
                req,
                click.shown,
                "requested",
                permission=perm,
                database=name,
                started=started,
                required=True,
            )
            outcome = await runner(run_req, intent, click.ts)
            await deliver(outcome, run_req, None, self.notifier)
        except BotError as err:
            await self.notifier.post(
                conf.channel_id, render.error(err, req.correlation_id), thread_ts=conf.thread_ts
            )
            await self.auditor.record(
                req,
                click.shown,
                "error",
                permission=perm,
                database=name,
                outcome=err.user_message,
                started=started,
                reason=type(err).__name__,
            )
            return
        await self.auditor.record(
            req,
            click.shown,
            "allow",
            reason="; ".join(decision.granted_by),
            permission=perm,
            database=name,
            outcome=outcome.audit,
            started=started,
        )

    async def _update_message(self, click: _Click, state: str) -> None:
        conf = click.conf
        if not click.ts:
            return
        msg = render.confirmation_decided(
            command=conf.command,
            state=state,
            by=click.req.user_id,
            at=self.ctx.now(),
            requester_id=conf.requester_id,
        )
        try:
            await self.notifier.update(conf.channel_id, click.ts, msg)
        except BotError:
            log.warning("could not update the confirmation message")


class _Click:
    """One click on a stored confirmation: who, which, as the audit shows it, its message."""

    def __init__(
        self, req: Request, conf: Confirmation, shown: str, ts: str | None, started: float
    ) -> None:
        self.req, self.conf, self.shown, self.ts, self.started = req, conf, shown, ts, started

"""The service: runs commands, clicks and forms (bot/service/dispatch.py) with the handlers
of bot/service/handlers/, for the Slack layer and the terminal shell alike.

:class:`Service` is the composition of the package and its entry points, nothing more: it
builds the parts once (constructor injection), and the Slack layer (bot/slack/), the shell
and the composition root call :meth:`Service.handle_command`,
:meth:`Service.handle_action`, :meth:`Service.home`, the form's methods and the lifecycle's.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Coroutine, Mapping
from typing import TYPE_CHECKING, Any

from bot import render
from bot.astra.models import Database
from bot.astra.orgs import Orgs
from bot.intents import Subject
from bot.policy import Rules, least_role
from bot.ports import Directory, Notifier, RedactedNotifier, RedactedReplier, Replier
from bot.redact import Redactor
from bot.render import Form
from bot.service import handlers
from bot.service.audit import Auditor
from bot.service.confirmations import Confirmations
from bot.service.context import RESTARTING, Clock, Context, Lifecycle, Request
from bot.service.dispatch import Dispatcher
from bot.service.forms import FORM_REFUSED, CreateForm, Regions, default_region
from bot.service.home import Home
from bot.service.operations import Operations
from bot.service.org_choice import OrgChoice
from bot.service.progress import Progress
from bot.service.registry import ConfirmedHandler, Handler, Precheck, Registry
from bot.service.resolve import Resolver
from bot.service.views import db_view
from bot.settings import Settings
from bot.store.repo import Store
from bot.work import WorkSlots

if TYPE_CHECKING:
    from bot.metrics import Metrics


class Service:
    """The bot's service, built once from its settings, store, orgs and notifier."""

    def __init__(
        self,
        settings: Settings,
        store: Store,
        orgs: Orgs,
        notifier: Notifier,
        *,
        directory: Directory | None = None,
        clock: Clock = time.time,
        extra_admins: Mapping[str, str] | None = None,
        poll_interval: float | None = None,
        metrics: Metrics | None = None,
        slots: WorkSlots | None = None,
    ) -> None:
        self.settings = settings
        self.store = store
        self.orgs = orgs
        # Everything posted or answered is redacted of secrets (bot/redact.py); the audit
        # rows are, by the store.
        self.redactor = Redactor(settings.secret_values())
        self.notifier: Notifier = RedactedNotifier(notifier, self.redactor)
        self.context = ctx = Context(settings, store, orgs, directory=directory, clock=clock,
                                     extra_admins=extra_admins or {})  # fmt: skip
        self.lifecycle = Lifecycle(ctx, slots or WorkSlots())
        self.auditor = Auditor(ctx, metrics)
        self.resolver = Resolver(store)
        self.choice = OrgChoice(orgs, store)
        self.registry = Registry()
        self.confirmations = Confirmations(ctx, self.notifier, self.auditor, self.registry)
        progress = Progress(ctx, self.notifier)
        self.operations = Operations(ctx, progress, poll_interval=poll_interval)
        regions = Regions(ctx)
        self.forms = CreateForm(ctx, settings, regions)
        self.homes = Home(ctx, store, self.redactor)
        handlers.build(self.registry, ctx=ctx, resolver=self.resolver,
                       ops=self.operations, progress=progress, regions=regions,
                       confirmations=self.confirmations, choice=self.choice, store=store,
                       settings=settings)  # fmt: skip
        self.dispatcher = Dispatcher(ctx, self.auditor, self.resolver, self.confirmations,
                                     self.registry, self.notifier, self.forms.open,
                                     self.choice)  # fmt: skip

    # ------------------------------------------------------------------ what others read

    @property
    def clock(self) -> Clock:
        return self.context.clock

    @property
    def slots(self) -> WorkSlots:
        """The work slots commands and clicks run in after the ack (bot/work.py)."""
        return self.lifecycle.slots

    @property
    def handlers(self) -> dict[str, Handler]:
        return self.registry.handlers

    @property
    def confirmed(self) -> dict[str, ConfirmedHandler]:
        return self.registry.confirmed

    @property
    def prechecks(self) -> dict[str, Precheck]:
        return self.registry.prechecks

    # ------------------------------------------------------------------ entry points

    async def handle_command(self, req: Request, text: str, reply: Replier) -> None:
        """Run one command. Refused politely once the process is shutting down."""
        reply = RedactedReplier(reply, self.redactor)
        if self.lifecycle.closing:
            await reply.private(render.plain(RESTARTING))
            return
        async with self.lifecycle.request(req):
            await self.dispatcher.command(req, text, reply)

    async def handle_action(
        self, req: Request, action_id: str, value: str, message_ts: str | None, reply: Replier
    ) -> None:
        """A button click. Every click is a new decision, for the person who clicks."""
        reply = RedactedReplier(reply, self.redactor)
        if self.lifecycle.closing:
            await reply.private(render.plain(RESTARTING))
            return
        async with self.lifecycle.request(req):
            await self.dispatcher.action(req, action_id, value, message_ts, reply)

    async def home(self, user_id: str) -> dict[str, Any]:
        """The Home tab of one user (bot/service/home.py)."""
        return await self.homes.view(user_id)

    async def in_progress(self, *, limit: int = 200) -> list[render.OpView]:
        """The operations not finished yet, oldest first."""
        return await self.homes.in_progress(limit=limit)

    async def create_form(self, req: Request, values: dict[str, str] | None = None) -> Form:
        """The `db create` form; the region choices follow the chosen cloud."""
        return await self.forms.form(req, values)

    async def form_errors(self, callback_id: str, values: dict[str, str]) -> dict[str, str]:
        """Errors to show on the form's fields (empty: it may be submitted)."""
        return await self.forms.errors(callback_id, values)

    def form_request(self, user_id: str, context: str) -> Request | None:
        """The request a submitted form stands for, from the state the bot signed into it
        (its channel); None when the bot did not sign it for this person."""
        return self.forms.request(user_id, context)

    async def form_refused(self, user_id: str, callback_id: str) -> str:
        """A form whose state the bot did not sign: audited; what the form shows."""
        logging.getLogger("astra_bot.service").warning(
            "refused a %s form with state the bot did not sign", callback_id
        )
        await self.auditor.record(
            Request(user_id=user_id, channel_id="", source="form"),
            "/astra db create (form)",
            "deny",
            reason="form state not signed by the bot",
            permission="db.create",
        )
        return FORM_REFUSED

    async def submit_form(
        self, req: Request, callback_id: str, values: dict[str, str], reply: Replier
    ) -> None:
        """A submitted form runs as the command it stands for: same parser, policy, checks."""
        await self.handle_command(req, self.forms.command(callback_id, values), reply)

    async def resolve_db(self, ref: str) -> Database:
        """A database of the default org by id, or by name when that name is unique there
        (DESIGN §2)."""
        return await self.resolver.resolve_db(self.orgs.default.astra, ref)

    async def rules(self) -> Rules:
        """The permission rules, read once per command or click."""
        return await self.context.rules()

    # ------------------------------------------------------------------ lifecycle

    def background(self, work: Coroutine[Any, Any, None], what: str = "request") -> None:
        """Run ``work`` after the ack, when the work slots allow (bot/work.py)."""
        self.lifecycle.background(work, what)

    async def warm(self) -> None:
        """Once at start-up: the first command does not pay for compiling statements."""
        await self.lifecycle.warm()

    async def idle(self) -> None:
        """Until no command, click or other post-ack work is running or queued."""
        await self.lifecycle.idle()

    async def drain(self, timeout_s: float) -> bool:
        """Stop taking new work and wait (bounded) for commands and clicks in flight."""
        return await self.lifecycle.drain(timeout_s)


__all__ = [
    "RESTARTING",
    "Request",
    "Service",
    "Subject",
    "db_view",
    "default_region",
    "least_role",
]

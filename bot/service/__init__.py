"""Runs intents: parse → decide → (confirm) → Astra call → operation row → audit → reply.

The service is the only place that combines the pure core (intents, policy, render) with
I/O (the Astra client, the store, the notifier). It is transport-agnostic: the Slack layer
and the terminal shell both call :meth:`Service.handle_command` and
:meth:`Service.handle_action` with a :class:`Request` and a :class:`~bot.ports.Replier`.

Where replies go (DESIGN §2): what changes something, and its progress and outcome, is
posted in the channel; reads, help, usage errors, denials and secrets go privately to the
caller.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import difflib
import json
import logging
import shlex
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Iterator, Mapping
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from typing import TYPE_CHECKING, Any

from bot import render
from bot.astra.client import AstraClient
from bot.astra.models import CreateDatabase, Database, Datacenter, is_classic_tier
from bot.errors import (
    Ambiguous,
    AstraConflict,
    AstraError,
    AstraNotFound,
    AstraServerError,
    AstraUnavailable,
    BotError,
    Candidate,
    ConfirmationError,
    NotFound,
    StoreError,
    UsageError,
)
from bot.intents import (
    MAX_TEXT_CHARS,
    SPECS,
    Intent,
    Subject,
    check_value,
    command_named,
    parse,
    specs_for_topic,
)
from bot.logs import correlation
from bot.mrkdwn import Mrkdwn, channel, join, md, user
from bot.policy import Actor, Decision, Place, Rules, decide, least_role, roles_of
from bot.ports import Directory, Notifier, RedactedNotifier, RedactedReplier, Replier
from bot.redact import Redactor
from bot.render import DbView, Form, FormField, Message
from bot.settings import Settings
from bot.store.models import Operation
from bot.store.repo import Store
from bot.work import WorkSlots

if TYPE_CHECKING:
    from bot.metrics import Metrics

log = logging.getLogger("astra_bot.service")

Clock = Callable[[], float]
Handler = Callable[["Request", Intent, Replier, Database | None], Awaitable[str]]
ConfirmedHandler = Callable[["Request", Intent, str | None], Awaitable[str]]
Precheck = Callable[[Intent, Database | None], Awaitable[None]]


@dataclass(frozen=True)
class Request:
    """Who asks, and where. ``correlation_id`` ties logs, audit rows and error refs."""

    user_id: str
    channel_id: str
    is_dm: bool = False
    thread_ts: str | None = None
    source: str = "command"
    correlation_id: str = field(default_factory=lambda: uuid.uuid4().hex[:12])

    @property
    def place(self) -> Place:
        return Place(self.channel_id, self.is_dm)


RESTARTING = ":hourglass: astra-bot is restarting; try again in a few seconds."

# An operation whose Astra call may not have happened is looked for after this long.
RECONCILE_AFTER_S = 2.0

# A terminate refused with 409 in these states is retried when the database is ACTIVE.
WAIT_THEN_RETRY = frozenset({"MAINTENANCE", "RESIZING", "INITIALIZING", "PENDING",
                             "ASSOCIATING", "UNPARKING", "PARKING", "RESUMING"})

# What each long operation waits for, and the op kind stored in the operation row.
TARGETS: dict[str, tuple[str, str]] = {
    "db.create": ("create", "ACTIVE"),
    "db.delete": ("terminate", "TERMINATED"),
    "db.park": ("park", "PARKED"),
    "db.unpark": ("unpark", "ACTIVE"),
    "db.resize": ("resize", "ACTIVE"),
    "keyspace.create": ("keyspace_create", "ACTIVE"),
    "keyspace.delete": ("keyspace_delete", "ACTIVE"),
    "region.add": ("region_add", "ACTIVE"),
    "region.remove": ("region_remove", "ACTIVE"),
}


#: Where a new database goes on a cloud when no region is given and the default region of
#: the settings is not one of that cloud's: the region Astra's own portal offers first.
CLOUD_DEFAULT_REGIONS: dict[str, str] = {"gcp": "us-east1", "aws": "us-east-2",
                                         "azure": "eastus"}


def default_region(cloud: str, settings: Settings, known: list[str]) -> str:
    """The region of a new database on ``cloud`` when none was given: the settings' default
    region when it is one of that cloud's (``known``: the regions the organization may use
    there; empty when unknown), else the cloud's usual first region, else its first one."""
    cloud = cloud.lower()
    if settings.default_region in known or (
            not known and cloud == settings.default_cloud.lower()):
        return settings.default_region
    usual = CLOUD_DEFAULT_REGIONS.get(cloud)
    if usual is not None and (usual in known or not known):
        return usual
    return known[0] if known else settings.default_region


def db_view(db: Database) -> DbView:
    info = db.info
    regions = tuple(dict.fromkeys(dc.region for dc in info.datacenters if dc.region))
    return DbView(
        id=db.id,
        name=info.name or db.id,
        status=db.status,
        cloud=info.cloud_provider or "",
        region=info.region or "",
        tier=info.tier or "",
        keyspaces=tuple(db.keyspaces),
        regions=regions,
        # the Data API and vector search are serverless only, whatever a classic one says
        endpoint=None if db.is_classic else db.api_endpoint,
        created=db.creation_time,
        capacity_units=info.capacity_units,
        db_type=None if db.is_classic else info.db_type,
        message=db.message,
    )


class Service:
    #: Set by the composition root (bot/app.py); counts each audit row.
    metrics: Metrics | None = None

    def __init__(
        self,
        settings: Settings,
        store: Store,
        astra: AstraClient,
        notifier: Notifier,
        *,
        directory: Directory | None = None,
        clock: Clock = time.time,
        extra_admins: Mapping[str, str] | None = None,
        poll_interval: float | None = None,
    ) -> None:
        self.settings = settings
        # a new operation is first looked at after one watcher interval (at most 2 s)
        self.first_check_s = min(poll_interval or settings.poll_interval, 2.0)
        self.store = store
        self.astra = astra
        # Everything posted or answered is redacted of secrets (bot/redact.py); the audit
        # rows are, by the store.
        self.redactor = Redactor(settings.secret_values())
        self.notifier: Notifier = RedactedNotifier(notifier, self.redactor)
        self.directory = directory
        self.clock = clock
        # admins the program running the bot adds (user id → why, as `perm list` says it)
        self.extra_admins: Mapping[str, str] = dict(extra_admins or {})
        self.admins = settings.admins | frozenset(self.extra_admins)
        self._org_id: str | None = None
        self.closing = False
        self._rules: contextvars.ContextVar[Rules | None] = contextvars.ContextVar(
            "rules", default=None)
        self._rules_scope: contextvars.ContextVar[bool] = contextvars.ContextVar(
            "rules_scope", default=False)
        self._inflight = 0
        self._idle = asyncio.Event()
        self.slots = WorkSlots()
        self._idle.set()
        self._regions_cache: tuple[float, list[tuple[str, str]]] | None = None
        self.handlers: dict[str, Handler] = {
            "help": self._help,
            "db.list": self._db_list,
            "db.get": self._db_get,
            "db.status": self._db_status,
            "db.create": self._db_create,
            "perm.grant": self._perm_grant,
            "perm.revoke": self._perm_revoke,
            "perm.list": self._perm_list,
            "perm.guard": self._perm_guard,
            "perm.unguard": self._perm_unguard,
            "perm.protect": self._perm_protect,
            "perm.unprotect": self._perm_unprotect,
            "perm.role.create": self._perm_role_create,
            "perm.role.delete": self._perm_role_delete,
            "perm.whoami": self._perm_whoami,
            "perm.check": self._perm_check,
            "audit": self._audit_handler,
            "watch": self._watch,
            "watch.list": self._watch_list,
            "watch.stop": self._watch_stop,
            "keyspace.list": self._keyspace_list,
            "keyspace.create": self._keyspace_create,
            "region.list": self._region_list,
            "region.add": self._region_add,
            "region.available": self._region_available,
            "access-list.devops": self._access_list_devops,
            "db.unpark": self._db_unpark,
            "db.resize": self._db_resize,
            "org.show": self._org_show,
        }
        # Checks that explain a refusal before anything is sent or a confirmation posted:
        # every destructive command has one (a test holds it), so that no one is asked to
        # confirm the removal of something that is not there.
        self.prechecks: dict[str, Precheck] = {
            "db.delete": self._precheck_delete,
            "db.park": self._precheck_classic,
            "db.unpark": self._precheck_classic,
            "db.resize": self._precheck_classic,
            "keyspace.create": self._precheck_keyspace_create,
            "keyspace.delete": self._precheck_keyspace_delete,
            "region.add": self._precheck_region_add,
            "region.remove": self._precheck_region_remove,
        }
        # Destructive intents run only from a confirmation click.
        self.confirmed: dict[str, ConfirmedHandler] = {
            "db.create": self._db_create_confirmed,
            "db.delete": self._db_delete_confirmed,
            "db.park": self._db_park_confirmed,
            "keyspace.delete": self._keyspace_delete_confirmed,
            "region.remove": self._region_remove_confirmed,
        }

    # ------------------------------------------------------------------ plumbing

    def register(
        self,
        permission: str,
        handler: Handler | None = None,
        *,
        confirmed: ConfirmedHandler | None = None,
        precheck: Precheck | None = None,
    ) -> None:
        """Add the handler of a command (``handler``) or of a destructive command once it
        is confirmed (``confirmed``). Handlers return a one-line outcome for the audit."""
        if handler is not None:
            self.handlers[permission] = handler
        if confirmed is not None:
            self.confirmed[permission] = confirmed
        if precheck is not None:
            self.prechecks[permission] = precheck

    async def org_id(self) -> str:
        if self._org_id is None:
            self._org_id = (await self.astra.current_org()).id
        return self._org_id

    async def rules(self) -> Rules:
        """The permission rules, read once per command or click (then reused by help, the
        buttons of `db get`, …) and never across two: a revoke applies to the next one."""
        cached = self._rules.get()
        if cached is not None:
            return cached
        rules = await self.store.rules(self.admins, self.settings.default_guard)
        if self._rules_scope.get():
            self._rules.set(rules)
        return rules

    @contextlib.contextmanager
    def _one_read_of_rules(self) -> Iterator[None]:
        scope = self._rules_scope.set(True)
        fresh = self._rules.set(None)
        try:
            yield
        finally:
            self._rules.reset(fresh)
            self._rules_scope.reset(scope)

    async def actor(self, user_id: str, rules: Rules) -> Actor:
        groups = frozenset(b.subject_id for b in rules.bindings if b.subject_type == "usergroup")
        if not groups or self.directory is None:
            return Actor(user_id)
        return Actor(user_id, await self.directory.usergroups_of(user_id, groups))

    async def _record(
        self,
        req: Request,
        command: str,
        decision: str,
        *,
        reason: str = "",
        permission: str | None = None,
        database: str | None = None,
        astra_request: str | None = None,
        outcome: str = "",
        started: float | None = None,
        required: bool = False,
    ) -> None:
        """One audit row. ``required``: the row of a change about to be made (decision
        "requested"), written before the change is sent; if the store cannot write it the
        change must not happen, so the failure is raised (fail closed), not logged."""
        if self.metrics is not None:  # counted even if the audit write fails
            self.metrics.command(permission, decision)
        try:
            await self.store.audit(
                correlation_id=req.correlation_id,
                actor_id=req.user_id,
                source=req.source,
                channel_id=req.channel_id,
                org_id=self._org_id,
                command=command,
                reason=reason,
                permission=permission,
                database=database,
                decision=decision,
                astra_request=astra_request or "; ".join(self.astra.recorded()) or None,
                outcome=outcome,
                duration_ms=int((self.clock() - started) * 1000) if started else None,
            )
        except StoreError as err:
            if required:
                raise StoreError(
                    "The bot could not write this command to its audit log, so nothing was "
                    "sent to Astra.",
                    hint=err.hint,
                ) from err
            log.warning("audit write failed: %s", err.user_message,
                        extra={"correlation_id": req.correlation_id})

    # ------------------------------------------------------------------ entry points

    def background(self, work: Coroutine[Any, Any, None], what: str = "request") -> None:
        """Run ``work`` after the ack, when the work slots allow (bot/work.py), counted for
        draining from now on (not from when it starts), its failure logged."""
        self._begin()

        def _done(error: BaseException | None) -> None:
            self._end()
            if error is not None and not isinstance(error, asyncio.CancelledError):
                log.error("%s failed", what, exc_info=error)

        self.slots.submit(work, _done)

    async def handle_command(self, req: Request, text: str, reply: Replier) -> None:
        """Run one command. Refused politely once the process is shutting down."""
        reply = RedactedReplier(reply, self.redactor)
        if self.closing:
            await reply.private(render.plain(RESTARTING))
            return
        async with self._request(req):
            await self._handle_command(req, text, reply)

    async def handle_action(
        self, req: Request, action_id: str, value: str, message_ts: str | None, reply: Replier
    ) -> None:
        """A button click. Every click is a new decision, for the person who clicks."""
        reply = RedactedReplier(reply, self.redactor)
        if self.closing:
            await reply.private(render.plain(RESTARTING))
            return
        async with self._request(req):
            await self._handle_action(req, action_id, value, message_ts, reply)

    @contextlib.asynccontextmanager
    async def _request(self, req: Request) -> AsyncIterator[None]:
        """One command or click: counted for draining, its Astra calls noted for the audit,
        its correlation id on every log line, the rules read once."""
        async with self._tracked():
            with self.astra.recording(), correlation(req.correlation_id), \
                    self._one_read_of_rules():
                yield

    @contextlib.asynccontextmanager
    async def _tracked(self) -> AsyncIterator[None]:
        self._begin()
        try:
            yield
        finally:
            self._end()

    def _begin(self) -> None:
        """One more command, click or queued work that drain() waits for."""
        self._inflight += 1
        self._idle.clear()

    def _end(self) -> None:
        self._inflight -= 1
        if self._inflight == 0:
            self._idle.set()

    async def warm(self) -> None:
        """Once at start-up, after the server listens: the store compiles and caches the
        statements every command runs (the rules), so that the first command does not
        pay for it while acks are waiting."""
        try:
            await self.rules()
        except BotError as err:
            log.warning("warm-up: %s", err.user_message)

    async def idle(self) -> None:
        """Until no command, click or other post-ack work is running or queued."""
        await self._idle.wait()

    async def drain(self, timeout_s: float) -> bool:
        """Stop taking new work and wait (bounded) for commands and clicks in flight."""
        self.closing = True
        try:
            await asyncio.wait_for(self._idle.wait(), timeout_s)
        except TimeoutError:
            log.warning("shutdown: %d commands still running after %.0fs", self._inflight,
                        timeout_s)
            return False
        return True

    async def _handle_command(self, req: Request, text: str, reply: Replier) -> None:
        started = self.clock()
        shown = "/astra " + _clipped(text.strip())
        # no name: the form, where there is one (a Slack modal, prompts in the shell)
        if text.split() == ["db", "create"] and await self._open_create_form(req, reply):
            await self._record(req, shown, "form", permission="db.create", started=started)
            return
        try:
            intent = parse(text)
        except UsageError as err:
            refused = await self._refused_before_usage(req, text)
            if refused is not None:  # a usage or a form is for those who may run it
                await self._deny(req, shown, refused, reply, started, None)
                return
            await reply.private(render.usage_error(err))
            await self._record(req, shown, "invalid", reason=err.user_message, started=started)
            return
        spec = intent.spec
        db: Database | None = None
        try:
            rules = await self.rules()
            actor = await self.actor(req.user_id, rules)
            decision, db, on = await self._decide_command(req, rules, actor, req.place, intent)
            if not decision.allowed:
                await self._deny(req, shown, decision, reply, started, on)
                return
            asks = decision.outcome in {"confirm", "approve"}
            if asks and spec.permission not in self.confirmed:
                raise BotError(f"`/astra {spec.name}` is not available in this version.")
            check = self.prechecks.get(spec.permission)
            if check is not None:
                await check(intent, db)
            if asks:
                await self._ask_confirmation(req, intent, decision, db, reply)
                await self._record(
                    req,
                    shown,
                    decision.outcome,
                    reason=decision.reason,
                    permission=spec.permission,
                    database=db.info.name if db else None,
                    started=started,
                    outcome="confirmation posted",
                )
                return
            handler = self.handlers.get(spec.permission)
            if handler is None:
                raise BotError(f"`/astra {spec.name}` is not available yet in this version.")
            if spec.mutating:
                await self._record(req, shown, "requested", permission=spec.permission,
                                   database=_db_name(intent, db), started=started,
                                   required=True)
            outcome = await handler(req, intent, reply, db)
            await self._record(
                req,
                shown,
                "allow",
                reason="; ".join(decision.granted_by),
                permission=spec.permission,
                database=_db_name(intent, db),
                outcome=outcome,
                started=started,
            )
        except BotError as err:
            if isinstance(err, AstraConflict) and db is not None and not err.exists:
                err = await self._explain_conflict(err, db)
            log.info(
                "command failed: %s",
                type(err).__name__,
                extra={"correlation_id": req.correlation_id},
            )
            await reply.private(render.error(err, req.correlation_id))
            await self._record(
                req,
                shown,
                "error",
                permission=spec.permission,
                reason=type(err).__name__,
                outcome=err.user_message,
                started=started,
                database=intent.target_db,
            )

    async def _refused_before_usage(self, req: Request, text: str) -> Decision | None:
        """The denial of a command the caller named but may not run (on any database)."""
        spec = command_named(text)
        if spec is None:
            return None
        rules = await self.rules()
        actor = await self.actor(req.user_id, rules)
        decision = decide(rules, actor, req.place, spec, None, db_known=False)
        return None if decision.allowed else decision

    async def _explain_conflict(self, err: AstraConflict, db: Database) -> AstraConflict:
        """409: say what state the database is in now (Astra's message does not)."""
        try:
            status = (await self.astra.get_database(db.id)).status
        except AstraError:
            return err
        name = db.info.name or db.id
        if status in {"PARKED", "HIBERNATED"}:
            # waiting does not wake it: a parked database is unparked, a hibernated one
            # resumes on its first data request
            how = (f"unpark it first (`/astra db unpark {name}`)" if status == "PARKED"
                   else "it resumes on its first data request")
            err.hint = f"`{name}` is {status}: {how}, then try again."
        else:
            err.hint = (f"`{name}` is {status} now; wait until it is ACTIVE, then try "
                        "again (`/astra watch` tells this channel when).")
        return err

    async def _deny(
        self,
        req: Request,
        shown: str,
        decision: Decision,
        reply: Replier,
        started: float,
        database: str | None,
    ) -> None:
        await reply.private(render.denied(
            decision.reason, guard=decision.capped_by, channel_id=req.channel_id))
        await self._record(
            req,
            shown,
            "deny",
            reason=decision.reason,
            permission=decision.permission,
            database=database,
            started=started,
        )

    async def _handle_action(
        self, req: Request, action_id: str, value: str, message_ts: str | None, reply: Replier
    ) -> None:
        started = self.clock()
        family = render.action_family(action_id)  # astra_run:2 and a bare astra_run alike
        try:
            if family == render.ACTION_RUN:
                # A button that stands for a command: run it as the person who clicked,
                # through the same parser, policy and confirmation as a typed command.
                await self._handle_command(req, value, reply)
            elif family == render.ACTION_PAGE:
                await self._handle_command(req, value, _Replacing(reply))
            elif family in {render.ACTION_CONFIRM, render.ACTION_CANCEL}:
                await self._confirmation_click(req, family, value, message_ts, reply, started)
            else:
                raise ConfirmationError("That button is not known to this bot.")
        except BotError as err:
            await reply.private(render.error(err, req.correlation_id))
            await self._record(
                req,
                f"click {family}",
                "error",
                reason=type(err).__name__,
                outcome=err.user_message,
                started=started,
            )

    # ------------------------------------------------------------------ databases by name

    async def resolve_db(self, ref: str) -> Database:
        """A database by id, or by name when that name is unique (DESIGN §2)."""
        dbs = await self.astra.list_databases()
        by_id = [d for d in dbs if d.id == ref]
        if by_id:
            return by_id[0]
        named = [d for d in dbs if (d.info.name or "") == ref]
        if len(named) == 1:
            return named[0]
        if len(named) > 1:
            raise Ambiguous(
                ref,
                [Candidate(d.id, d.info.name or "", d.status, d.info.region or "") for d in named],
            )
        try:
            return await self.astra.get_database(ref)
        except AstraNotFound:
            pass
        except AstraError as err:
            if err.status_code not in {400, 404}:
                raise
        names = list(dict.fromkeys(d.info.name for d in dbs if d.info.name))
        near = difflib.get_close_matches(ref, names, n=3, cutoff=0.6)
        raise NotFound(f"There is no database named or with id `{ref}`.",
                       hint=render.did_you_mean(near, "`/astra db list` shows the databases."))

    async def _decide_command(
        self, req: Request, rules: Rules, actor: Actor, place: Place, intent: Intent
    ) -> tuple[Decision, Database | None, str | None]:
        """The one decision of a command: the decision, the database it acts on, and the
        database name it was decided on. Every database the command names is decided on as
        resolved (its name, not what was typed), whatever the noun; a first decision before
        any Astra call turns away those who could not run it on any database."""
        spec = intent.spec
        target = intent.target_db
        known_name = target if spec.permission == "db.create" else None
        decision = decide(rules, actor, place, spec, known_name,
                          db_known=target is None or known_name is not None)
        if not decision.allowed or known_name is not None:
            return decision, None, target
        db: Database | None = None
        first: str | None = None
        for ref in intent.target_dbs:
            name, found = await self._resolve_target(req, intent, ref)
            if first is None:
                db, first = found, name
            decision = decide(rules, actor, place, spec, name)
            if not decision.allowed:
                return decision, db, name
        return decision, db, first

    async def _resolve_target(
        self, req: Request, intent: Intent, ref: str
    ) -> tuple[str, Database | None]:
        """The name a command's database is decided on, and the database where Astra has
        it. A watch is stopped on what the bot stored: it outlives its database."""
        if intent.permission == "watch.stop":
            for s in await self.store.subscriptions(req.channel_id):
                if ref in {s.database_id, s.database_name}:
                    return s.database_name, None
            raise NotFound(f"This channel does not watch `{ref}`.",
                           hint="`/astra watch list` shows what it watches.")
        db = await self.resolve_db(ref)
        return db.info.name or db.id, db

    @staticmethod
    def _need(db: Database | None) -> Database:
        if db is None:  # the command table guarantees a target for these handlers
            raise NotFound("This command needs a database.")
        return db

    # ------------------------------------------------------------------ confirmations

    async def _ask_confirmation(
        self,
        req: Request,
        intent: Intent,
        decision: Decision,
        db: Database | None,
        reply: Replier,
        *,
        summary: str | None = None,
        question: str | None = None,
        ok_label: str | None = None,
        danger: bool = True,
    ) -> None:
        """Post Confirm / Cancel in the channel; the command runs only from a click."""
        org = await self.org_id()
        conf = await self.store.create_confirmation(
            org_id=org,
            command=intent.canonical(),
            permission=intent.permission,
            requester_id=req.user_id,
            channel_id=req.channel_id,
            correlation_id=req.correlation_id,
            ttl=self.settings.confirm_ttl,
            needs_approval=decision.outcome == "approve",
            database_id=db.id if db else None,
            database_name=(db.info.name or db.id) if db else intent.target_db,
            thread_ts=req.thread_ts,
        )
        message = render.confirmation(
            conf_id=conf.id,
            command=intent.canonical(),
            summary=summary or _summary(intent, db),
            question=question,
            requester_id=req.user_id,
            expires_at=conf.expires_at,
            needs_approval=conf.needs_approval,
            ok_label=ok_label,
            danger=danger,
        )
        ts = await self.notifier.post(req.channel_id, message, thread_ts=req.thread_ts)
        if ts:
            await self.store.set_confirmation_message(conf.id, ts)

    async def _confirmation_click(
        self,
        req: Request,
        action_id: str,
        conf_id: str,
        message_ts: str | None,
        reply: Replier,
        started: float,
    ) -> None:
        conf = await self.store.get_confirmation(conf_id)
        if conf is None:
            raise ConfirmationError("This confirmation is not known (it may have been removed).")
        label = f"click {'confirm' if action_id == render.ACTION_CONFIRM else 'cancel'}"
        shown = f"{label}: {conf.command}"
        ts = conf.message_ts or message_ts
        if conf.state != "pending":
            by = md(" by {}", user(conf.decided_by)) if conf.decided_by else ""
            raise ConfirmationError(md("This request was already {}{}.", conf.state, by))
        if conf.expires_at <= self.clock():
            if await self.store.expire_confirmation(conf.id):
                await self._update_conf_message(
                    conf.channel_id, ts, conf.command, "expired", req.user_id, conf.requester_id
                )
            await self._record(
                req,
                shown,
                "expired",
                permission=conf.permission,
                database=conf.database_name,
                started=started,
            )
            raise ConfirmationError("This confirmation has expired; run the command again.")
        intent = parse(conf.command)
        rules = await self.rules()
        actor = await self.actor(req.user_id, rules)
        decision = decide(rules, actor, req.place, intent.spec, conf.database_name)
        if action_id == render.ACTION_CANCEL:
            if req.user_id != conf.requester_id and not decision.allowed:
                await self._deny(req, shown, decision, reply, started, conf.database_name)
                return
            if await self.store.decide_confirmation(conf.id, "cancelled", req.user_id):
                await self._update_conf_message(
                    conf.channel_id, ts, conf.command, "cancelled", req.user_id, conf.requester_id
                )
                await self._record(
                    req,
                    shown,
                    "cancel",
                    permission=conf.permission,
                    database=conf.database_name,
                    started=started,
                    outcome="cancelled",
                )
            else:
                raise ConfirmationError("This request was already decided.")
            return
        if not decision.allowed:
            await self._deny(req, shown, decision, reply, started, conf.database_name)
            return
        # Protected when asked, or protected since: either way a second person decides.
        needs_second = conf.needs_approval or decision.outcome == "approve"
        if needs_second and req.user_id == conf.requester_id:
            msg = "you cannot approve your own request: another person with the right must."
            await reply.private(render.denied(
                msg, what_next="Ask someone else who may run it to approve it."))
            await self._record(
                req,
                shown,
                "deny",
                reason="self-approval refused",
                permission=conf.permission,
                database=conf.database_name,
                started=started,
            )
            return
        if not await self.store.decide_confirmation(conf.id, "confirmed", req.user_id):
            fresh = await self.store.get_confirmation(conf.id)
            state = fresh.state if fresh else "decided"
            raise ConfirmationError(f"This request was already {state}.")
        await self._update_conf_message(
            conf.channel_id, ts, conf.command, "confirmed", req.user_id, conf.requester_id
        )
        runner = self.confirmed[intent.permission]
        run_req = Request(
            user_id=conf.requester_id,
            channel_id=conf.channel_id,
            thread_ts=conf.thread_ts,
            source="click",
            correlation_id=req.correlation_id,
        )
        try:
            await self._record(req, shown, "requested", permission=conf.permission,
                               database=conf.database_name, started=started, required=True)
            outcome = await runner(run_req, intent, ts)
        except BotError as err:
            await self.notifier.post(
                conf.channel_id, render.error(err, req.correlation_id), thread_ts=conf.thread_ts
            )
            await self._record(
                req,
                shown,
                "error",
                permission=conf.permission,
                database=conf.database_name,
                outcome=err.user_message,
                started=started,
                reason=type(err).__name__,
            )
            return
        await self._record(
            req,
            shown,
            "allow",
            reason="; ".join(decision.granted_by),
            permission=conf.permission,
            database=conf.database_name,
            outcome=outcome,
            started=started,
        )

    async def _update_conf_message(
        self, channel: str, ts: str | None, command: str, state: str, by: str, requester: str
    ) -> None:
        if not ts:
            return
        msg = render.confirmation_decided(
            command=command, state=state, by=by, at=self.clock(), requester_id=requester
        )
        try:
            await self.notifier.update(channel, ts, msg)
        except BotError:
            log.warning("could not update the confirmation message")

    # ------------------------------------------------------------------ long operations

    def _timeout_for(self, kind: str) -> float:
        return {
            "create": self.settings.create_timeout,
            "terminate": self.settings.delete_timeout,
        }.get(kind, self.settings.op_timeout)

    async def _start_operation(
        self,
        req: Request,
        permission: str,
        db: Database,
        *,
        message_ts: str | None = None,
        status: str | None = None,
        detail: dict[str, Any] | None = None,
        reply: Replier | None = None,
    ) -> str:
        """Record an operation Astra accepted, then show its progress message."""
        op = await self._follow(req, permission, db, message_ts=message_ts, status=status,
                                detail=detail, reply=reply)
        return f"operation {op.id} ({op.kind}) started"

    async def _follow(
        self,
        req: Request,
        permission: str,
        db: Database,
        *,
        message_ts: str | None,
        status: str | None,
        detail: dict[str, Any] | None,
        reply: Replier | None,
        state: str = "pending",
    ) -> Operation:
        """The operation row the watcher follows, then its progress message."""
        kind, target = TARGETS[permission]
        # The operation row comes first: once Astra accepted the change, the watcher must
        # follow it even if Slack refuses the progress message.
        op = await self.store.add_operation(
            org_id=await self.org_id(),
            kind=kind,
            database_id=db.id,
            database_name=db.info.name or db.id,
            target_status=target,
            channel_id=req.channel_id,
            requester_id=req.user_id,
            correlation_id=req.correlation_id,
            timeout_s=self._timeout_for(kind),
            first_check_in=self.first_check_s,
            thread_ts=req.thread_ts,
            message_ts=message_ts,
            last_status=status,
            detail=detail,
            state=state,
        )
        await self._show_progress(req, op, status=status, reply=reply)
        return op

    async def _show_progress(
        self, req: Request, op: Operation, *, status: str | None, reply: Replier | None
    ) -> None:
        view = render.OpView(
            kind=op.kind,
            database_name=op.database_name,
            database_id=op.database_id,
            status=status,
            target_status=op.target_status,
            requester_id=op.requester_id,
            started_at=op.created_at,
            detail=json.loads(op.detail or "{}"),
        )
        msg = render.progress(view, self.clock())
        try:
            if op.message_ts:
                await self.notifier.update(op.channel_id, op.message_ts, msg)
            else:
                ts = await self.notifier.post(op.channel_id, msg, thread_ts=op.thread_ts)
                if ts:
                    op.message_ts = ts
                    await self.store.set_operation_message(op.id, ts)
        except BotError as err:
            log.warning("progress message not posted: %s", err.user_message,
                        extra={"correlation_id": req.correlation_id})
            if reply is not None:
                verb = render.OP_VERBS.get(op.kind, op.kind)
                await reply.private(render.error(BotError(
                    f"{verb} {op.database_name} has started, but I could not post in this "
                    f"channel: {err.user_message}", hint=err.hint), req.correlation_id))

    # ------------------------------------------------------------------ handlers: db

    async def _help(self, req: Request, intent: Intent, reply: Replier, db: Database | None) -> str:
        from bot.policy import visible_commands

        topic = intent.opt("topic")
        specs = specs_for_topic(topic)
        rules = await self.rules()
        actor = await self.actor(req.user_id, rules)
        allowed = {c.permission for c in visible_commands(rules, actor, req.place)}
        mine = [c for c in specs if c.permission in allowed]
        roles = _roles_line(rules, actor, req.place)
        await reply.private(render.help_message(mine, topic=topic, roles=roles))
        return f"help ({render.count(len(mine), 'command')})"

    async def _db_list(
        self, req: Request, intent: Intent, reply: Replier, db: Database | None
    ) -> str:
        include = "all" if intent.switch("all") else "nonterminated"
        cloud = intent.opt("cloud")
        dbs = await self.astra.list_databases(
            include=include, provider=cloud.upper() if cloud else None
        )
        status = (intent.opt("status") or "").upper()
        glob = intent.opt("name")
        views = [db_view(d) for d in dbs]
        if status:
            views = [v for v in views if v.status == status]
        if glob:
            views = [v for v in views if fnmatchcase(v.name, glob)]
        views.sort(key=lambda v: (v.name.lower(), v.id))
        filters = ", ".join(
            f
            for f in (
                status and f"status {status}",
                cloud and f"cloud {cloud}",
                glob and f"name `{glob}`",
            )
            if f
        )
        page, pages = intent.opt_num("page") or 1, render.page_count(len(views))
        if page > pages:  # the parser knows pages start at 1; only the list knows the last
            raise UsageError(
                f"`--page {page}`: there {'is 1 page' if pages == 1 else f'are {pages} pages'}"
                f" of databases (1–{pages}).", usage=intent.spec.usage)
        base = Intent(intent.spec, {k: v for k, v in intent.args.items() if k != "page"})
        await reply.private(render.db_list(views, filters=filters, page=page,
                                           command=base.canonical().removeprefix("/astra ")))
        return f"listed {render.count(len(views), 'database')}"

    async def _db_get(
        self, req: Request, intent: Intent, reply: Replier, db: Database | None
    ) -> str:
        db = self._need(db)  # resolving it read it already (list or get): no second call
        actions = await self.actions_for(req, db)
        await reply.private(render.db_detail(db_view(db), actions))
        return f"shown {db.id}"

    async def _db_status(
        self, req: Request, intent: Intent, reply: Replier, db: Database | None
    ) -> str:
        db = self._need(db)  # resolving it read it already (list or get): no second call
        await reply.private(render.db_status(db_view(db)))
        return f"{db.id} is {db.status}"

    # ------------------------------------------------------------------ App Home

    async def in_progress(self, *, limit: int = 200) -> list[render.OpView]:
        """The operations not finished yet, oldest first."""
        return [
            render.OpView(kind=o.kind, database_name=o.database_name,
                          database_id=o.database_id, status=o.last_status,
                          target_status=o.target_status, requester_id=o.requester_id,
                          started_at=o.created_at, detail=json.loads(o.detail or "{}"))
            for o in await self.store.pending_operations(limit=limit)
        ]

    async def home(self, user_id: str) -> dict[str, Any]:
        """The Home tab of one user: rights, databases (if they may list them), operations
        in progress, watches. Home is not a channel: no guard applies, and no channel's
        binding. Each item is shown only if the policy lets this user run the command that
        would show it: `db status` of an operation's database, `watch` of a watched one
        (`watch all` for a watch of every database)."""
        from bot.policy import visible_commands

        rules = await self.rules()
        actor = await self.actor(user_id, rules)
        place = Place(channel_id="", is_dm=True)
        allowed = [c.name for c in visible_commands(rules, actor, place) if not c.open_to_all]
        dbs: list[DbView] | None = None
        note = ""
        if decide(rules, actor, place, SPECS["db.list"]).allowed:
            try:
                dbs = sorted((db_view(d) for d in await self.astra.list_databases()),
                             key=lambda v: v.name.lower())
            except AstraError as err:
                note = err.user_message
        else:
            note = "You may not list databases (needs role viewer)."
        def may(permission: str, name: str | None) -> bool:
            return decide(rules, actor, place, SPECS[permission], name).allowed

        ops = [o for o in await self.in_progress() if may("db.status", o.database_name)][:15]
        watches = [(w.channel_id, w.database_name) for w in await self.store.subscriptions()
                   if may("watch", None if w.database_id == "*" else w.database_name)]
        view = render.home_view(roles=_roles_line(rules, actor, place), allowed=allowed,
                                dbs=dbs, operations=ops, watches=watches, now=self.clock(),
                                note=note)
        redacted: dict[str, Any] = self.redactor.data(view)  # a page Slack shows, like a post
        return redacted

    # ------------------------------------------------------------------ the create form

    async def _open_create_form(self, req: Request, reply: Replier) -> bool:
        rules = await self.rules()
        actor = await self.actor(req.user_id, rules)
        decision = decide(rules, actor, req.place, SPECS["db.create"], None, db_known=False)
        if not decision.allowed:
            return False  # the usage error / denial path answers
        return await reply.open_form(await self.create_form(req))

    async def create_form(self, req: Request, values: dict[str, str] | None = None) -> Form:
        """The `db create` form; the region choices follow the chosen cloud."""
        values = values or {}
        cloud = (values.get("cloud") or self.settings.default_cloud).lower()
        regions = await self._regions(cloud)
        region = values.get("region")
        if region not in regions:
            region = default_region(cloud, self.settings, regions) if regions else None
        return Form(
            callback_id=render.FORM_CREATE,
            title="Create a database",
            submit="Create",
            context=f"{req.channel_id}",
            fields=(
                FormField("name", "Name", initial=values.get("name"),
                          hint="Letters, digits, - and _; up to 50."),
                FormField("cloud", "Cloud", "select",
                          tuple((c, c.upper()) for c in ("gcp", "aws", "azure")),
                          initial=cloud, redraws=True),
                FormField("region", "Region", "select", tuple((r, r) for r in regions),
                          initial=region),
                FormField("keyspace", "Keyspace",
                          initial=values.get("keyspace") or "default_keyspace"),
                FormField("vector", "Type", "select",
                          (("vector", "Vector database"), ("non-vector", "Non-vector")),
                          initial=values.get("vector") or "vector"),
                FormField("capacity_units", "Capacity units", optional=True,
                          initial=values.get("capacity_units") or "1"),
            ),
        )

    async def form_errors(self, callback_id: str, values: dict[str, str]) -> dict[str, str]:
        """Errors to show on the form's fields (empty: it may be submitted)."""
        if callback_id != render.FORM_CREATE:
            return {"name": "This form is not known to this bot."}
        errors: dict[str, str] = {}
        for name in ("name", "keyspace", "capacity_units"):
            raw = (values.get(name) or "").strip()
            if not raw:
                if name == "name":
                    errors[name] = "A name is needed."
                continue
            problem = check_value("db.create", name, raw)
            if problem:
                errors[name] = problem
        cloud = (values.get("cloud") or self.settings.default_cloud).lower()
        if values.get("region") not in await self._regions(cloud):
            errors["region"] = f"Pick a region of {cloud}."
        return errors

    async def submit_form(
        self, req: Request, callback_id: str, values: dict[str, str], reply: Replier
    ) -> None:
        """A submitted form runs as the command it stands for: same parser, policy, checks."""
        if callback_id != render.FORM_CREATE:
            raise ConfirmationError("This form is not known to this bot.")
        parts = ["db", "create", values.get("name", "").strip(),
                 "--cloud", values.get("cloud") or self.settings.default_cloud,
                 "--region", values.get("region") or self.settings.default_region,
                 "--keyspace", values.get("keyspace", "").strip() or "default_keyspace",
                 "--capacity-units", values.get("capacity_units", "").strip() or "1",
                 "--non-vector" if values.get("vector") == "non-vector" else "--vector"]
        await self.handle_command(req, shlex.join(parts), reply)

    async def actions_for(self, req: Request, db: Database) -> list[tuple[str, str, bool]]:
        """The buttons worth showing on a database: only what this person may run here."""
        rules = await self.rules()
        actor = await self.actor(req.user_id, rules)
        name = db.info.name or db.id
        classic = db.is_classic
        wanted: list[tuple[str, str, bool]] = [("Watch", f"watch {db.id}", False)]
        if db.status == "ACTIVE":
            wanted.append(("Download bundle", f"scb {db.id}", False))
        wanted.append(("Keyspaces", f"keyspace list {db.id}", False))
        if classic and db.status == "ACTIVE":
            wanted.append(("Park", f"db park {db.id}", False))
        if classic and db.status == "PARKED":
            wanted.append(("Unpark", f"db unpark {db.id}", False))
        if db.status not in {"TERMINATING", "TERMINATED"}:
            wanted.append(("Delete", f"db delete {db.id}", True))
        allowed = []
        for label, command, danger in wanted:
            spec = parse(command).spec
            if decide(rules, actor, req.place, spec, name).allowed:
                allowed.append((label, command, danger))
        return allowed

    async def _regions(self, cloud: str) -> list[str]:
        """Region names the org may use for new databases on ``cloud`` (cached 10 min)."""
        now = self.clock()
        if self._regions_cache is None or now - self._regions_cache[0] > 600:
            regions = await self.astra.list_serverless_regions()
            self._regions_cache = (now, [(r.cloud_provider or "", r.name) for r in regions])
        return sorted({name for c, name in self._regions_cache[1] if c.upper() == cloud.upper()})

    async def _db_create(
        self, req: Request, intent: Intent, reply: Replier, db: Database | None
    ) -> str:
        return await self._create(req, intent, reply, None)

    async def _db_create_confirmed(self, req: Request, intent: Intent, ts: str | None) -> str:
        return await self._create(req, intent, None, ts)

    async def _create(
        self, req: Request, intent: Intent, reply: Replier | None, message_ts: str | None
    ) -> str:
        name = intent.arg("name")
        vector = intent.switch("vector")
        tier = intent.opt("tier") or "serverless"
        if is_classic_tier(tier):
            if vector is True:
                raise UsageError(f"Vector databases are serverless: tier `{tier}` is classic.",
                                 hint="Drop `--vector`, or drop `--tier`.",
                                 usage=intent.spec.usage)
            vector = False  # `dbType: vector` is for serverless databases (official spec)
        cloud = intent.opt("cloud") or self.settings.default_cloud
        known = await self._regions(cloud)
        region = intent.opt("region") or default_region(cloud, self.settings, known)
        if known and region not in known:
            near = difflib.get_close_matches(region, known, n=3, cutoff=0.5)
            raise UsageError(
                f"`{region}` is not a region for new {cloud} databases in this organization.",
                suggestions=[f"--region {n}" for n in near],
                hint=f"`/astra region available --cloud {cloud}` lists them.",
                usage=intent.spec.usage,
            )
        org = await self.org_id()
        if not intent.switch("allow_duplicate_name"):
            twin = await self._existing_named(org, name)
            if twin is not None and reply is not None:
                # The confirmation stores the command as typed: its click is the consent
                # (a confirmed create asks nothing again), so the channel never reads a
                # flag nobody typed.
                decision = Decision("confirm", "duplicate name", intent.permission)
                summary, question = render.create_another(name, twin)
                await self._ask_confirmation(
                    req, intent, decision, None, reply, summary=summary, question=question,
                    ok_label="Create another", danger=False)
                return f"duplicate name {name}: confirmation posted"
        spec = CreateDatabase(
            name=name,
            cloud_provider=cloud.upper(),
            region=region,
            tier=tier,
            capacity_units=intent.opt_num("capacity_units") or 1,
            keyspace=intent.opt("keyspace") or "default_keyspace",
            db_type=None if vector is False else "vector",
        )
        detail: dict[str, Any] = {"region": region, "cloud": cloud, "keyspace": spec.keyspace}
        # Written before the call: a crash or an ambiguous answer leaves a row that the
        # watcher reconciles by name and creation time, instead of a forgotten database.
        op = await self.store.add_operation(
            org_id=org, kind="create", database_id="", database_name=name,
            target_status="ACTIVE", channel_id=req.channel_id, requester_id=req.user_id,
            correlation_id=req.correlation_id, timeout_s=self._timeout_for("create"),
            first_check_in=RECONCILE_AFTER_S, thread_ts=req.thread_ts,
            message_ts=message_ts, detail=detail, state="sending",
        )
        try:
            # Sent once, never retried: names are not unique and a create is not idempotent.
            db_id = await self.astra.create_database(spec)
        except (AstraUnavailable, AstraServerError) as err:
            # Astra may or may not have created it: the watcher will look for it.
            await self.store.reschedule_operation(op.id, self.clock() + self.first_check_s)
            outcome = BotError(
                f"Astra did not answer clearly whether `{name}` was created "
                f"({err.user_message})",
                hint="I am looking for it and will tell this channel what I find; don't "
                "run the command again yet.")
            if reply is not None:
                await reply.private(render.error(outcome, req.correlation_id))
            return f"create {name}: outcome unknown, reconciling"
        except BotError:
            await self.store.drop_operation(op.id)
            raise
        await self.store.operation_sent(op.id, db_id, status="PENDING",
                                        next_check_at=self.clock() + self.first_check_s)
        op.database_id, op.state, op.last_status = db_id, "pending", "PENDING"
        await self._show_progress(req, op, status="PENDING", reply=reply)
        return f"operation {op.id} (create {db_id}) started"

    async def _existing_named(self, org: str, name: str) -> render.Twin | None:
        """A database (or a create in flight) with this name."""
        for op in await self.store.operations_named(org, name, "create"):
            return render.Twin(db_id=op.database_id or None, creating_by=op.requester_id)
        for d in await self.astra.list_databases():
            if d.info.name == name:
                return render.Twin(db_id=d.id, status=d.status)
        return None

    @staticmethod
    def _terminable(db: Database) -> None:
        """Astra terminates a database once, and only once its extra regions are gone
        (terraform-provider-astra#182)."""
        name = db.info.name or db.id
        if db.status in {"TERMINATING", "TERMINATED"}:
            raise UsageError(f"`{name}` is already {db.status}.")
        live_dcs = [dc for dc in db.info.datacenters if dc.status not in {"TERMINATED"}]
        if len(live_dcs) > 1:
            others = ", ".join(f"`{dc.region}`" for dc in live_dcs[1:])
            raise UsageError(
                f"`{name}` has {len(live_dcs)} regions; Astra terminates a database only "
                "once its extra regions are removed.",
                hint=f"Remove {others} first: `/astra region remove {name} <region>`.")

    async def _precheck_delete(self, intent: Intent, db: Database | None) -> None:
        self._terminable(self._need(db))

    async def _db_delete_confirmed(self, req: Request, intent: Intent, ts: str | None) -> str:
        db = await self.resolve_db(intent.arg("db"))
        self._terminable(db)
        try:
            await self.astra.terminate_database(db.id)
        except AstraConflict:
            current = (await self.astra.get_database(db.id)).status
            if current not in WAIT_THEN_RETRY:
                raise
            # Terraform's way: a terminate refused while MAINTENANCE is retried once the
            # database is ACTIVE again; the watcher does that.
            await self._follow(req, "db.delete", db, message_ts=ts, status=current,
                               detail={"retry": "terminate"}, reply=None, state="sending")
            return f"terminate {db.id} waits for {current} to end"
        return await self._start_operation(
            req, "db.delete", db, message_ts=ts, status="TERMINATING"
        )

    async def _db_park_confirmed(self, req: Request, intent: Intent, ts: str | None) -> str:
        db = await self.resolve_db(intent.arg("db"))
        await self.astra.park_database(db.id)
        return await self._start_operation(
            req, "db.park", db, message_ts=ts, status="PARKING"
        )

    async def _db_unpark(
        self, req: Request, intent: Intent, reply: Replier, db: Database | None
    ) -> str:
        db = self._need(db)
        await self.astra.unpark_database(db.id)
        return await self._start_operation(
            req,
            "db.unpark",
            db,
            status="UNPARKING",
            reply=reply,
        )

    async def _db_resize(
        self, req: Request, intent: Intent, reply: Replier, db: Database | None
    ) -> str:
        db = self._need(db)
        units = intent.num("units")
        await self.astra.resize_database(db.id, units)
        return await self._start_operation(
            req,
            "db.resize",
            db,
            status="RESIZING",
            detail={"units": units},
            reply=reply,
        )

    # ------------------------------------------------------------------ keyspaces / regions

    async def _keyspace_list(
        self, req: Request, intent: Intent, reply: Replier, db: Database | None
    ) -> str:
        view = db_view(self._need(db))
        await reply.private(
            render.bullet_list(f"Keyspaces of {view.name}", [f"`{k}`" for k in view.keyspaces])
        )
        return render.count(len(view.keyspaces), "keyspace")

    async def _precheck_keyspace_create(self, intent: Intent, db: Database | None) -> None:
        db, ks = self._need(db), intent.arg("keyspace")
        if ks in db.keyspaces:
            raise UsageError(f"`{db.info.name or db.id}` already has a keyspace `{ks}`.")

    @staticmethod
    def _has_keyspace(db: Database, ks: str) -> None:
        if ks not in db.keyspaces:
            listed = ", ".join(f"`{k}`" for k in db.keyspaces) or "none"
            raise NotFound(f"`{db.info.name or db.id}` has no keyspace `{ks}`.",
                           hint=f"Its keyspaces: {listed}.")

    async def _precheck_keyspace_delete(self, intent: Intent, db: Database | None) -> None:
        self._has_keyspace(self._need(db), intent.arg("keyspace"))

    async def _keyspace_create(
        self, req: Request, intent: Intent, reply: Replier, db: Database | None
    ) -> str:
        db = self._need(db)
        ks = intent.arg("keyspace")
        await self.astra.create_keyspace(db.id, ks)
        return await self._start_operation(
            req,
            "keyspace.create",
            db,
            status="MAINTENANCE",
            detail={"keyspace": ks},
            reply=reply,
        )

    async def _keyspace_delete_confirmed(self, req: Request, intent: Intent, ts: str | None) -> str:
        db = await self.resolve_db(intent.arg("db"))
        ks = intent.arg("keyspace")
        self._has_keyspace(db, ks)
        await self.astra.delete_keyspace(db.id, ks)
        return await self._start_operation(
            req,
            "keyspace.delete",
            db,
            message_ts=ts,
            status="MAINTENANCE",
            detail={"keyspace": ks},
        )

    async def _region_list(
        self, req: Request, intent: Intent, reply: Replier, db: Database | None
    ) -> str:
        db = self._need(db)
        dcs = await self.astra.list_datacenters(db.id)
        lines = [
            f"`{dc.region}` ({(dc.cloud_provider or '').lower()}, {dc.tier or '—'}) "
            f"{dc.status or ''} · dc `{dc.id}`"
            for dc in dcs
        ]
        await reply.private(render.bullet_list(f"Regions of {db.info.name}", lines))
        return render.count(len(dcs), "region")

    async def _precheck_region_add(self, intent: Intent, db: Database | None) -> None:
        db, region = self._need(db), intent.arg("region")
        if any(dc.region == region and dc.status != "TERMINATED" for dc in db.info.datacenters):
            raise UsageError(f"`{db.info.name or db.id}` is already in `{region}`.",
                             hint=f"`/astra region list {db.info.name or db.id}` shows its "
                             "regions.")

    async def _datacenter_in(self, db: Database, region: str) -> Datacenter:
        """The datacenter of ``db`` in ``region`` (as Astra lists them now), or NotFound."""
        dcs = [dc for dc in await self.astra.list_datacenters(db.id)
               if dc.status != "TERMINATED"]
        match = [dc for dc in dcs if dc.region == region]
        if not match:
            raise NotFound(
                f"`{db.info.name or db.id}` has no region `{region}`.",
                hint=f"Its regions: {', '.join(f'`{dc.region}`' for dc in dcs) or 'none'}.",
            )
        return match[0]

    async def _precheck_region_remove(self, intent: Intent, db: Database | None) -> None:
        await self._datacenter_in(self._need(db), intent.arg("region"))

    async def _region_add(
        self, req: Request, intent: Intent, reply: Replier, db: Database | None
    ) -> str:
        db = self._need(db)
        region = intent.arg("region")
        cloud = intent.opt("cloud") or (db.info.cloud_provider or self.settings.default_cloud)
        await self.astra.add_datacenter(
            db.id, cloud.upper(), region, tier=intent.opt("tier") or (db.info.tier or "serverless")
        )
        return await self._start_operation(
            req,
            "region.add",
            db,
            status="MAINTENANCE",
            detail={"region": region},
            reply=reply,
        )

    async def _region_remove_confirmed(self, req: Request, intent: Intent, ts: str | None) -> str:
        db = await self.resolve_db(intent.arg("db"))
        region = intent.arg("region")
        dc = await self._datacenter_in(db, region)
        await self.astra.terminate_datacenter(db.id, dc.id)
        return await self._start_operation(
            req,
            "region.remove",
            db,
            message_ts=ts,
            status="MAINTENANCE",
            detail={"region": region},
        )

    async def _region_available(
        self, req: Request, intent: Intent, reply: Replier, db: Database | None
    ) -> str:
        cloud = (intent.opt("cloud") or "").upper()
        tier = intent.opt("tier") or "serverless"
        if tier == "serverless":
            # region-type=all lists a region once per type (serverless, vector): once here
            regions = await self.astra.list_serverless_regions()
            once = {((r.cloud_provider or "").lower(), r.name): r.display_name or ""
                    for r in regions if not cloud or (r.cloud_provider or "").upper() == cloud}
            lines = sorted(f"`{name}` ({c}) {shown}" for (c, name), shown in once.items())
            title = "Regions for new serverless databases"
        else:
            # Classic tiers: /v2/availableRegions, with this org's quotas per combination.
            combos = await self.astra.list_available_regions()
            lines = sorted(
                f"`{c.region}` ({c.cloud_provider.lower()}, {c.tier}) · databases "
                f"{c.database_count_used or 0}/{c.database_count_limit or '∞'} · capacity "
                f"units {c.capacity_units_used or 0}/{c.capacity_units_limit or '∞'}"
                for c in combos
                if c.tier.lower() == tier.lower()
                and (not cloud or c.cloud_provider.upper() == cloud)
            )
            title = f"Regions for new {tier} databases"
        await reply.private(render.bullet_list(title, lines,
                                               empty="None available to this organization."))
        return render.count(len(lines), "region")

    async def _access_list_devops(
        self, req: Request, intent: Intent, reply: Replier, db: Database | None
    ) -> str:
        data = await self.astra.get_devops_access_list(await self.org_id())
        addresses = data.get("addresses") or []
        lines = [
            f"`{a.get('address')}` {'enabled' if a.get('enabled', True) else 'disabled'}"
            + (f" — {a.get('description')}" if a.get("description") else "")
            for a in addresses if isinstance(a, dict)
        ]
        await reply.private(render.bullet_list(
            "DevOps API access list", lines,
            empty="No addresses: the DevOps API accepts this organization's tokens from anywhere."))
        return render.count(len(lines), "devops address", "devops addresses")

    # ------------------------------------------------------------------ classic-only limits

    async def _precheck_classic(self, intent: Intent, db: Database | None) -> None:
        """Park, unpark and resize are classic-database operations (Go client spec);
        explain the API's limits before anything is sent or confirmed."""
        db = self._need(db)
        name = db.info.name or db.id
        verb = intent.spec.verb[0]
        if not db.is_classic:
            raise UsageError(
                f"`{name}` is a serverless database: `{verb}` is for classic databases only.",
                hint="Serverless databases scale on their own and hibernate when idle.")
        if verb == "park" and db.status != "ACTIVE":
            raise UsageError(f"`{name}` is {db.status}: only an ACTIVE database can be parked.")
        if verb == "unpark" and db.status != "PARKED":
            raise UsageError(f"`{name}` is {db.status}, not PARKED: nothing to unpark.")
        if verb == "resize":
            units, current = intent.num("units"), db.info.capacity_units or 1  # 1–100: parsed
            if units < current:
                raise UsageError(f"`{name}` has {current} capacity units; Astra cannot shrink "
                                 "a database.")
            if units == current:
                raise UsageError(f"`{name}` already has {current} capacity units.")
            if units > current + 3:
                raise UsageError(
                    f"Astra adds at most 3 capacity units per resize: `{name}` can go from "
                    f"{current} to {current + 3} now.",
                    hint="Resize again once it is ACTIVE.")

    async def _org_show(
        self, req: Request, intent: Intent, reply: Replier, db: Database | None
    ) -> str:
        org = await self.astra.current_org()
        await reply.private(
            render.key_values("Organization", [("Name", org.name or "—"), ("Id", f"`{org.id}`")])
        )
        return "org shown"

    # ------------------------------------------------------------------ watch

    async def _watch(
        self, req: Request, intent: Intent, reply: Replier, db: Database | None
    ) -> str:
        org = await self.org_id()
        seen: dict[str, str] = {}
        if db is None:  # `watch all`: the command table allows no other database-less form
            db_id, name = "*", "all databases"
        else:  # resolved and decided on by the dispatcher
            db_id, name = db.id, db.info.name or db.id
            seen = {db.id: db.status}  # what the channel knows now is no news later
        added = await self.store.subscribe(
            org_id=org,
            channel_id=req.channel_id,
            database_id=db_id,
            database_name=name,
            by=req.user_id,
            statuses=seen,
        )
        text = (
            md(":eyes: {} is watching *{}*: this channel will be told of every status change.",
               user(req.user_id), name)
            if added
            else md("This channel already watches *{}*.", name)
        )
        if added:
            await self.notifier.post(req.channel_id, render.plain(text), thread_ts=req.thread_ts)
        else:
            await reply.private(render.plain(text))
        return f"watch {name}"

    async def _watch_list(
        self, req: Request, intent: Intent, reply: Replier, db: Database | None
    ) -> str:
        subs = await self.store.subscriptions(req.channel_id)
        lines = [
            f"*{s.database_name}*" + (f" `{s.database_id}`" if s.database_id != "*" else "")
            for s in subs
        ]
        await reply.private(render.bullet_list("Watched in this channel", lines))
        return render.count(len(subs), "watch", "watches")

    async def _watch_stop(
        self, req: Request, intent: Intent, reply: Replier, db: Database | None
    ) -> str:
        ref = intent.arg("db")
        subs = await self.store.subscriptions(req.channel_id)
        match = [
            s
            for s in subs
            if ref in {s.database_id, s.database_name} or (ref == "all" and s.database_id == "*")
        ]
        if not match:
            raise NotFound(
                f"This channel does not watch `{ref}`.",
                hint="`/astra watch list` shows what it watches.",
            )
        for s in match:
            await self.store.unsubscribe(req.channel_id, s.database_id)
        await reply.private(render.plain(f"Stopped watching *{match[0].database_name}* here."))
        return f"unwatch {ref}"

    # ------------------------------------------------------------------ perm

    def _check_role(self, rules: Rules, role: str) -> None:
        if not rules.role_exists(role):
            known = ["viewer", "operator", "admin", *rules.custom_roles]
            near = difflib.get_close_matches(role, known, n=2, cutoff=0.5)
            raise UsageError(
                f"There is no role `{role}` (roles: {', '.join(known)}).", suggestions=near
            )

    async def _perm_grant(
        self, req: Request, intent: Intent, reply: Replier, db: Database | None
    ) -> str:
        subj = intent.subject("subject")
        role = intent.arg("role").lower()
        rules = await self.rules()
        self._check_role(rules, role)
        glob = intent.opt("db")
        added = await self.store.grant(subj.type, subj.id, role, glob, req.user_id)
        scope = md(" on databases matching `{}`", glob) if glob else ""
        text = (
            md(":key: {} granted *{}*{} to {}.", user(req.user_id), role, scope, subj.mention())
            if added
            else md("{} already has *{}*{}.", subj.mention(), role, scope)
        )
        await reply.private(render.plain(text))
        return text

    def admin_source(self, user_id: str) -> str:
        """Why a user is an admin outside the bindings: the setting, or the program."""
        if user_id in self.settings.admins:
            return "ASTRA_BOT_ADMINS"
        return self.extra_admins.get(user_id, "ASTRA_BOT_ADMINS")

    async def _perm_revoke(
        self, req: Request, intent: Intent, reply: Replier, db: Database | None
    ) -> str:
        subj = intent.subject("subject")
        role = intent.arg("role").lower()
        n = await self.store.revoke(subj.type, subj.id, role, intent.opt("db"))
        text = (
            md("Revoked *{}* from {}.", role, subj.mention())
            if n
            else md("{} had no *{}* binding.", subj.mention(), role)
        )
        await reply.private(render.plain(text))
        return text

    async def _perm_list(
        self, req: Request, intent: Intent, reply: Replier, db: Database | None
    ) -> str:
        rules = await self.rules()
        lines: list[str] = [md("{} → admin ({})", user(a), self.admin_source(a))
                            for a in sorted(rules.admins)]
        lines += [b.describe() for b in rules.bindings]
        lines += [md("guard {} → {}", channel(c), r) for c, r in sorted(rules.guards.items())]
        lines += [md("protected `{}` (two-person rule)", g) for g in rules.protected]
        lines += [
            md("custom role *{}*: {}", n, " ".join(sorted(p)))
            for n, p in sorted(rules.custom_roles.items())
        ]
        if self.directory is not None and getattr(self.directory, "unavailable", False):
            lines.append(
                ":warning: usergroup membership cannot be read (usergroups:read "
                "missing or not allowed on this plan): usergroup bindings are ignored."
            )
        await reply.private(render.bullet_list("Permissions", lines))
        return render.count(len(lines), "entry", "entries")

    async def _perm_guard(
        self, req: Request, intent: Intent, reply: Replier, db: Database | None
    ) -> str:
        ch = intent.subject("channel")
        role = intent.arg("role").lower()
        self._check_role(await self.rules(), role)
        await self.store.set_guard(ch.id, role, req.user_id)
        text = md(":shield: {} is now guarded to *{}*.", ch.mention(), role)
        await reply.private(render.plain(text))
        return text

    async def _perm_unguard(
        self, req: Request, intent: Intent, reply: Replier, db: Database | None
    ) -> str:
        ch = intent.subject("channel")
        removed = await self.store.remove_guard(ch.id)
        text = (
            md("Removed the guard of {}.", ch.mention())
            if removed
            else md("{} had no guard.", ch.mention())
        )
        await reply.private(render.plain(text))
        return text

    async def _perm_protect(
        self, req: Request, intent: Intent, reply: Replier, db: Database | None
    ) -> str:
        glob = intent.arg("glob")
        added = await self.store.protect(glob, req.user_id)
        text = (
            f":lock: Databases matching `{glob}` now need a second person's approval for "
            "destructive commands."
            if added
            else f"`{glob}` was already protected."
        )
        await reply.private(render.plain(text))
        return text

    async def _perm_unprotect(
        self, req: Request, intent: Intent, reply: Replier, db: Database | None
    ) -> str:
        glob = intent.arg("glob")
        removed = await self.store.unprotect(glob)
        text = f"`{glob}` is no longer protected." if removed else f"`{glob}` was not protected."
        await reply.private(render.plain(text))
        return text

    async def _perm_role_create(
        self, req: Request, intent: Intent, reply: Replier, db: Database | None
    ) -> str:
        from bot.intents import SPECS
        from bot.policy import BUILTIN_ROLES, permits

        name = intent.arg("name").lower()
        if name in BUILTIN_ROLES:
            raise UsageError(f"`{name}` is a built-in role and cannot be redefined.")
        perms = intent.many("permissions")
        unknown = [p for p in perms if not any(permits([p], s) for s in SPECS)]
        if unknown:
            near = difflib.get_close_matches(unknown[0], list(SPECS), n=3, cutoff=0.5)
            raise UsageError(
                f"`{unknown[0]}` names no command permission.",
                suggestions=near,
                hint="Permissions are named after commands: `db.create`, `keyspace.*`, `db.*`.",
            )
        await self.store.create_role(name, perms, req.user_id)
        text = f"Custom role *{name}*: {' '.join(f'`{p}`' for p in perms)}."
        await reply.private(render.plain(text))
        return text

    async def _perm_role_delete(
        self, req: Request, intent: Intent, reply: Replier, db: Database | None
    ) -> str:
        name = intent.arg("name").lower()
        removed = await self.store.delete_role(name)
        text = f"Deleted custom role *{name}*." if removed else f"No custom role *{name}*."
        await reply.private(render.plain(text))
        return text

    async def _perm_whoami(
        self, req: Request, intent: Intent, reply: Replier, db: Database | None
    ) -> str:
        rules = await self.rules()
        actor = await self.actor(req.user_id, rules)
        await reply.private(render.plain(_roles_line(rules, actor, req.place)))
        return "whoami"

    async def _perm_check(
        self, req: Request, intent: Intent, reply: Replier, db: Database | None
    ) -> str:
        subj = intent.subject("subject")
        if subj.type != "user":
            raise UsageError("`perm check` takes a user (`@ana`).")
        target = parse(shlex.join(intent.many("command")))
        rules = await self.rules()
        actor = await self.actor(subj.id, rules)
        # a what-if, asked of the bot, not of Astra: decided on the name as typed
        name = target.target_db
        d = decide(rules, actor, req.place, target.spec, name, db_known=name is not None,
                   who=subj.mention())
        lines = [
            md("{} running `{}` here: *{}* — {}", subj.mention(), target.canonical(), d.outcome,
               d.reason)
        ]
        if d.granted_by:
            lines.append(md("granted by: {}", join(", ", d.granted_by)))
        if d.capped_by:
            lines.append(md("capped by this channel's guard: {}", d.capped_by))
        await reply.private(render.plain(join("\n", lines)))
        # the audit row's decision is the check's own (allowed); what it found is this
        found = {"allow": "may run", "deny": "may not run", "confirm": "may run",
                 "approve": "may run"}[d.outcome]
        after = {"confirm": " once confirmed",
                 "approve": " once a second person approves"}.get(d.outcome, "")
        return f"check: {subj.mention()} {found} `{target.canonical()}`{after}"

    async def _audit_handler(
        self, req: Request, intent: Intent, reply: Replier, db: Database | None
    ) -> str:
        limit = intent.opt_num("limit") or 20  # 1–100: the parser said so
        who = intent.opt_subject("user")
        rows = await self.store.audit_entries(
            limit=limit, actor_id=who.id if who else None, database=intent.opt("db")
        )
        lines = [
            md("{} {} `{}` → *{}* {}", render.when(r.at), user(r.actor_id), _clip(r.command, 80),
               r.decision, _clip(r.outcome or r.reason, 80))
            for r in rows
        ]
        await reply.private(render.bullet_list("Audit log (newest first)", lines))
        return render.count(len(rows), "audit entry", "audit entries")


def _clipped(text: str) -> str:
    """A command text as the audit keeps it: a text longer than any command can be (a
    refused one) is kept as its start and its length."""
    if len(text) <= MAX_TEXT_CHARS:
        return text
    return f"{text[:200]}… ({len(text):,} characters)"


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


def _clip(s: str, n: int) -> str:
    return s if len(s) <= n else s[: n - 1] + "…"


def _db_name(intent: Intent, db: Database | None) -> str | None:
    if db is not None:
        return db.info.name or db.id
    return intent.target_db


def _summary(intent: Intent, db: Database | None) -> str:
    name = f"*{db.info.name}* (`{db.id}`, {db.status})" if db else ""
    match intent.permission:
        case "db.delete":
            return f"terminate database {name}."
        case "db.park":
            return f"park database {name}."
        case "keyspace.delete":
            return f"delete keyspace `{intent.arg('keyspace')}` of {name}."
        case "region.remove":
            return f"remove region `{intent.arg('region')}` from {name}."
        case "access-list.remove":
            return f"remove `{intent.arg('cidr')}` from the access list of {name}."
        case "token.revoke":
            return f"revoke application token `{intent.arg('client_id')}`."
        case "user.remove":
            return f"remove user `{intent.arg('user')}` from the organization."
        case "role.delete":
            return f"delete Astra role `{intent.arg('role')}`."
        case "telemetry.audit-log.delete":
            return "stop streaming the organization's audit log."
        case _:
            return f"{intent.spec.summary.split(' (')[0]}{' on ' + name if name else ''}."


def _roles_line(rules: Rules, actor: Actor, place: Place) -> Mrkdwn:
    bindings = roles_of(rules, actor, place)
    if not bindings:
        return md("You have no role here.")
    roles = join(", ", sorted({b.describe() for b in bindings}))
    guard = rules.guards.get(place.channel_id)
    capped = md(" This channel is guarded to {}.", guard) if guard else ""
    return md("Your roles: {}.{}", roles, capped)


__all__ = ["Request", "Service", "Subject", "db_view", "least_role"]

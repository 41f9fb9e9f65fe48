"""db create: sent once, its operation row written first, a twin name confirmed."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any

from bot import render
from bot.astra.models import CreateDatabase, is_classic_tier
from bot.astra.orgs import Org
from bot.commands.db import CreateDatabase as CreateCommand
from bot.errors import AstraServerError, AstraUnavailable, BotError, UsageError
from bot.policy import Decision
from bot.ports import Replier
from bot.service.confirmations import Confirmations
from bot.service.context import Clock, Request, org_of
from bot.service.forms import Regions, default_region
from bot.service.operations import KINDS, RECONCILE_AFTER_S, Operations
from bot.service.outcome import Outcome
from bot.service.progress import Progress
from bot.service.registry import Call, Handlers, confirms, handles
from bot.settings import Settings
from bot.store.enums import OperationState
from bot.store.repo import Store


@dataclass(frozen=True)
class CreateHandlers(Handlers):
    """The `db create` command."""

    settings: Settings
    store: Store
    regions: Regions
    ops: Operations
    progress: Progress
    confirmations: Confirmations
    clock: Clock

    @handles(CreateCommand)
    async def create(self, cmd: CreateCommand, call: Call) -> Outcome:
        return Outcome(await self._create(call.req, cmd, call.reply, None))

    @confirms(CreateCommand)
    async def create_confirmed(self, cmd: CreateCommand, call: Call) -> Outcome:
        return Outcome(await self._create(call.req, cmd, None, call.ts))

    async def _create(
        self, req: Request, cmd: CreateCommand, reply: Replier | None, message_ts: str | None
    ) -> str:
        spec, cloud = await self._spec(cmd, org_of(req))
        org = await org_of(req).org_id()
        if not cmd.allow_duplicate_name:
            twin = await self._existing_named(org_of(req), spec.name)
            if twin is not None and reply is not None:
                await self._ask_another(req, cmd, spec.name, twin)
                return f"duplicate name {spec.name}: confirmation posted"
        return await self._send(req, org, spec, cloud, reply, message_ts)

    async def _spec(self, cmd: CreateCommand, org: Org) -> tuple[CreateDatabase, str]:
        """The create request (and the cloud as given), its tier, type and region checked
        before anything is sent."""
        vector = cmd.vector
        tier = cmd.tier or "serverless"
        if is_classic_tier(tier):
            if vector is True:
                raise UsageError(
                    f"Vector databases are serverless: tier `{tier}` is classic.",
                    hint="Drop `--vector`, or drop `--tier`.",
                    usage=cmd.spec.usage,
                )
            vector = False  # `dbType: vector` is for serverless databases (official spec)
        cloud = cmd.cloud or self.settings.default_cloud
        known = await self.regions.of(cloud, org)
        region = cmd.region or default_region(cloud, self.settings, known)
        if known and region not in known:
            near = difflib.get_close_matches(region, known, n=3, cutoff=0.5)
            raise UsageError(
                f"`{region}` is not a region for new {cloud} databases in this organization.",
                suggestions=[f"--region {n}" for n in near],
                hint=f"`/astra region available --cloud {cloud}` lists them.",
                usage=cmd.spec.usage,
            )
        spec = CreateDatabase(
            name=cmd.name,
            cloud_provider=cloud.upper(),
            region=region,
            tier=tier,
            capacity_units=cmd.capacity_units or 1,
            keyspace=cmd.keyspace or "default_keyspace",
            db_type=None if vector is False else "vector",
        )
        return spec, cloud

    async def _ask_another(
        self, req: Request, cmd: CreateCommand, name: str, twin: render.Twin
    ) -> None:
        # The confirmation stores the command as typed: its click is the consent
        # (a confirmed create asks nothing again), so the channel never reads a
        # flag nobody typed.
        decision = Decision("confirm", "duplicate name", cmd.permission)
        summary, question = render.create_another(name, twin)
        await self.confirmations.ask(
            req,
            cmd,
            decision,
            None,
            summary_text=summary,
            question=question,
            ok_label="Create another",
            danger=False,
        )

    async def _send(
        self,
        req: Request,
        org: str,
        spec: CreateDatabase,
        cloud: str,
        reply: Replier | None,
        message_ts: str | None,
    ) -> str:
        name, kind = spec.name, KINDS["db.create"]
        detail: dict[str, Any] = {"region": spec.region, "cloud": cloud, "keyspace": spec.keyspace}
        # Written before the call: a crash or an ambiguous answer leaves a row that the
        # watcher reconciles by name and creation time, instead of a forgotten database.
        op = await self.store.add_operation(
            org_id=org,
            kind=kind.kind,
            database_id="",
            database_name=name,
            target_status=kind.target,
            channel_id=req.channel_id,
            requester_id=req.user_id,
            correlation_id=req.correlation_id,
            timeout_s=self.ops.timeout("db.create"),
            first_check_in=RECONCILE_AFTER_S,
            thread_ts=req.thread_ts,
            message_ts=message_ts,
            detail=detail,
            state=OperationState.SENDING,
        )
        try:
            # Sent once, never retried: names are not unique and a create is not idempotent.
            db_id = await org_of(req).astra.create_database(spec)
        except (AstraUnavailable, AstraServerError) as err:
            # Astra may or may not have created it: the watcher will look for it.
            await self.store.reschedule_operation(op.id, self.clock() + self.ops.first_check_s)
            outcome = BotError(
                f"Astra did not answer clearly whether `{name}` was created ({err.user_message})",
                hint="I am looking for it and will tell this channel what I find; don't "
                "run the command again yet.",
            )
            if reply is not None:
                await reply.private(render.error(outcome, req.correlation_id))
            return f"create {name}: outcome unknown, reconciling"
        except BotError:
            await self.store.drop_operation(op.id)
            raise
        await self.store.operation_sent(
            op.id, db_id, status="PENDING", next_check_at=self.clock() + self.ops.first_check_s
        )
        op.database_id, op.state, op.last_status = db_id, OperationState.PENDING, "PENDING"
        await self.progress.show(req, op, status="PENDING", reply=reply)
        return f"operation {op.id} (create {db_id}) started"

    async def _existing_named(self, org: Org, name: str) -> render.Twin | None:
        """A database (or a create in flight) with this name, in ``org``."""
        for op in await self.store.operations_named(await org.org_id(), name, "create"):
            return render.Twin(db_id=op.database_id or None, creating_by=op.requester_id)
        for d in await org.astra.list_databases():
            if d.info.name == name:
                return render.Twin(db_id=d.id, status=d.status)
        return None

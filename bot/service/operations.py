"""Long operations: the one table of what each waits for, and the row the watcher follows."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from bot.astra.models import Database
from bot.ports import Replier
from bot.service.context import Context, Request, org_of
from bot.service.progress import Progress
from bot.settings import Settings
from bot.store.enums import OperationKind, OperationState
from bot.store.models import Operation
from bot.store.operations import NewOperation

# An operation whose Astra call may not have happened is looked for after this long.
RECONCILE_AFTER_S = 2.0

# A terminate refused with 409 in these states is retried when the database is ACTIVE.
WAIT_THEN_RETRY = frozenset(
    {
        "MAINTENANCE",
        "RESIZING",
        "INITIALIZING",
        "PENDING",
        "ASSOCIATING",
        "UNPARKING",
        "PARKING",
        "RESUMING",
    }
)


def _op_timeout(s: Settings) -> float:
    return s.op_timeout


@dataclass(frozen=True)
class OpKind:
    """One kind of long operation: the kind stored in its row (its words are render's
    ``OP_VERBS``), the status it waits for, and how long it may take."""

    kind: OperationKind
    target: str
    timeout: Callable[[Settings], float] = _op_timeout


#: permission → what its operation waits for (the one table of operation kinds)
KINDS: Mapping[str, OpKind] = {
    "db.create": OpKind(OperationKind.CREATE, "ACTIVE", lambda s: s.create_timeout),
    "db.delete": OpKind(OperationKind.TERMINATE, "TERMINATED", lambda s: s.delete_timeout),
    "db.park": OpKind(OperationKind.PARK, "PARKED"),
    "db.unpark": OpKind(OperationKind.UNPARK, "ACTIVE"),
    "db.resize": OpKind(OperationKind.RESIZE, "ACTIVE"),
    "keyspace.create": OpKind(OperationKind.KEYSPACE_CREATE, "ACTIVE"),
    "keyspace.delete": OpKind(OperationKind.KEYSPACE_DELETE, "ACTIVE"),
    "region.add": OpKind(OperationKind.REGION_ADD, "ACTIVE"),
    "region.remove": OpKind(OperationKind.REGION_REMOVE, "ACTIVE"),
}


class Operations:
    """Records the operations Astra accepted, so that the watcher follows them."""

    def __init__(
        self, ctx: Context, progress: Progress, *, poll_interval: float | None = None
    ) -> None:
        self.ctx = ctx
        self.progress = progress
        # a new operation is first looked at after one watcher interval (at most 2 s)
        self.first_check_s = min(poll_interval or ctx.settings.poll_interval, 2.0)

    def timeout(self, permission: str) -> float:
        return KINDS[permission].timeout(self.ctx.settings)

    async def start(
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
        op = await self.follow(
            req, permission, db, message_ts=message_ts, status=status, detail=detail, reply=reply
        )
        return f"operation {op.id} ({op.kind}) started"

    async def follow(
        self,
        req: Request,
        permission: str,
        db: Database,
        *,
        message_ts: str | None,
        status: str | None,
        detail: dict[str, Any] | None,
        reply: Replier | None,
        state: OperationState = OperationState.PENDING,
    ) -> Operation:
        """The operation row the watcher follows, then its progress message."""
        kind = KINDS[permission]
        # The operation row comes first: once Astra accepted the change, the watcher must
        # follow it even if Slack refuses the progress message.
        org_id = await org_of(req).org_id()  # an Astra call: before the transaction
        async with self.ctx.store.transaction(doing="recording an operation") as tx:
            op = await tx.operations.add(
                NewOperation(
                    org_id=org_id,
                    kind=kind.kind,
                    database_id=db.id,
                    database_name=db.info.name or db.id,
                    target_status=kind.target,
                    channel_id=req.channel_id,
                    requester_id=req.user_id,
                    correlation_id=req.correlation_id,
                    timeout_s=kind.timeout(self.ctx.settings),
                    first_check_in=self.first_check_s,
                    thread_ts=req.thread_ts,
                    message_ts=message_ts,
                    last_status=status,
                    detail=detail,
                    state=state,
                )
            )
        await self.progress.show(req, op, status=status, reply=reply)
        return op

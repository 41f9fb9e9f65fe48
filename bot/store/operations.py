"""Long Astra operations the watcher follows to their end (DESIGN §4).

An operation is written ``sending`` *before* the Astra call whose outcome it tracks, so a
crash or an ambiguous answer leaves a row the watcher reconciles instead of a forgotten
change (``retrying``: a terminate Astra refused while busy, sent again by the watcher).
Every state change that must happen once is a conditional UPDATE whose row count says who
won.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Required, TypedDict, Unpack

from sqlalchemy import and_, delete, func, or_, select, update

from bot.store.enums import UNSENT_STATES, OperationKind, OperationState
from bot.store.group import TableGroup, rowcount
from bot.store.leases import claim
from bot.store.models import Operation, open_operation

if TYPE_CHECKING:
    from bot.store.notices import NewNotice

_UNLEASED: dict[str, Any] = {"lease_owner": None, "lease_until": None}


@dataclass(frozen=True)
class NewOperation:
    """What an operation row is made of (``add`` fills in the id and the times)."""

    org_id: str
    kind: str
    #: "" for a create until Astra names the database
    database_id: str
    database_name: str
    #: the status that ends it (``ACTIVE``, ``TERMINATED``, …)
    target_status: str
    #: where its progress message and notice go, and who asked
    channel_id: str
    requester_id: str
    correlation_id: str
    #: seconds until it times out, and until the watcher first looks
    timeout_s: float
    first_check_in: float
    #: the thread the request came from, and the progress message once posted
    thread_ts: str | None = None
    message_ts: str | None = None
    last_status: str | None = None
    detail: dict[str, Any] | None = None
    state: str = OperationState.PENDING


class Sent(TypedDict, total=False):
    """What is known once Astra took an operation's request: the database's status, and
    optionally new details and when to look next."""

    status: Required[str | None]
    detail: dict[str, Any] | None
    next_check_at: float | None


@dataclass(frozen=True)
class OperationBacklog:
    """Open operations, how many are overdue, and the oldest overdue one's due time."""

    open: int
    overdue: int
    #: when the oldest overdue one was due (None: none is overdue)
    oldest_due: float | None


class OperationRepo(TableGroup):
    """The operations, in one transaction."""

    async def add(self, new: NewOperation) -> Operation:
        """The new row, its times counted from now."""
        now = self.tx.clock()
        op = Operation(
            id=str(uuid.uuid4()),
            org_id=new.org_id,
            kind=new.kind,
            database_id=new.database_id,
            database_name=new.database_name,
            target_status=new.target_status,
            state=new.state,
            last_status=new.last_status,
            channel_id=new.channel_id,
            thread_ts=new.thread_ts,
            message_ts=new.message_ts,
            requester_id=new.requester_id,
            correlation_id=new.correlation_id,
            detail=json.dumps(new.detail or {}),
            created_at=now,
            updated_at=now,
            deadline_at=now + new.timeout_s,
            next_check_at=now + new.first_check_in,
        )
        return await self.inserted(op)

    async def set_message(self, op_id: str, message_ts: str) -> None:
        await self.s.execute(
            update(Operation).where(Operation.id == op_id).values(message_ts=message_ts)
        )

    async def sent(self, op_id: str, database_id: str, **seen: Unpack[Sent]) -> bool:
        """Astra accepted the change: the operation is now followed (SENDING or RETRYING →
        PENDING)."""
        values: dict[str, Any] = {
            "database_id": database_id,
            "state": OperationState.PENDING,
            "last_status": seen["status"],
            "updated_at": self.tx.clock(),
            **_UNLEASED,
        }
        if (detail := seen.get("detail")) is not None:
            values["detail"] = json.dumps(detail)
        if (next_check_at := seen.get("next_check_at")) is not None:
            values["next_check_at"] = next_check_at
        res = await self.s.execute(
            update(Operation)
            .where(Operation.id == op_id, Operation.state.in_(UNSENT_STATES))
            .values(**values)
        )
        return rowcount(res) == 1

    async def drop(self, op_id: str) -> None:
        """Forget an operation whose Astra call was refused outright (nothing to follow)."""
        await self.s.execute(
            delete(Operation).where(
                Operation.id == op_id, Operation.state == OperationState.SENDING
            )
        )

    async def reschedule(
        self, op_id: str, at: float, owner: str | None = None, detail: dict[str, Any] | None = None
    ) -> None:
        values: dict[str, Any] = {"next_check_at": at, "updated_at": self.tx.clock(), **_UNLEASED}
        if detail is not None:
            values["detail"] = json.dumps(detail)
        q = update(Operation).where(Operation.id == op_id)
        if owner is not None:
            q = q.where(Operation.lease_owner == owner)
        await self.s.execute(q.values(**values))

    async def named(self, org_id: str, name: str, kind: str) -> list[Operation]:
        """Unfinished operations of a kind on a database name (duplicate-create check)."""
        q = select(Operation).where(
            Operation.org_id == org_id,
            Operation.database_name == name,
            Operation.kind == kind,
            open_operation(),
        )
        return list((await self.s.scalars(q)).all())

    async def tracked_database_ids(self, org_id: str) -> set[str]:
        q = select(Operation.database_id).where(
            Operation.org_id == org_id, Operation.kind == OperationKind.CREATE
        )
        return {r for r in (await self.s.scalars(q)).all() if r}

    async def claim_due(
        self, owner: str, *, lease_s: float, limit: int = 5000, horizon_s: float = 0.0
    ) -> list[Operation]:
        """Take a lease on the operations that are due and not leased by another
        (:func:`bot.store.leases.claim`: one statement)."""
        now = self.tx.clock()
        due = and_(
            open_operation(),
            Operation.next_check_at <= now + horizon_s,
            or_(
                Operation.lease_until.is_(None),
                Operation.lease_until < now,
                Operation.lease_owner == owner,
            ),
        )
        return await claim(
            self.tx, Operation, due, Operation.next_check_at, owner, lease_s=lease_s, limit=limit
        )

    async def next_due_at(self) -> float | None:
        return await self.s.scalar(
            select(func.min(Operation.next_check_at)).where(open_operation())
        )

    async def open(self, *, limit: int = 200) -> list[Operation]:
        """Operations not finished, oldest first."""
        q = select(Operation).where(open_operation()).order_by(Operation.created_at).limit(limit)
        return list((await self.s.scalars(q)).all())

    async def open_counts(self) -> dict[str, int]:
        """Operations not finished, counted by kind (one GROUP BY, however many)."""
        q = select(Operation.kind, func.count()).where(open_operation()).group_by(Operation.kind)
        return {kind: int(n) for kind, n in (await self.s.execute(q)).all()}

    async def backlog(self, *, late_before: float) -> OperationBacklog:
        """What ``astra-bot doctor`` reports: open operations, and those due before
        ``late_before`` (overdue) with the oldest one's due time."""
        active = open_operation()
        total = int(await self.s.scalar(select(func.count()).where(active)) or 0)
        overdue, oldest = (
            await self.s.execute(
                select(func.count(), func.min(Operation.next_check_at)).where(
                    active, Operation.next_check_at < late_before
                )
            )
        ).one()
        return OperationBacklog(open=total, overdue=int(overdue or 0), oldest_due=oldest)

    async def touch(
        self, op_ids: list[str], owner: str, *, last_status: str | None, next_check_at: float
    ) -> int:
        """Record what was seen and when to look again, for many at once (one UPDATE); how
        many were still leased by ``owner``."""
        if not op_ids:
            return 0
        res = await self.s.execute(
            update(Operation)
            .where(
                Operation.id.in_(op_ids),
                Operation.lease_owner == owner,
                Operation.state == OperationState.PENDING,
            )
            .values(
                last_status=last_status,
                next_check_at=next_check_at,
                updated_at=self.tx.clock(),
                **_UNLEASED,
            )
            .execution_options(synchronize_session=False)
        )
        return rowcount(res)

    async def finish(
        self,
        op_id: str,
        owner: str | None,
        *,
        state: str,
        last_status: str | None,
        notice: NewNotice | None,
    ) -> bool:
        """End an operation and enqueue its notice in the same transaction (exactly once)."""
        now = self.tx.clock()
        q = update(Operation).where(Operation.id == op_id, open_operation())
        if owner is not None:
            q = q.where(Operation.lease_owner == owner)
        res = await self.s.execute(
            q.values(
                state=state, last_status=last_status, finished_at=now, updated_at=now, **_UNLEASED
            )
        )
        if rowcount(res) != 1:
            return False
        if notice is not None:
            await self.tx.notices.enqueue(notice)
        return True

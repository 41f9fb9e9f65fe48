"""The store's operations, as one class over an ``AsyncEngine``.

Every method opens its own short transaction (sessions at the edge): the service and the
watcher never hold a transaction across an Astra or Slack call. State changes that must
happen once (a confirmation decided, a lease taken, a notice sent) are conditional UPDATEs
whose row count says who won; on PostgreSQL the watcher's claims use
``SELECT … FOR UPDATE SKIP LOCKED`` so that replicas share the work without waiting.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, and_, delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.errors import StoreError
from bot.policy import Binding, Rules
from bot.redact import Redactor
from bot.store.enums import ConfirmationState, NoticeState, OperationKind, OperationState
from bot.store.errors import translate_errors
from bot.store.models import (
    AuditEntry,
    ChannelGuard,
    Confirmation,
    CustomRole,
    Notice,
    Operation,
    ProtectedGlob,
    RoleBinding,
    RulesVersion,
    SeenEvent,
    Subscription,
    open_operation,
)

Clock = Callable[[], float]
_Leased = TypeVar("_Leased", Operation, Notice)


@dataclass(frozen=True)
class NewNotice:
    dedupe_key: str
    org_id: str
    channel_id: str
    text: str
    blocks: Sequence[dict[str, Any]] = ()
    thread_ts: str | None = None
    broadcast: bool = False


RuleRows = tuple[Sequence[RoleBinding], Sequence[ChannelGuard], Sequence[CustomRole],
                 Sequence[ProtectedGlob]]


async def read_rule_rows(s: AsyncSession) -> RuleRows:
    """The four permission tables in the session's snapshot: bindings (in the order they
    were made), channel guards, custom roles, protected globs."""
    return (
        (await s.scalars(select(RoleBinding).order_by(RoleBinding.id))).all(),
        (await s.scalars(select(ChannelGuard))).all(),
        (await s.scalars(select(CustomRole))).all(),
        (await s.scalars(select(ProtectedGlob))).all(),
    )


@translate_errors
class Store:
    """Every method opens its own transaction; every failure is a StoreError
    (:func:`bot.store.errors.translate_errors`)."""

    def __init__(self, engine: AsyncEngine, *, clock: Clock = time.time,
                 redactor: Redactor | None = None) -> None:
        self.engine = engine
        self.clock = clock
        #: what every audit row is redacted with (the composition root gives it the
        #: configured secrets; shapes and names alone otherwise)
        self.redactor = redactor or Redactor()
        self._sessions = async_sessionmaker(engine, expire_on_commit=False)
        self._rules_cache: tuple[int, Rules] | None = None

    @property
    def _skip_locked(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    def session(self) -> AsyncSession:
        return self._sessions()

    async def ping(self) -> None:
        try:
            async with self.session() as s:
                await s.execute(select(1))
        except (SQLAlchemyError, OSError) as exc:
            raise StoreError(f"The bot's store cannot be reached ({type(exc).__name__}).") from exc

    # ------------------------------------------------------------------ permissions

    async def rules(self, admins: frozenset[str], default_guard: str | None = None) -> Rules:
        """The permission rules as they are now. Read again only when the store's rules
        version moved (triggers bump it on every write, from any process): one small SELECT
        when nothing changed. The version is read first, so rules read after a concurrent
        write are kept under the older version and read again next time, never the
        reverse."""
        async with self.session() as s:
            version = await s.scalar(select(RulesVersion.version).where(RulesVersion.id == 1))
            cached = self._rules_cache
            if version is not None and cached is not None and cached[0] == version \
                    and cached[1].admins == admins and cached[1].default_guard == default_guard:
                return cached[1]
            bindings, guards, roles, prot = await read_rule_rows(s)
        rules = Rules(
            bindings=tuple(
                Binding(b.subject_type, b.subject_id, b.role, b.db_glob or None)  # type: ignore[arg-type]
                for b in bindings
            ),
            guards={g.channel_id: g.role for g in guards},
            custom_roles={r.name: frozenset(r.permissions.split()) for r in roles},
            protected=tuple(p.glob for p in prot),
            admins=admins,
            default_guard=default_guard,
        )
        # no version row (a store not migrated to 0002): never cached
        self._rules_cache = (version, rules) if version is not None else None
        return rules

    async def grant(
        self, subject_type: str, subject_id: str, role: str, db_glob: str | None, by: str
    ) -> bool:
        """Add a binding; False when it already existed."""
        try:
            async with self.session() as s, s.begin():
                s.add(
                    RoleBinding(
                        subject_type=subject_type,
                        subject_id=subject_id,
                        role=role,
                        db_glob=db_glob or "",
                        created_by=by,
                        created_at=self.clock(),
                    )
                )
        except IntegrityError:
            return False
        return True

    async def revoke(
        self, subject_type: str, subject_id: str, role: str, db_glob: str | None
    ) -> int:
        """Remove bindings; with no glob, every scope of that role for the subject."""
        async with self.session() as s, s.begin():
            q = delete(RoleBinding).where(
                RoleBinding.subject_type == subject_type,
                RoleBinding.subject_id == subject_id,
                RoleBinding.role == role,
            )
            if db_glob is not None:
                q = q.where(RoleBinding.db_glob == db_glob)
            res = await s.execute(q)
            return int(res.rowcount)  # type: ignore[attr-defined]

    async def set_guard(self, channel_id: str, role: str, by: str) -> None:
        async with self.session() as s, s.begin():
            row = await s.get(ChannelGuard, channel_id)
            if row is None:
                s.add(
                    ChannelGuard(
                        channel_id=channel_id, role=role, created_by=by, created_at=self.clock()
                    )
                )
            else:
                row.role, row.created_by, row.created_at = role, by, self.clock()

    async def remove_guard(self, channel_id: str) -> bool:
        async with self.session() as s, s.begin():
            res = await s.execute(delete(ChannelGuard).where(ChannelGuard.channel_id == channel_id))
            return bool(res.rowcount)  # type: ignore[attr-defined]

    async def protect(self, glob: str, by: str) -> bool:
        try:
            async with self.session() as s, s.begin():
                s.add(ProtectedGlob(glob=glob, created_by=by, created_at=self.clock()))
        except IntegrityError:
            return False
        return True

    async def unprotect(self, glob: str) -> bool:
        async with self.session() as s, s.begin():
            res = await s.execute(delete(ProtectedGlob).where(ProtectedGlob.glob == glob))
            return bool(res.rowcount)  # type: ignore[attr-defined]

    async def create_role(self, name: str, permissions: Sequence[str], by: str) -> None:
        async with self.session() as s, s.begin():
            row = await s.get(CustomRole, name)
            perms = " ".join(permissions)
            if row is None:
                s.add(
                    CustomRole(name=name, permissions=perms, created_by=by, created_at=self.clock())
                )
            else:
                row.permissions, row.created_by, row.created_at = perms, by, self.clock()

    async def delete_role(self, name: str) -> bool:
        async with self.session() as s, s.begin():
            res = await s.execute(delete(CustomRole).where(CustomRole.name == name))
            return bool(res.rowcount)  # type: ignore[attr-defined]

    # ------------------------------------------------------------------ audit

    def audit_row(self, **fields: Any) -> AuditEntry:
        """An audit row, the one way one is made: every text redacted of secrets
        (bot/redact.py), and fitting its column — PostgreSQL refuses a NUL byte in text and a
        value wider than its VARCHAR, and an audit row is never to be lost to either (the NUL
        is kept visible as ``\\0``; an overlong value is clipped with ``…``)."""
        columns = AuditEntry.__table__.c
        for name, value in fields.items():
            if isinstance(value, str):
                value = self.redactor.text(value).replace("\x00", "\\0")
                width = getattr(columns[name].type, "length", None)
                if width is not None and len(value) > width:
                    value = value[: width - 1] + "…"
                fields[name] = value
        return AuditEntry(**fields)

    async def audit(
        self,
        *,
        correlation_id: str,
        actor_id: str,
        source: str,
        command: str,
        decision: str,
        reason: str = "",
        channel_id: str | None = None,
        org_id: str | None = None,
        permission: str | None = None,
        database: str | None = None,
        astra_request: str | None = None,
        outcome: str = "",
        duration_ms: int | None = None,
    ) -> None:
        async with self.session() as s, s.begin():
            s.add(
                self.audit_row(
                    at=self.clock(),
                    correlation_id=correlation_id,
                    org_id=org_id,
                    actor_id=actor_id,
                    channel_id=channel_id,
                    source=source,
                    command=command,
                    permission=permission,
                    database=database,
                    decision=decision,
                    reason=reason,
                    astra_request=astra_request,
                    outcome=outcome,
                    duration_ms=duration_ms,
                )
            )

    async def audit_entries(
        self, *, limit: int = 20, actor_id: str | None = None, database: str | None = None
    ) -> list[AuditEntry]:
        async with self.session() as s:
            q = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
            if actor_id:
                q = q.where(AuditEntry.actor_id == actor_id)
            if database:
                q = q.where(AuditEntry.database == database)
            return list((await s.scalars(q)).all())

    # ------------------------------------------------------------------ operations

    async def add_operation(
        self,
        *,
        org_id: str,
        kind: str,
        database_id: str,
        database_name: str,
        target_status: str,
        channel_id: str,
        requester_id: str,
        correlation_id: str,
        timeout_s: float,
        first_check_in: float,
        thread_ts: str | None = None,
        message_ts: str | None = None,
        last_status: str | None = None,
        detail: dict[str, Any] | None = None,
        state: str = OperationState.PENDING,
    ) -> Operation:
        """Record an operation. ``state="sending"`` is written *before* the Astra call
        whose outcome it tracks, so that a crash or an ambiguous answer leaves a row the
        watcher reconciles instead of a forgotten change."""
        now = self.clock()
        op = Operation(
            id=str(uuid.uuid4()),
            org_id=org_id,
            kind=kind,
            database_id=database_id,
            database_name=database_name,
            target_status=target_status,
            state=state,
            last_status=last_status,
            channel_id=channel_id,
            thread_ts=thread_ts,
            message_ts=message_ts,
            requester_id=requester_id,
            correlation_id=correlation_id,
            detail=json.dumps(detail or {}),
            created_at=now,
            updated_at=now,
            deadline_at=now + timeout_s,
            next_check_at=now + first_check_in,
        )
        async with self.session() as s, s.begin():
            s.add(op)
        return op

    async def set_operation_message(self, op_id: str, message_ts: str) -> None:
        async with self.session() as s, s.begin():
            await s.execute(
                update(Operation).where(Operation.id == op_id).values(message_ts=message_ts)
            )

    async def operation_sent(
        self, op_id: str, database_id: str, *, status: str | None, detail: dict[str, Any]
        | None = None, next_check_at: float | None = None,
    ) -> bool:
        """Astra accepted the change: the operation is now followed (``sending`` → ``pending``)."""
        values: dict[str, Any] = {"database_id": database_id, "state": OperationState.PENDING,
                                  "last_status": status, "updated_at": self.clock(),
                                  "lease_owner": None, "lease_until": None}
        if detail is not None:
            values["detail"] = json.dumps(detail)
        if next_check_at is not None:
            values["next_check_at"] = next_check_at
        async with self.session() as s, s.begin():
            res = await s.execute(
                update(Operation)
                .where(Operation.id == op_id, Operation.state == OperationState.SENDING)
                .values(**values)
            )
            return res.rowcount == 1  # type: ignore[attr-defined,no-any-return]

    async def drop_operation(self, op_id: str) -> None:
        """Forget an operation whose Astra call was refused outright (nothing to follow)."""
        async with self.session() as s, s.begin():
            await s.execute(delete(Operation).where(Operation.id == op_id,
                                                    Operation.state == OperationState.SENDING))

    async def reschedule_operation(self, op_id: str, at: float, owner: str | None = None,
                                   detail: dict[str, Any] | None = None) -> None:
        values: dict[str, Any] = {"next_check_at": at, "updated_at": self.clock(),
                                  "lease_owner": None, "lease_until": None}
        if detail is not None:
            values["detail"] = json.dumps(detail)
        async with self.session() as s, s.begin():
            q = update(Operation).where(Operation.id == op_id)
            if owner is not None:
                q = q.where(Operation.lease_owner == owner)
            await s.execute(q.values(**values))

    async def operations_named(self, org_id: str, name: str, kind: str) -> list[Operation]:
        """Unfinished operations of a kind on a database name (duplicate-create check)."""
        async with self.session() as s:
            q = select(Operation).where(
                Operation.org_id == org_id,
                Operation.database_name == name,
                Operation.kind == kind,
                open_operation(),
            )
            return list((await s.scalars(q)).all())

    async def tracked_database_ids(self, org_id: str) -> set[str]:
        async with self.session() as s:
            q = select(Operation.database_id).where(Operation.org_id == org_id,
                                                    Operation.kind == OperationKind.CREATE)
            return {r for r in (await s.scalars(q)).all() if r}

    async def claim_due_operations(
        self, owner: str, *, lease_s: float, limit: int = 5000, horizon_s: float = 0.0
    ) -> list[Operation]:
        """Take a lease on the operations that are due and not leased by another.

        One statement: ``UPDATE … WHERE id IN (SELECT … [FOR UPDATE SKIP LOCKED]) AND
        <the same conditions> RETURNING …``. Repeating the conditions in the UPDATE matters:
        a replica acting on a stale read must not take a row another has just finished."""
        now = self.clock()
        due = and_(
            open_operation(),
            Operation.next_check_at <= now + horizon_s,
            or_(
                Operation.lease_until.is_(None),
                Operation.lease_until < now,
                Operation.lease_owner == owner,
            ),
        )
        return await self._claim(Operation, due, Operation.next_check_at, owner, lease_s, limit)

    async def _claim(
        self, model: type[_Leased], due: ColumnElement[bool], order: Any, owner: str,
        lease_s: float, limit: int,
    ) -> list[_Leased]:
        """Lease the rows matching ``due``, in one statement:
        ``UPDATE … WHERE id IN (SELECT … [FOR UPDATE SKIP LOCKED]) AND <due> RETURNING``.
        ``due`` is repeated in the UPDATE so that a replica acting on a stale read never
        takes a row another has just finished (operations and notices alike)."""
        ids = select(model.id).where(due).order_by(order).limit(limit)
        if self._skip_locked:
            ids = ids.with_for_update(skip_locked=True)
        stmt = (
            update(model)
            .where(model.id.in_(ids.scalar_subquery()), due)
            .values(lease_owner=owner, lease_until=self.clock() + lease_s)
            .returning(model)
            .execution_options(synchronize_session=False)
        )
        async with self.session() as s, s.begin():
            return list((await s.scalars(stmt)).all())

    async def next_due_at(self) -> float | None:
        async with self.session() as s:
            return await s.scalar(
                select(func.min(Operation.next_check_at))
                .where(open_operation())
            )

    async def pending_operations(self, *, limit: int = 200) -> list[Operation]:
        async with self.session() as s:
            q = (
                select(Operation)
                .where(open_operation())
                .order_by(Operation.created_at)
                .limit(limit)
            )
            return list((await s.scalars(q)).all())

    async def pending_counts(self) -> dict[str, int]:
        """Operations not finished, counted by kind (one GROUP BY, however many)."""
        async with self.session() as s:
            q = (
                select(Operation.kind, func.count())
                .where(open_operation())
                .group_by(Operation.kind)
            )
            return {kind: int(n) for kind, n in (await s.execute(q)).all()}

    async def get_operation(self, op_id: str) -> Operation | None:
        async with self.session() as s:
            return await s.get(Operation, op_id)

    async def touch_operation(
        self, op_id: str, owner: str, *, last_status: str | None, next_check_at: float
    ) -> bool:
        """Record what was seen and when to look again; False if the lease was lost."""
        async with self.session() as s, s.begin():
            res = await s.execute(
                update(Operation)
                .where(
                    Operation.id == op_id,
                    Operation.lease_owner == owner,
                    Operation.state == OperationState.PENDING,
                )
                .values(
                    last_status=last_status,
                    next_check_at=next_check_at,
                    updated_at=self.clock(),
                    lease_owner=None,
                    lease_until=None,
                )
            )
            return res.rowcount == 1  # type: ignore[attr-defined,no-any-return]

    async def touch_operations(
        self, op_ids: list[str], owner: str, *, last_status: str | None, next_check_at: float
    ) -> int:
        """``touch_operation`` for many at once (one UPDATE); how many were still ours."""
        if not op_ids:
            return 0
        async with self.session() as s, s.begin():
            res = await s.execute(
                update(Operation)
                .where(Operation.id.in_(op_ids), Operation.lease_owner == owner,
                       Operation.state == OperationState.PENDING)
                .values(last_status=last_status, next_check_at=next_check_at,
                        updated_at=self.clock(), lease_owner=None, lease_until=None)
                .execution_options(synchronize_session=False)
            )
            return int(res.rowcount)  # type: ignore[attr-defined]

    async def finish_operation(
        self,
        op_id: str,
        owner: str | None,
        *,
        state: str,
        last_status: str | None,
        notice: NewNotice | None,
    ) -> bool:
        """End an operation and enqueue its notice in the same transaction (exactly once)."""
        now = self.clock()
        async with self.session() as s, s.begin():
            q = update(Operation).where(Operation.id == op_id,
                                        open_operation())
            if owner is not None:
                q = q.where(Operation.lease_owner == owner)
            res = await s.execute(
                q.values(
                    state=state,
                    last_status=last_status,
                    finished_at=now,
                    updated_at=now,
                    lease_owner=None,
                    lease_until=None,
                )
            )
            if res.rowcount != 1:  # type: ignore[attr-defined]
                return False
            if notice is not None:
                s.add(self._notice_row(notice, now))
        return True

    async def release_leases(self, owner: str) -> None:
        async with self.session() as s, s.begin():
            for model in (Operation, Notice):
                await s.execute(
                    update(model)
                    .where(model.lease_owner == owner)
                    .values(lease_owner=None, lease_until=None)
                )

    # ------------------------------------------------------------------ notices (outbox)

    def _notice_row(self, n: NewNotice, now: float) -> Notice:
        return Notice(
            dedupe_key=n.dedupe_key,
            org_id=n.org_id,
            channel_id=n.channel_id,
            thread_ts=n.thread_ts,
            broadcast=n.broadcast,
            text=n.text,
            blocks=json.dumps(list(n.blocks)),
            state=NoticeState.PENDING,
            attempts=0,
            created_at=now,
            next_attempt_at=now,
        )

    async def enqueue_notice(self, notice: NewNotice) -> bool:
        """Add a notice unless one with the same dedupe key exists; True if added."""
        try:
            async with self.session() as s, s.begin():
                s.add(self._notice_row(notice, self.clock()))
        except IntegrityError:
            return False
        return True

    async def claim_notices(self, owner: str, *, lease_s: float, limit: int = 50) -> list[Notice]:
        """Take a lease on pending notices that are due (one statement, conditions repeated
        in the UPDATE: a notice another replica has just sent is never taken again)."""
        now = self.clock()
        due = and_(
            Notice.state == NoticeState.PENDING,
            Notice.next_attempt_at <= now,
            or_(Notice.lease_until.is_(None), Notice.lease_until < now),
        )
        rows = await self._claim(Notice, due, Notice.id, owner, lease_s, limit)
        return sorted(rows, key=lambda n: n.id)

    async def notice_sent(self, notice_id: int, owner: str, message_ts: str | None) -> None:
        async with self.session() as s, s.begin():
            await s.execute(
                update(Notice)
                .where(Notice.id == notice_id, Notice.lease_owner == owner)
                .values(
                    state=NoticeState.SENT,
                    sent_at=self.clock(),
                    message_ts=message_ts,
                    lease_owner=None,
                    lease_until=None,
                )
            )

    async def notice_defer(self, notice_id: int, owner: str, at: float) -> None:
        """Give a claimed notice back, to be sent at ``at`` (pacing; not a failure)."""
        async with self.session() as s, s.begin():
            await s.execute(
                update(Notice)
                .where(Notice.id == notice_id, Notice.lease_owner == owner)
                .values(next_attempt_at=at, lease_owner=None, lease_until=None)
            )

    async def notice_failed(
        self, notice_id: int, owner: str, error: str, retry_in: float, *, give_up: bool = False
    ) -> None:
        async with self.session() as s, s.begin():
            row = await s.get(Notice, notice_id)
            if row is None or row.lease_owner != owner:
                return
            row.attempts += 1
            row.last_error = error[:255]
            row.next_attempt_at = self.clock() + retry_in
            row.lease_owner = None
            row.lease_until = None
            if give_up:
                row.state = NoticeState.FAILED

    async def pending_notice_count(self) -> int:
        async with self.session() as s:
            return int(
                await s.scalar(
                    select(func.count())
                    .select_from(Notice)
                    .where(Notice.state == NoticeState.PENDING)
                )
                or 0
            )

    # ------------------------------------------------------------------ confirmations

    async def create_confirmation(
        self,
        *,
        org_id: str,
        command: str,
        permission: str,
        requester_id: str,
        channel_id: str,
        correlation_id: str,
        ttl: float,
        needs_approval: bool,
        database_id: str | None = None,
        database_name: str | None = None,
        thread_ts: str | None = None,
    ) -> Confirmation:
        now = self.clock()
        row = Confirmation(
            id=uuid.uuid4().hex,
            org_id=org_id,
            command=command,
            permission=permission,
            database_id=database_id,
            database_name=database_name,
            requester_id=requester_id,
            channel_id=channel_id,
            thread_ts=thread_ts,
            needs_approval=needs_approval,
            state=ConfirmationState.PENDING,
            correlation_id=correlation_id,
            created_at=now,
            expires_at=now + ttl,
        )
        async with self.session() as s, s.begin():
            s.add(row)
        return row

    async def set_confirmation_message(self, conf_id: str, message_ts: str) -> None:
        async with self.session() as s, s.begin():
            await s.execute(
                update(Confirmation).where(Confirmation.id == conf_id).values(message_ts=message_ts)
            )

    async def get_confirmation(self, conf_id: str) -> Confirmation | None:
        async with self.session() as s:
            return await s.get(Confirmation, conf_id)

    async def decide_confirmation(self, conf_id: str, new_state: str, by: str) -> bool:
        """Atomically move a pending, unexpired confirmation to ``new_state``.

        True for exactly one caller, however many clicks race (on one or many replicas).
        """
        now = self.clock()
        async with self.session() as s, s.begin():
            res = await s.execute(
                update(Confirmation)
                .where(
                    Confirmation.id == conf_id,
                    Confirmation.state == ConfirmationState.PENDING,
                    Confirmation.expires_at > now,
                )
                .values(state=new_state, decided_by=by, decided_at=now)
            )
            return res.rowcount == 1  # type: ignore[attr-defined,no-any-return]

    async def expire_confirmation(self, conf_id: str) -> bool:
        """Mark a pending confirmation whose time is up as ``expired`` (for the record)."""
        async with self.session() as s, s.begin():
            res = await s.execute(
                update(Confirmation)
                .where(Confirmation.id == conf_id, Confirmation.state == ConfirmationState.PENDING,
                       Confirmation.expires_at <= self.clock())
                .values(state=ConfirmationState.EXPIRED, decided_at=self.clock())
            )
            return res.rowcount == 1  # type: ignore[attr-defined,no-any-return]

    # ------------------------------------------------------------------ subscriptions

    async def subscribe(
        self,
        *,
        org_id: str,
        channel_id: str,
        database_id: str,
        database_name: str,
        by: str,
        statuses: dict[str, str] | None = None,
    ) -> bool:
        try:
            async with self.session() as s, s.begin():
                s.add(
                    Subscription(
                        org_id=org_id,
                        channel_id=channel_id,
                        database_id=database_id,
                        database_name=database_name,
                        created_by=by,
                        created_at=self.clock(),
                        last_statuses=json.dumps(statuses or {}),
                    )
                )
        except IntegrityError:
            return False
        return True

    async def unsubscribe(self, channel_id: str, database_id: str) -> bool:
        async with self.session() as s, s.begin():
            res = await s.execute(
                delete(Subscription).where(
                    Subscription.channel_id == channel_id,
                    Subscription.database_id == database_id,
                )
            )
            return bool(res.rowcount)  # type: ignore[attr-defined]

    async def subscriptions(self, channel_id: str | None = None) -> list[Subscription]:
        async with self.session() as s:
            q = select(Subscription).order_by(Subscription.id)
            if channel_id is not None:
                q = q.where(Subscription.channel_id == channel_id)
            return list((await s.scalars(q)).all())

    async def update_subscription_statuses(self, sub_id: int, statuses: dict[str, str]) -> None:
        async with self.session() as s, s.begin():
            await s.execute(
                update(Subscription)
                .where(Subscription.id == sub_id)
                .values(last_statuses=json.dumps(statuses, sort_keys=True))
            )

    # ------------------------------------------------------------------ events

    async def first_time_seen(self, key: str) -> bool:
        """True the first time a delivery key (bot/slack/guards.py: an event id, or a hash
        of a signed request) is seen; one INSERT, so every replica sees the same answer."""
        try:
            async with self.session() as s, s.begin():
                s.add(SeenEvent(event_id=key, seen_at=self.clock()))
        except IntegrityError:
            return False
        return True

    async def forget_seen(self, *, before: float) -> int:
        """Drop the delivery keys seen before ``before``; how many."""
        async with self.session() as s, s.begin():
            res = await s.execute(delete(SeenEvent).where(SeenEvent.seen_at < before))
            return int(res.rowcount)  # type: ignore[attr-defined]

"""The store: an ``AsyncEngine``, its transactions, and the Store methods callers know.

A session is opened at the edge and passed in: ``async with store.transaction() as tx:``
yields a :class:`~bot.store.tx.Tx` whose table-group repositories (``tx.rules``,
``tx.operations``, ``tx.notices``, …; one module each in bot/store/) share that session.
That is the one pattern; the few methods of :class:`Store` beyond it (the rules cache, ping)
and its remaining thin delegates (one short transaction each, for the handlers, the CLI and
the tests) open a transaction the same way. No transaction is held across an Astra or
Slack call. State changes that must happen once are conditional UPDATEs whose row count
says who won.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import AsyncIterator, Sequence
from typing import Any, Unpack

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.errors import StoreError
from bot.policy import Rules
from bot.redact import Redactor
from bot.store.errors import FAILURES, store_error, translate_errors
from bot.store.models import AuditEntry, Confirmation, Operation, Subscription
from bot.store.notices import NewNotice, NoticeBacklog
from bot.store.operations import NewOperation, OperationBacklog, Sent
from bot.store.rules import RuleRows, RulesCache
from bot.store.tx import Clock, Tx

__all__ = ["Clock", "NewNotice", "RuleRows", "Store"]


@translate_errors
class Store:
    """Every method opens its own transaction; every failure is a StoreError
    (:func:`bot.store.errors.translate_errors`)."""

    def __init__(
        self, engine: AsyncEngine, *, clock: Clock = time.time, redactor: Redactor | None = None
    ) -> None:
        self.engine = engine
        self.clock = clock
        #: what every audit row is redacted with (the composition root gives it the
        #: configured secrets; shapes and names alone otherwise)
        self.redactor = redactor or Redactor()
        self._sessions = async_sessionmaker(engine, expire_on_commit=False)
        self._rules_cache = RulesCache()

    def session(self) -> AsyncSession:
        return self._sessions()

    @contextlib.asynccontextmanager
    async def transaction(
        self, *, doing: str = "using its tables", hint: str | None = None
    ) -> AsyncIterator[Tx]:
        """One transaction (committed at the end, rolled back on an exception); a store
        failure in it is a StoreError saying what the store was ``doing``."""
        try:
            async with self._tx() as tx:
                yield tx
        except FAILURES as exc:
            raise store_error(exc, doing, hint=hint) from exc

    @contextlib.asynccontextmanager
    async def _tx(self) -> AsyncIterator[Tx]:
        # the delegates' transaction: their failures are translated by their own wrapper
        # (translate_errors), which names the method
        async with self._sessions() as s, s.begin():
            yield Tx(s, clock=self.clock, redactor=self.redactor, dialect=self.engine.dialect.name)

    async def ping(self) -> None:
        try:
            async with self.session() as s:
                await s.execute(select(1))
        except FAILURES as exc:
            raise StoreError(f"The bot's store cannot be reached ({type(exc).__name__}).") from exc

    # ------------------------------------------------------------------ permissions

    async def rules(self, admins: frozenset[str], default_guard: str | None = None) -> Rules:
        """The permission rules as they are now (:class:`bot.store.rules.RulesCache`: read
        again only when the store's rules version moved)."""
        async with self._tx() as tx:
            return await self._rules_cache.read(tx.rules, admins, default_guard)

    async def grant(
        self,
        subject_type: str,
        subject_id: str,
        role: str,
        db_glob: str | None,
        by: str,
        org: str | None = None,
    ) -> bool:
        async with self._tx() as tx:
            return await tx.rules.grant(subject_type, subject_id, role, db_glob, by, org)

    async def revoke(
        self,
        subject_type: str,
        subject_id: str,
        role: str,
        db_glob: str | None,
        org: str | None = None,
    ) -> int:
        async with self._tx() as tx:
            return await tx.rules.revoke(subject_type, subject_id, role, db_glob, org)

    async def set_guard(self, channel_id: str, role: str, by: str) -> None:
        async with self._tx() as tx:
            await tx.rules.set_guard(channel_id, role, by)

    async def remove_guard(self, channel_id: str) -> bool:
        async with self._tx() as tx:
            return await tx.rules.remove_guard(channel_id)

    async def protect(self, glob: str, by: str) -> bool:
        async with self._tx() as tx:
            return await tx.rules.protect(glob, by)

    async def unprotect(self, glob: str) -> bool:
        async with self._tx() as tx:
            return await tx.rules.unprotect(glob)

    async def create_role(self, name: str, permissions: Sequence[str], by: str) -> None:
        async with self._tx() as tx:
            await tx.rules.create_role(name, permissions, by)

    async def delete_role(self, name: str) -> bool:
        async with self._tx() as tx:
            return await tx.rules.delete_role(name)

    # ------------------------------------------------------------------ audit

    async def audit(
        self,
        *,
        correlation_id: str,
        actor_id: str,
        source: str,
        command: str,
        decision: str,
        **fields: Any,
    ) -> None:
        """Append an audit row (bot/store/audit.py: redacted, fitted to its columns);
        ``fields``: reason, channel_id, org_id, permission, database, astra_request,
        outcome, duration_ms."""
        async with self._tx() as tx:
            tx.audit.add(
                correlation_id=correlation_id,
                actor_id=actor_id,
                source=source,
                command=command,
                decision=decision,
                **fields,
            )

    async def audit_entries(
        self, *, limit: int = 20, actor_id: str | None = None, database: str | None = None
    ) -> list[AuditEntry]:
        async with self._tx() as tx:
            return await tx.audit.latest(limit=limit, actor_id=actor_id, database=database)

    # ------------------------------------------------------------------ operations

    async def add_operation(self, **fields: Any) -> Operation:
        """Record an operation (the fields of :class:`~bot.store.operations.NewOperation`)."""
        async with self._tx() as tx:
            return await tx.operations.add(NewOperation(**fields))

    async def operation_sent(self, op_id: str, database_id: str, **seen: Unpack[Sent]) -> bool:
        async with self._tx() as tx:
            return await tx.operations.sent(op_id, database_id, **seen)

    async def drop_operation(self, op_id: str) -> None:
        async with self._tx() as tx:
            await tx.operations.drop(op_id)

    async def reschedule_operation(
        self, op_id: str, at: float, owner: str | None = None, detail: dict[str, Any] | None = None
    ) -> None:
        async with self._tx() as tx:
            await tx.operations.reschedule(op_id, at, owner, detail)

    async def operations_named(self, org_id: str, name: str, kind: str) -> list[Operation]:
        async with self._tx() as tx:
            return await tx.operations.named(org_id, name, kind)

    async def pending_operations(self, *, limit: int = 200) -> list[Operation]:
        async with self._tx() as tx:
            return await tx.operations.open(limit=limit)

    async def backlog(self, *, late_before: float) -> tuple[OperationBacklog, NoticeBacklog]:
        """The watcher's backlog, as ``astra-bot doctor`` reports it (one snapshot)."""
        async with self._tx() as tx:
            return await tx.operations.backlog(late_before=late_before), await tx.notices.backlog()

    # ------------------------------------------------------------------ notices (outbox)

    async def pending_notice_count(self) -> int:
        async with self._tx() as tx:
            return await tx.notices.pending_count()

    # ------------------------------------------------------------------ confirmations

    async def create_confirmation(self, **fields: Any) -> Confirmation:
        """A pending confirmation (the keywords of
        :meth:`~bot.store.confirmations.ConfirmationRepo.create`)."""
        async with self._tx() as tx:
            return await tx.confirmations.create(**fields)

    async def set_confirmation_message(self, conf_id: str, message_ts: str) -> None:
        async with self._tx() as tx:
            await tx.confirmations.set_message(conf_id, message_ts)

    async def get_confirmation(self, conf_id: str) -> Confirmation | None:
        async with self._tx() as tx:
            return await tx.confirmations.get(conf_id)

    async def decide_confirmation(self, conf_id: str, new_state: str, by: str) -> bool:
        async with self._tx() as tx:
            return await tx.confirmations.decide(conf_id, new_state, by)

    async def expire_confirmation(self, conf_id: str) -> bool:
        async with self._tx() as tx:
            return await tx.confirmations.expire(conf_id)

    # ------------------------------------------------------------------ subscriptions

    async def subscribe(self, **fields: Any) -> bool:
        """Watch a database in a channel (the keywords of
        :meth:`~bot.store.watches.WatchRepo.subscribe`); False if it was already."""
        async with self._tx() as tx:
            return await tx.watches.subscribe(**fields)

    async def unsubscribe(self, channel_id: str, database_id: str) -> bool:
        async with self._tx() as tx:
            return await tx.watches.unsubscribe(channel_id, database_id)

    async def subscriptions(self, channel_id: str | None = None) -> list[Subscription]:
        async with self._tx() as tx:
            return await tx.watches.subscriptions(channel_id)

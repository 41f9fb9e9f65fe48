"""Leases on the rows the watcher works through (operations, notices): taken in one
statement, so replicas share the work without waiting (DESIGN §4, §5)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import ColumnElement, select, update

from bot.store.models import Notice, Operation

if TYPE_CHECKING:
    from bot.store.tx import Tx

Leased = TypeVar("Leased", Operation, Notice)


async def claim(
    tx: Tx,
    model: type[Leased],
    due: ColumnElement[bool],
    order: Any,
    owner: str,
    *,
    lease_s: float,
    limit: int,
) -> list[Leased]:
    """Lease the rows matching ``due``, in one statement:
    ``UPDATE … WHERE id IN (SELECT … [FOR UPDATE SKIP LOCKED]) AND <due> RETURNING``.
    ``due`` is repeated in the UPDATE so that a replica acting on a stale read never
    takes a row another has just finished (operations and notices alike)."""
    ids = select(model.id).where(due).order_by(order).limit(limit)
    if tx.dialect == "postgresql":
        ids = ids.with_for_update(skip_locked=True)
    stmt = (
        update(model)
        .where(model.id.in_(ids.scalar_subquery()), due)
        .values(lease_owner=owner, lease_until=tx.clock() + lease_s)
        .returning(model)
        .execution_options(synchronize_session=False)
    )
    return list((await tx.session.scalars(stmt)).all())


async def release(tx: Tx, owner: str) -> None:
    """Give back every lease ``owner`` holds (a replica shutting down)."""
    for model in (Operation, Notice):
        await tx.session.execute(
            update(model)
            .where(model.lease_owner == owner)
            .values(lease_owner=None, lease_until=None)
        )

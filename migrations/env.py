"""Alembic environment, async-aware.

Called two ways: programmatically by bot.store.db (a sync connection handed over in
``config.attributes["connection"]`` from ``AsyncConnection.run_sync``), or by the
``alembic`` command line, which reads DATABASE_URL and runs on an async engine.
"""

from __future__ import annotations

import asyncio
import os

from alembic import context
from sqlalchemy import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from bot.store.models import Base

config = context.config
target_metadata = Base.metadata


def _do_run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_async(url: str) -> None:
    engine = create_async_engine(url)
    async with engine.begin() as conn:
        await conn.run_sync(_do_run)
    await engine.dispose()


def run_migrations_offline() -> None:
    url = os.environ.get("DATABASE_URL", "sqlite+aiosqlite:///astra-bot.db")
    context.configure(url=url, target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _do_run(connection)
        return
    asyncio.run(_run_async(os.environ.get("DATABASE_URL", "sqlite+aiosqlite:///astra-bot.db")))


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()

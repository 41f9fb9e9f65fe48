"""Engine creation and migrations (Alembic, run programmatically on the async engine).

`astra-bot migrate` and `serve` (on SQLite) call :func:`migrate`; `serve` on PostgreSQL
only checks :func:`is_at_head`, so that several replicas never race on a migration: the
Procfile's release phase runs `astra-bot migrate` once.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, event, inspect, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from bot.errors import StoreError

if TYPE_CHECKING:
    from alembic.config import Config

# The latest revision in migrations/versions (a test keeps them equal). Knowing it without
# loading Alembic keeps start-up short: a store at head needs no migration run at all.
HEAD = "0004"


def make_engine(url: str, *, echo: bool = False) -> AsyncEngine:
    """An async engine; SQLite gets WAL and a busy timeout so the watcher and the web
    handlers can share one file."""
    kwargs: dict[str, Any] = {"echo": echo}
    if url.startswith("sqlite"):
        kwargs["connect_args"] = {"timeout": 30}
    else:
        kwargs["pool_pre_ping"] = True
    engine = create_async_engine(url, **kwargs)
    if url.startswith("sqlite"):

        @event.listens_for(engine.sync_engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            if ":memory:" not in url and "mode=memory" not in url:
                cur.execute("PRAGMA journal_mode=WAL")
                # WAL + NORMAL: a commit survives the process being killed (kill -9 tests);
                # only a power loss may drop the last commits. Halves the fsyncs per command.
                cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()

    return engine


def alembic_config() -> Config:
    from alembic.config import Config

    import migrations

    cfg = Config()
    cfg.set_main_option("script_location", str(Path(migrations.__file__).parent))
    return cfg


def head_revision() -> str | None:
    """The head according to Alembic's scripts (slow to load; HEAD is the fast answer)."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def _upgrade(conn: Connection, target: str) -> None:
    from alembic import command

    cfg = alembic_config()
    cfg.attributes["connection"] = conn
    command.upgrade(cfg, target)


def _downgrade(conn: Connection, target: str) -> None:
    from alembic import command

    cfg = alembic_config()
    cfg.attributes["connection"] = conn
    command.downgrade(cfg, target)


def _current(conn: Connection) -> str | None:
    # what Alembic's MigrationContext reads, without importing Alembic
    if not inspect(conn).has_table("alembic_version"):
        return None
    return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


async def migrate(engine: AsyncEngine, target: str = "head") -> None:
    if target == "head" and await current_revision(engine) == HEAD:
        return  # nothing to do: skip loading Alembic and its scripts
    try:
        async with engine.begin() as conn:
            await conn.run_sync(_upgrade, target)
    except SQLAlchemyError as exc:
        raise StoreError(f"Could not migrate the store: {type(exc).__name__}.") from exc


async def downgrade(engine: AsyncEngine, target: str) -> None:
    async with engine.begin() as conn:
        await conn.run_sync(_downgrade, target)


async def current_revision(engine: AsyncEngine) -> str | None:
    try:
        async with engine.connect() as conn:
            return await conn.run_sync(_current)
    except (SQLAlchemyError, OSError) as exc:
        raise StoreError(f"The store cannot be reached: {type(exc).__name__}.") from exc


async def is_at_head(engine: AsyncEngine) -> bool:
    return await current_revision(engine) == HEAD

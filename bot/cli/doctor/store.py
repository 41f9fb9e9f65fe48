"""The doctor's store checks: reachable, migrated to head, no watcher backlog."""

from __future__ import annotations

from pathlib import Path

from bot.cli.doctor.report import Check
from bot.errors import BotError
from bot.settings import Settings


def judge_migrations(current: str | None, head: str | None, known: bool, postgres: bool) -> Check:
    cid, title = "store.migrations", "store schema"
    data = {"current": current, "head": head}
    if current == head:
        return Check(cid, title, "ok", f"at head ({head})", data=data)
    if not known:
        return Check(
            cid,
            title,
            "fail",
            f"at {current}, a revision this version does not know (a newer astra-bot migrated it?)",
            "Deploy the newer version, or restore the store from before the upgrade.",
            data,
        )
    where = f"at {current or 'empty (no tables)'}, head is {head}"
    if postgres:
        return Check(
            cid,
            title,
            "fail",
            f"not migrated: {where}; `serve` refuses to start",
            "Run `astra-bot migrate` once (the Procfile's release phase).",
            data,
        )
    return Check(
        cid,
        title,
        "warn",
        f"not migrated: {where}",
        "`astra-bot serve` migrates SQLite at start; or run `astra-bot migrate`.",
        data,
    )


def judge_backlog(
    pending: int,
    overdue: int,
    max_late_s: float,
    notices_pending: int,
    notices_failing: int,
    last_error: str | None,
) -> Check:
    cid, title = "watcher.backlog", "watcher backlog"
    data = {
        "operations_pending": pending,
        "operations_overdue": overdue,
        "max_late_s": round(max_late_s, 1),
        "notices_pending": notices_pending,
        "notices_failing": notices_failing,
    }
    base = f"{pending} operation(s) in progress, {notices_pending} notice(s) to send"
    if overdue:
        return Check(
            cid,
            title,
            "warn",
            f"{base}; {overdue} overdue by up to {int(max_late_s)} s: no watcher is running?",
            "Run the watcher: `astra-bot serve` (without --no-watcher) or `astra-bot worker`.",
            data,
        )
    if notices_failing:
        return Check(
            cid,
            title,
            "warn",
            f"{base}; {notices_failing} refused by Slack (last: {last_error})",
            "Invite the bot to those channels, or fix the Slack token (see slack.auth).",
            data,
        )
    return Check(cid, title, "ok", base, data=data)


def _sqlite_missing(driver: str, database: str | None, url: str) -> bool:
    return (
        driver.startswith("sqlite")
        and bool(database)
        and database != ":memory:"
        and "mode=memory" not in url
        and not Path(database or "").exists()
    )


def _no_store_yet(database: str) -> list[Check]:
    """The checks of a SQLite store whose file does not exist yet."""
    return [
        Check(
            "store.reachable",
            "store",
            "warn",
            f"{database} does not exist yet",
            "`astra-bot serve` creates and migrates it; or run `astra-bot migrate`.",
        ),
        Check("store.migrations", "store schema", "skip", "no store yet"),
        Check("watcher.backlog", "watcher backlog", "skip", "no store yet"),
    ]


def _store_unreachable(shown: str, err: BotError) -> list[Check]:
    """The checks of a store the bot cannot reach."""
    return [
        Check(
            "store.reachable",
            "store",
            "fail",
            f"{shown}: {err.user_message}",
            "Check DATABASE_URL (host, port, user, password, database) and that "
            "the database server runs.",
        ),
        Check("store.migrations", "store schema", "skip", "store unreachable"),
        Check("watcher.backlog", "watcher backlog", "skip", "store unreachable"),
    ]


async def store_checks(settings: Settings, now: float) -> list[Check]:
    from sqlalchemy.engine import make_url

    from bot.store.db import current_revision, head_revision, make_engine
    from bot.store.repo import Store

    url = make_url(settings.database_url)
    shown = url.render_as_string(hide_password=True)
    if _sqlite_missing(url.drivername, url.database, str(url)):
        # Connecting would create the file: say so instead.
        return _no_store_yet(str(url.database))
    engine = make_engine(settings.database_url)
    try:
        try:
            current = await current_revision(engine)
        except BotError as err:
            return _store_unreachable(shown, err)
        head = head_revision()
        from alembic.script import ScriptDirectory

        from bot.store.db import alembic_config

        known = (
            current is None
            or ScriptDirectory.from_config(alembic_config()).get_revision(current) is not None
        )
        checks = [
            Check("store.reachable", "store", "ok", shown),
            judge_migrations(current, head, known, settings.is_postgres),
        ]
        if current != head:
            checks.append(Check("watcher.backlog", "watcher backlog", "skip", "store not at head"))
            return checks
        late_after = max(60.0, 3 * settings.poll_interval)
        ops, notices = await Store(engine).backlog(late_before=now - late_after)
        oldest = ops.oldest_due
        checks.append(
            judge_backlog(
                ops.open,
                ops.overdue,
                now - oldest if oldest is not None else 0.0,
                notices.waiting,
                notices.failing,
                notices.last_error,
            )
        )
        return checks
    finally:
        await engine.dispose()

"""db reset-password, db engine: a classic database user's new password, and a serverless
database's engine type.

The new password is made here (``secrets``: 24 URL-safe characters, past the document's
"min 6 characters"), sent once, and shown once, only to the requester, in a message marked
secret; the audit row, the channel and the logs name the user and the database, never the
password, and the bot stores it nowhere. Typing a password into Slack would leave it in the
channel's history, so the command takes none.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from bot.astra.models import ENGINE_TYPES, Database, is_classic_tier
from bot.commands.admin import ResetPassword, SetEngineType
from bot.errors import UsageError
from bot.render import admin as words
from bot.service.outcome import Outcome
from bot.service.registry import Call, Handlers, handles, prechecks
from bot.service.resolve import name_of

#: Bytes of randomness of a new password (``token_urlsafe``: 24 characters).
PASSWORD_BYTES = 18


def _engine_of(db: Database) -> str:
    return "cassandra-vector" if db.info.db_type == "vector" else "serverless"


@dataclass(frozen=True)
class DbSettingHandlers(Handlers):
    """`db reset-password` and `db engine`."""

    @prechecks(ResetPassword)
    async def classic(self, cmd: ResetPassword, call: Call) -> None:
        found = call.database
        if not is_classic_tier(found.info.tier):
            raise UsageError(
                f"{name_of(found)} is a serverless database: it has no database user password "
                "to reset (the DevOps API resets passwords of classic databases).",
                hint="Serverless databases are reached with application tokens "
                "(`/astra token create`).",
            )

    @handles(ResetPassword)
    async def reset_password(self, cmd: ResetPassword, call: Call) -> Outcome:
        db = call.database
        password = secrets.token_urlsafe(PASSWORD_BYTES)
        await call.org.astra.reset_password(db.id, cmd.username, password)
        return Outcome(
            f"password of database user {cmd.username} on {name_of(db)} reset",
            private=words.password_once(name_of(db), cmd.username, password),
            channel=words.password_reset(call.req.user_id, name_of(db), cmd.username),
        )

    @prechecks(SetEngineType)
    async def serverless(self, cmd: SetEngineType, call: Call) -> None:
        if cmd.engine not in ENGINE_TYPES:
            raise UsageError(
                f"`{cmd.engine}` is not an engine type: use {' or '.join(ENGINE_TYPES)}.",
                usage=cmd.spec.usage,
            )
        found = call.database
        if is_classic_tier(found.info.tier):
            raise UsageError(
                f"{name_of(found)} is a classic database: the engine type is only for "
                "serverless databases (the DevOps API's updateEngineType)."
            )

    @handles(SetEngineType)
    async def engine(self, cmd: SetEngineType, call: Call) -> Outcome:
        db = call.database
        before = _engine_of(db)
        await call.org.astra.update_engine_type(db.id, cmd.engine)
        return Outcome(
            f"engine type of {name_of(db)}: {before} → {cmd.engine}",
            channel=words.engine_set(call.req.user_id, name_of(db), before, cmd.engine),
        )

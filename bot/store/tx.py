"""One transaction of the store: a session opened at the edge, with every table group's
repository bound to it, so that what must happen together is written together."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from bot.redact import Redactor
from bot.store.audit import AuditRepo
from bot.store.channel_orgs import ChannelOrgRepo
from bot.store.confirmations import ConfirmationRepo
from bot.store.notices import NoticeRepo
from bot.store.operations import OperationRepo
from bot.store.requests import RequestRepo
from bot.store.rules import RuleRepo
from bot.store.watches import WatchRepo

Clock = Callable[[], float]


class Tx:
    """A session in a transaction (committed when the ``async with`` ends, rolled back on
    an exception), and the group repositories bound to it."""

    def __init__(
        self, session: AsyncSession, *, clock: Clock, redactor: Redactor, dialect: str
    ) -> None:
        self.session = session
        #: "postgresql" or "sqlite": where the two differ (locks, SKIP LOCKED, upserts)
        self.dialect = dialect
        self.clock = clock
        self.redactor = redactor
        self.rules = RuleRepo(self)
        self.audit = AuditRepo(self)
        self.operations = OperationRepo(self)
        self.notices = NoticeRepo(self)
        self.confirmations = ConfirmationRepo(self)
        self.watches = WatchRepo(self)
        self.requests = RequestRepo(self)
        self.channel_orgs = ChannelOrgRepo(self)

    def insert_new(self, model: Any) -> postgresql.Insert | sqlite.Insert:
        """``INSERT … ON CONFLICT DO NOTHING`` for ``model`` (SQLite and PostgreSQL both
        have it): a row that exists already is no error, and the transaction goes on; the
        row count says whether it was added."""
        ins = postgresql.insert(model) if self.dialect == "postgresql" else sqlite.insert(model)
        return ins.on_conflict_do_nothing()

    async def add_new(self, model: Any, **values: Any) -> bool:
        """Add a row unless one with the same key exists; True if added."""
        res = await self.session.execute(self.insert_new(model).values(**values))
        return int(res.rowcount) == 1  # type: ignore[attr-defined]

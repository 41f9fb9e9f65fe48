"""The App Home tab of one user, and the operations in progress (shell and Home alike)."""

from __future__ import annotations

from typing import Any

from bot import render
from bot.astra.client import AstraClient
from bot.errors import AstraError
from bot.intents import SPECS
from bot.policy import Place, decide, visible_commands
from bot.redact import Redactor
from bot.render import DbView
from bot.render.home import MAY_NOT_LIST
from bot.render.perm import roles_line
from bot.service.context import Context
from bot.service.progress import op_view
from bot.service.views import db_view
from bot.store.repo import Store


class Home:
    """What one user sees on the bot's Home tab, as the policy lets them see it.
    ``ctx``: the rules, actors and clock; ``store``: the operations and watches."""

    def __init__(self, ctx: Context, store: Store, astra: AstraClient, redactor: Redactor) -> None:
        self.ctx = ctx
        self.store = store
        self.astra = astra
        self.redactor = redactor

    async def in_progress(self, *, limit: int = 200) -> list[render.OpView]:
        """The operations not finished yet, oldest first."""
        return [op_view(o) for o in await self.store.pending_operations(limit=limit)]

    async def _databases(self, may_list: bool) -> tuple[list[DbView] | None, str]:
        if not may_list:
            return None, MAY_NOT_LIST
        try:
            dbs = await self.astra.list_databases()
        except AstraError as err:
            return None, err.user_message
        return sorted((db_view(d) for d in dbs), key=lambda v: v.name.lower()), ""

    async def view(self, user_id: str) -> dict[str, Any]:
        """The Home tab of one user: rights, databases (if they may list them), operations
        in progress, watches. Home is not a channel: no guard applies, and no channel's
        binding. Each item is shown only if the policy lets this user run the command that
        would show it: `db status` of an operation's database, `watch` of a watched one
        (`watch all` for a watch of every database)."""
        rules, actor = await self.ctx.rules_and_actor(user_id)
        place = Place(channel_id="", is_dm=True)
        allowed = [c.name for c in visible_commands(rules, actor, place) if not c.open_to_all]

        def may(permission: str, name: str | None) -> bool:
            return decide(rules, actor, place, SPECS[permission], name).allowed

        dbs, note = await self._databases(may("db.list", None))
        ops = [o for o in await self.in_progress() if may("db.status", o.database_name)][:15]
        watches = [
            (w.channel_id, w.database_name)
            for w in await self.store.subscriptions()
            if may("watch", None if w.database_id == "*" else w.database_name)
        ]
        view = render.home_view(
            roles=roles_line(rules, actor, place),
            allowed=allowed,
            dbs=dbs,
            operations=ops,
            watches=watches,
            now=self.ctx.now(),
            note=note,
        )
        redacted: dict[str, Any] = self.redactor.data(view)  # a page Slack shows, like a post
        return redacted

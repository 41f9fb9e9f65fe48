"""The App Home tab of one user, and the operations in progress (shell and Home alike)."""

from __future__ import annotations

import asyncio
from typing import Any

from bot import render
from bot.astra.orgs import Org
from bot.errors import AstraError
from bot.intents import SPECS
from bot.policy import Actor, Place, Rules, decide, visible_commands
from bot.redact import Redactor
from bot.render import DbView
from bot.render.home import MAY_NOT_LIST, OrgHome
from bot.render.perm import roles_line
from bot.service.context import Context
from bot.service.progress import op_view
from bot.service.views import db_view
from bot.store.repo import Store


class Home:
    """What one user sees on the bot's Home tab, as the policy lets them see it, org by org.
    ``ctx``: the rules, actors, clock and orgs; ``store``: the operations and watches."""

    def __init__(self, ctx: Context, store: Store, redactor: Redactor) -> None:
        self.ctx = ctx
        self.store = store
        self.redactor = redactor

    async def in_progress(self, *, limit: int = 200) -> list[render.OpView]:
        """The operations not finished yet, oldest first."""
        return [op_view(o) for o in await self.store.pending_operations(limit=limit)]

    async def _databases(self, org: Org, may_list: bool) -> tuple[list[DbView] | None, str]:
        if not may_list:
            return None, MAY_NOT_LIST
        try:
            dbs = await org.astra.list_databases()
        except AstraError as err:
            return None, err.user_message
        return sorted((db_view(d) for d in dbs), key=lambda v: v.name.lower()), ""

    async def _org_home(self, rules: Rules, actor: Actor, org: Org, several: bool) -> OrgHome:
        """One org's rights and databases. Home is not a channel: no guard applies, and no
        channel's binding."""
        place = Place(channel_id="", is_dm=True, org=org.name)
        allowed = [c.name for c in visible_commands(rules, actor, place) if not c.open_to_all]
        may_list = decide(rules, actor, place, SPECS["db.list"], None).allowed
        dbs, note = await self._databases(org, may_list)
        roles = roles_line(rules, actor, place, several=several)
        return OrgHome(org.name if several else None, roles, allowed, dbs, note)

    def _org_named(self, org_id: str) -> str | None:
        """The configured name of the org an operation or watch was stored with (None: an
        org no longer configured, where only what holds in every org counts)."""
        found = self.ctx.orgs.by_id(org_id)
        return found.name if found is not None else None

    async def view(self, user_id: str) -> dict[str, Any]:
        """The Home tab of one user: per org, rights and databases (if they may list them);
        then operations in progress and watches. Each item is shown only if the policy lets
        this user run, in the item's org, the command that would show it: `db status` of an
        operation's database, `watch` of a watched one (`watch all` for every database)."""
        rules, actor = await self.ctx.rules_and_actor(user_id)
        several = self.ctx.orgs.several
        orgs = await asyncio.gather(
            *(self._org_home(rules, actor, o, several) for o in self.ctx.orgs)
        )

        def may(permission: str, name: str | None, org_id: str) -> bool:
            place = Place(channel_id="", is_dm=True, org=self._org_named(org_id))
            return decide(rules, actor, place, SPECS[permission], name).allowed

        pending = await self.store.pending_operations(limit=200)
        ops = [op_view(o) for o in pending if may("db.status", o.database_name, o.org_id)][:15]
        watches = [
            (w.channel_id, w.database_name)
            for w in await self.store.subscriptions()
            if may("watch", None if w.database_id == "*" else w.database_name, w.org_id)
        ]
        view = render.home_view(orgs=orgs, operations=ops, watches=watches, now=self.ctx.now())
        redacted: dict[str, Any] = self.redactor.data(view)  # a page Slack shows, like a post
        return redacted

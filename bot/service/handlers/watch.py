"""watch: this channel is told of status changes; list and stop."""

from __future__ import annotations

from bot import render
from bot.astra.models import Database
from bot.errors import NotFound
from bot.intents import Intent
from bot.ports import Replier
from bot.render.mrkdwn import md, user
from bot.service.context import Context, Request
from bot.service.outcome import Outcome
from bot.service.registry import Entry


class WatchHandlers:
    """The `watch` commands."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def entries(self) -> list[Entry]:
        return [
            Entry("watch", handler=self.watch),
            Entry("watch.list", handler=self.list),
            Entry("watch.stop", handler=self.stop),
        ]

    async def watch(
        self, req: Request, intent: Intent, reply: Replier, db: Database | None
    ) -> Outcome:
        org = await self.ctx.org_id()
        seen: dict[str, str] = {}
        if db is None:  # `watch all`: the command table allows no other database-less form
            db_id, name = "*", "all databases"
        else:  # resolved and decided on by the dispatcher
            db_id, name = db.id, db.info.name or db.id
            seen = {db.id: db.status}  # what the channel knows now is no news later
        added = await self.ctx.store.subscribe(
            org_id=org,
            channel_id=req.channel_id,
            database_id=db_id,
            database_name=name,
            by=req.user_id,
            statuses=seen,
        )
        text = (
            md(
                ":eyes: {} is watching *{}*: this channel will be told of every status change.",
                user(req.user_id),
                name,
            )
            if added
            else md("This channel already watches *{}*.", name)
        )
        if added:
            return Outcome(f"watch {name}", channel=render.plain(text))
        return Outcome(f"watch {name}", private=render.plain(text))

    async def list(
        self, req: Request, intent: Intent, reply: Replier, db: Database | None
    ) -> Outcome:
        subs = await self.ctx.store.subscriptions(req.channel_id)
        lines = [
            f"*{s.database_name}*" + (f" `{s.database_id}`" if s.database_id != "*" else "")
            for s in subs
        ]
        return Outcome(
            render.count(len(subs), "watch", "watches"),
            private=render.bullet_list("Watched in this channel", lines),
        )

    async def stop(
        self, req: Request, intent: Intent, reply: Replier, db: Database | None
    ) -> Outcome:
        ref = intent.arg("db")
        subs = await self.ctx.store.subscriptions(req.channel_id)
        match = [
            s
            for s in subs
            if ref in {s.database_id, s.database_name} or (ref == "all" and s.database_id == "*")
        ]
        if not match:
            raise NotFound(
                f"This channel does not watch `{ref}`.",
                hint="`/astra watch list` shows what it watches.",
            )
        for s in match:
            await self.ctx.store.unsubscribe(req.channel_id, s.database_id)
        return Outcome(
            f"unwatch {ref}",
            private=render.plain(f"Stopped watching *{match[0].database_name}* here."),
        )

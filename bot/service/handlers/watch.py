"""watch: this channel is told of status changes; list and stop."""

from __future__ import annotations

from dataclasses import dataclass

from bot.commands.chat import ListWatches, StopWatching, WatchDatabase
from bot.errors import NotFound
from bot.render import chat
from bot.service.outcome import Outcome
from bot.service.registry import Call, Handlers, handles
from bot.store.repo import Store


@dataclass(frozen=True)
class WatchHandlers(Handlers):
    """The `watch` commands."""

    store: Store

    @handles(WatchDatabase)
    async def watch(self, cmd: WatchDatabase, call: Call) -> Outcome:
        seen: dict[str, str] = {}
        db = call.db
        if db is None:  # `watch all`: the command table allows no other database-less form
            db_id, name = "*", "all databases"
        else:  # resolved and decided on by the dispatcher
            db_id, name = db.id, db.info.name or db.id
            seen = {db.id: db.status}  # what the channel knows now is no news later
        req = call.req
        added = await self.store.subscribe(
            org_id=await call.org.org_id(),
            channel_id=req.channel_id,
            database_id=db_id,
            database_name=name,
            by=req.user_id,
            statuses=seen,
        )
        said = chat.watching(req.user_id, name, added)
        if added:
            return Outcome(f"watch {name}", channel=said)
        return Outcome(f"watch {name}", private=said)

    @handles(ListWatches)
    async def list(self, cmd: ListWatches, call: Call) -> Outcome:
        audit, message = chat.watch_list(await self.store.subscriptions(call.req.channel_id))
        return Outcome(audit, private=message)

    @handles(StopWatching)
    async def stop(self, cmd: StopWatching, call: Call) -> Outcome:
        ref, here, org_id = cmd.db, call.req.channel_id, await call.org.org_id()
        match = [
            s
            for s in await self.store.subscriptions(here)
            if s.org_id == org_id
            and (ref in {s.database_id, s.database_name} or (ref == "all" and s.database_id == "*"))
        ]
        if not match:
            raise NotFound(
                f"This channel does not watch `{ref}`.",
                hint="`/astra watch list` shows what it watches.",
            )
        for s in match:
            await self.store.unsubscribe(here, s.database_id)
        return Outcome(f"unwatch {ref}", private=chat.watch_stopped(match[0].database_name))

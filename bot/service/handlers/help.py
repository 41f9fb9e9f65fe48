"""help: the commands this person may run here, by topic."""

from __future__ import annotations

from bot import render
from bot.astra.models import Database
from bot.intents import Intent, specs_for_topic
from bot.policy import visible_commands
from bot.ports import Replier
from bot.service.context import Context, Request
from bot.service.outcome import Outcome
from bot.service.registry import Entry
from bot.service.views import roles_line


class HelpHandlers:
    """The `help` command."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def entries(self) -> list[Entry]:
        return [
            Entry("help", handler=self.help),
        ]

    async def help(
        self, req: Request, intent: Intent, reply: Replier, db: Database | None
    ) -> Outcome:
        topic = intent.opt("topic")
        specs = specs_for_topic(topic)
        rules = await self.ctx.rules()
        actor = await self.ctx.actor(req.user_id, rules)
        allowed = {c.permission for c in visible_commands(rules, actor, req.place)}
        mine = [c for c in specs if c.permission in allowed]
        roles = roles_line(rules, actor, req.place)
        return Outcome(
            f"help ({render.count(len(mine), 'command')})",
            private=render.help_message(mine, topic=topic, roles=roles),
        )

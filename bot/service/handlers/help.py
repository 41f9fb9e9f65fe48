"""help: the commands this person may run here, by topic."""

from __future__ import annotations

from dataclasses import dataclass

from bot import render
from bot.commands.chat import ShowHelp
from bot.intents import specs_for_topic
from bot.policy import visible_commands
from bot.render.org import org_option
from bot.render.perm import roles_line
from bot.service.context import Context
from bot.service.outcome import Outcome
from bot.service.registry import Call, Handlers, handles


@dataclass(frozen=True)
class HelpHandlers(Handlers):
    """The `help` command. ``ctx``: the rules and actors of this request."""

    ctx: Context

    @handles(ShowHelp)
    async def help(self, cmd: ShowHelp, call: Call) -> Outcome:
        place, specs = call.req.place, specs_for_topic(cmd.topic)
        rules, actor = await self.ctx.rules_and_actor(call.req.user_id)
        allowed = {c.permission for c in visible_commands(rules, actor, place)}
        mine = [c for c in specs if c.permission in allowed]
        orgs = self.ctx.orgs
        org_line = org_option(orgs.names, call.org.name) if orgs.several else None
        return Outcome(
            f"help ({render.count(len(mine), 'command')})",
            private=render.help_message(
                mine, topic=cmd.topic, roles=roles_line(rules, actor, place), org_line=org_line
            ),
        )

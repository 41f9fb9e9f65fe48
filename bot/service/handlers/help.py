"""help: the commands this person may run here, by topic, in the command's org (with several
orgs, how `--org` works and how many commands each other org allows)."""

from __future__ import annotations

from dataclasses import dataclass, replace

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
        orgs, org = self.ctx.orgs, call.org.name
        place, specs = replace(call.req.place, org=org), specs_for_topic(cmd.topic)
        rules, actor = await self.ctx.rules_and_actor(call.req.user_id)
        allowed = {c.permission for c in visible_commands(rules, actor, place)}
        mine = [c for c in specs if c.permission in allowed]
        others = {
            o: sum(1 for c in visible_commands(rules, actor, replace(place, org=o)) if c in specs)
            for o in orgs.names
            if orgs.several and o != org
        }
        roles = roles_line(rules, actor, place, several=orgs.several)
        return Outcome(
            f"help ({render.count(len(mine), 'command')})",
            private=render.help_message(
                mine,
                topic=cmd.topic,
                roles=roles,
                org=org if orgs.several else None,
                others=others,
                org_line=org_option(orgs.names, org) if orgs.several else None,
            ),
        )

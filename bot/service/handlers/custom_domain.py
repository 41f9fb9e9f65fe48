"""custom-domain: add, remove or replace the organization's custom domains.

The DevOps API has one write, setCustomDomains, which replaces the whole set: each
command reads the set, changes it and sends it whole. A change that removes a domain is
confirmed first (private-link hostnames under it stop resolving); a confirmed one reads
the set again when it is clicked, so that a domain added meanwhile is kept.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.astra.client import AstraClient
from bot.commands import network as cmds
from bot.errors import NotFound
from bot.render import network as words
from bot.service.outcome import Outcome
from bot.service.registry import Call, Handlers, confirms, escalates, handles, prechecks


@dataclass(frozen=True)
class CustomDomainHandlers(Handlers):
    """The `custom-domain` changes (`custom-domain list` is in org.py)."""

    async def _replace(
        self, astra: AstraClient, by: str, now: Sequence[str], wanted: Sequence[str]
    ) -> Outcome:
        """Send ``wanted`` as the whole set (nothing when it is ``now`` already)."""
        wanted = list(dict.fromkeys(wanted))
        added = [d for d in wanted if d not in now]
        removed = [d for d in now if d not in wanted]
        if not added and not removed:
            return Outcome(*words.domains_unchanged(now))
        await astra.set_custom_domains(wanted)
        audit, channel = words.domains_set(by, added, removed, wanted)
        return Outcome(audit, channel=channel)

    @handles(cmds.AddCustomDomains)
    async def add(self, cmd: cmds.AddCustomDomains, call: Call) -> Outcome:
        now = await call.org.astra.list_custom_domains()
        return await self._replace(call.org.astra, call.req.user_id, now, [*now, *cmd.domains])

    @prechecks(cmds.RemoveCustomDomains)
    async def removable(self, cmd: cmds.RemoveCustomDomains, call: Call) -> None:
        now = await call.org.astra.list_custom_domains()
        unknown = [d for d in cmd.domains if d not in now]
        if unknown:
            raise NotFound(f"`{unknown[0]}` is not one of the custom domains.")

    @confirms(cmds.RemoveCustomDomains)
    async def remove(self, cmd: cmds.RemoveCustomDomains, call: Call) -> Outcome:
        now = await call.org.astra.list_custom_domains()
        kept = [d for d in now if d not in cmd.domains]
        return await self._replace(call.org.astra, call.req.user_id, now, kept)

    @escalates(cmds.SetCustomDomains)
    async def removes_some(self, cmd: cmds.SetCustomDomains, call: Call) -> str | None:
        """Confirmed first when the new set leaves out a domain there is today."""
        gone = [d for d in await call.org.astra.list_custom_domains() if d not in cmd.domains]
        return words.domains_removal(gone) if gone else None

    @handles(cmds.SetCustomDomains)
    async def set(self, cmd: cmds.SetCustomDomains, call: Call) -> Outcome:
        now = await call.org.astra.list_custom_domains()
        return await self._replace(call.org.astra, call.req.user_id, now, cmd.domains)

    @confirms(cmds.SetCustomDomains)
    async def set_confirmed(self, cmd: cmds.SetCustomDomains, call: Call) -> Outcome:
        return await self.set(cmd, call)

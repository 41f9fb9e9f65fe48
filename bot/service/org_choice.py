"""The org of a command, decided once: ``--org``, else the channel's (`org use`), else the
default org (DESIGN §2, §5); and an org whose token Astra refuses, said plainly."""

from __future__ import annotations

import difflib

from bot.astra.orgs import Org, Orgs
from bot.commands import Command, CommandSpec
from bot.errors import AstraError, BotError, UsageError
from bot.render import org as words
from bot.store.repo import Store

#: Commands that never ask Astra: they run in an org whose token is refused.
NO_ASTRA = frozenset({"help", "perm", "audit", "org.list", "org.use", "org.show", "watch.list"})


def _needs_astra(spec: CommandSpec) -> bool:
    return spec.noun not in NO_ASTRA and spec.permission not in NO_ASTRA


class OrgChoice:
    """Which configured org a command runs in. With one org it is always that one, and
    the store is not asked (nothing changes for a single-org bot)."""

    def __init__(self, orgs: Orgs, store: Store) -> None:
        self.orgs = orgs
        self.store = store

    def named(self, name: str) -> Org:
        """The configured org ``name``; a UsageError listing the names, with a "did you
        mean", when there is none."""
        org = self.orgs.get(name)
        if org is not None:
            return org
        near = difflib.get_close_matches(name, self.orgs.names, n=2, cutoff=0.5)
        raise UsageError(
            words.unknown_org(name, self.orgs.names),
            suggestions=[f"--org {n}" for n in near],
            hint="`/astra org list` shows them.",
        )

    async def stored(self, channel_id: str) -> str | None:
        """The org ``channel_id`` chose with `org use` (None: it uses the default)."""
        async with self.store.transaction(doing="reading the channel's org") as tx:
            return await tx.channel_orgs.of(channel_id)

    async def of_channel(self, channel_id: str) -> Org:
        """The org of ``channel_id`` for what comes before a command is parsed (its form, a
        usage error): the channel's (`org use`), else the default."""
        name = await self.stored(channel_id) if self.orgs.several else None
        return (self.orgs.get(name) if name else None) or self.orgs.default

    async def of(self, channel_id: str, cmd: Command) -> Org:
        """The org ``cmd`` runs in, typed in ``channel_id``."""
        if cmd.org is not None:
            return self.named(cmd.org)
        if not self.orgs.several:
            return self.orgs.default
        name = await self.stored(channel_id)
        if name is None:
            return self.orgs.default
        org = self.orgs.get(name)
        if org is not None:
            return org
        if cmd.spec.noun in {"org", "help"}:  # how the channel gets out of it
            return self.orgs.default
        message, hint = words.stale_org(name)
        raise BotError(message, hint=hint)

    async def ready(self, org: Org, spec: CommandSpec) -> None:
        """Before a command that asks Astra, with several orgs: an org whose token Astra
        refuses is said to be so (the others are served as usual)."""
        if not self.orgs.several or org.id is not None or not _needs_astra(spec):
            return
        try:
            await org.org_id()
        except AstraError as err:
            if err.status_code not in {401, 403}:
                raise
            message, hint = words.token_refused(org.name, err.user_message)
            raise BotError(message, hint=hint) from err

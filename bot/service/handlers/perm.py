"""perm: the bot's own permissions (bindings, guards, protection, custom roles).

The same handlers serve `/astra perm …` and the `astra-bot perm` command line (a Request whose
source is ``cli``); their answers are render's messages, which the command line prints as
plain text.
"""

from __future__ import annotations

import difflib
import shlex
from dataclasses import dataclass, replace

from bot import render
from bot.commands.perm import (
    CheckPermission,
    CreateBotRole,
    DeleteBotRole,
    GrantRole,
    GuardChannel,
    ListPermissions,
    ProtectDatabases,
    RevokeRole,
    UnguardChannel,
    UnprotectDatabases,
    WhoAmI,
)
from bot.errors import UsageError
from bot.intents import SPECS, parse
from bot.policy import BUILTIN_ROLES, Place, Rules, decide, decided_in, permits
from bot.render import perm as words
from bot.service.context import Context
from bot.service.org_choice import OrgChoice
from bot.service.outcome import Outcome
from bot.service.registry import Call, Handlers, handles
from bot.store.repo import Store


def _said(text: str) -> Outcome:
    """A change of the rules: its answer is also its audit line."""
    return Outcome(text, private=render.plain(text))


def _check_role(rules: Rules, role: str) -> None:
    if not rules.role_exists(role):
        known = ["viewer", "operator", "admin", *rules.custom_roles]
        near = difflib.get_close_matches(role, known, n=2, cutoff=0.5)
        raise UsageError(
            f"There is no role `{role}` (roles: {', '.join(known)}).", suggestions=near
        )


def _check_permissions(perms: tuple[str, ...]) -> None:
    unknown = [p for p in perms if not any(permits([p], s) for s in SPECS)]
    if unknown:
        near = difflib.get_close_matches(unknown[0], list(SPECS), n=3, cutoff=0.5)
        raise UsageError(
            f"`{unknown[0]}` names no command permission.",
            suggestions=near,
            hint="Permissions are named after commands: `db.create`, `keyspace.*`, `db.*`.",
        )


def _scoped_elsewhere(rules: Rules, cmd: RevokeRole, role: str) -> list[str]:
    """The orgs of the subject's scoped bindings of ``role`` (with ``--db``, of that glob),
    which a revoke without ``--org`` does not touch."""
    return [
        b.org
        for b in rules.bindings
        if b.org is not None
        and (b.subject_type, b.subject_id, b.role) == (cmd.who.type, cmd.who.id, role)
        and (cmd.db is None or b.db_glob == cmd.db)
    ]


@dataclass(frozen=True)
class PermHandlers(Handlers):
    """The `perm` commands. ``ctx``: the rules and actors of this request; ``store``: where
    the rules are kept. Bindings are scoped to the org typed with ``--org`` (none: every
    org); what someone may do is answered for the org the command runs in."""

    ctx: Context
    store: Store

    @property
    def several(self) -> bool:
        return self.ctx.orgs.several

    def place(self, call: Call, org: str | None = None) -> Place:
        """Where the command runs: its channel, in ``org`` or else the command's org."""
        return replace(call.req.place, org=org or call.org.name)

    def _known_org(self, name: str) -> str:
        """``name`` if it is a configured org; else the usage error every `--org` gets."""
        return OrgChoice(self.ctx.orgs, self.store).named(name).name

    @handles(GrantRole)
    async def grant(self, cmd: GrantRole, call: Call) -> Outcome:
        role = cmd.role.lower()
        _check_role(await self.ctx.rules(), role)
        who, by = cmd.who, call.req.user_id
        added = await self.store.grant(who.type, who.id, role, cmd.db, by, cmd.org)
        said = words.granted(by, who.mention(), role, cmd.db, added, org=cmd.org,
                             several=self.several)  # fmt: skip
        return _said(said)

    @handles(RevokeRole)
    async def revoke(self, cmd: RevokeRole, call: Call) -> Outcome:
        role = cmd.role.lower()
        scoped = [] if cmd.org else _scoped_elsewhere(await self.ctx.rules(), cmd, role)
        n = await self.store.revoke(cmd.who.type, cmd.who.id, role, cmd.db, cmd.org)
        said = words.revoked(cmd.who.mention(), role, bool(n), org=cmd.org,
                             several=self.several, scoped=scoped)  # fmt: skip
        return _said(said)

    @handles(ListPermissions)
    async def list(self, cmd: ListPermissions, call: Call) -> Outcome:
        rules = await self.ctx.rules()
        sources = {a: self.ctx.admin_source(a) for a in rules.admins}
        cli = call.req.source == "cli"
        # the command line's own actor is an admin of the program, nobody's in Slack
        people = rules.admins - {call.req.user_id} if cli else rules.admins
        audit, message = words.rules_list(
            rules,
            sources,
            self.ctx.usergroups_unreadable(),
            admins_configured=bool(people),
            cli=cli,
            several=self.several,
        )
        return Outcome(audit, private=message)

    @handles(GuardChannel)
    async def guard(self, cmd: GuardChannel, call: Call) -> Outcome:
        role = cmd.role.lower()
        _check_role(await self.ctx.rules(), role)
        await self.store.set_guard(cmd.channel.id, role, call.req.user_id)
        return _said(words.guarded(cmd.channel.mention(), role))

    @handles(UnguardChannel)
    async def unguard(self, cmd: UnguardChannel, call: Call) -> Outcome:
        removed = await self.store.remove_guard(cmd.channel.id)
        return _said(words.unguarded(cmd.channel.mention(), removed))

    @handles(ProtectDatabases)
    async def protect(self, cmd: ProtectDatabases, call: Call) -> Outcome:
        added = await self.store.protect(cmd.glob, call.req.user_id)
        return _said(words.protected(cmd.glob, added))

    @handles(UnprotectDatabases)
    async def unprotect(self, cmd: UnprotectDatabases, call: Call) -> Outcome:
        return _said(words.unprotected(cmd.glob, await self.store.unprotect(cmd.glob)))

    @handles(CreateBotRole)
    async def role_create(self, cmd: CreateBotRole, call: Call) -> Outcome:
        name = cmd.name.lower()
        if name in BUILTIN_ROLES:
            raise UsageError(f"`{name}` is a built-in role and cannot be redefined.")
        _check_permissions(cmd.permissions)
        await self.store.create_role(name, cmd.permissions, call.req.user_id)
        return _said(words.role_defined(name, cmd.permissions))

    @handles(DeleteBotRole)
    async def role_delete(self, cmd: DeleteBotRole, call: Call) -> Outcome:
        name = cmd.name.lower()
        return _said(words.role_removed(name, await self.store.delete_role(name)))

    @handles(WhoAmI)
    async def whoami(self, cmd: WhoAmI, call: Call) -> Outcome:
        rules, actor = await self.ctx.rules_and_actor(call.req.user_id)
        line = words.roles_line(rules, actor, self.place(call, cmd.org), several=self.several)
        return Outcome("whoami", private=render.plain(line))

    @handles(CheckPermission)
    async def check(self, cmd: CheckPermission, call: Call) -> Outcome:
        if cmd.who.type != "user":
            raise UsageError("`perm check` takes a user (`@ana`).")
        target = parse(shlex.join(cmd.command))
        rules, actor = await self.ctx.rules_and_actor(cmd.who.id)
        # a what-if, asked of the bot, not of Astra: decided on the name as typed, in the
        # org the checked command would be decided in (its `--org`, else this channel's)
        typed = self._known_org(target.org) if target.org else None
        org = decided_in(target.spec, typed, self.place(call, typed).org or "")
        name = target.target_db
        who = cmd.who.mention()
        place = replace(call.req.place, org=org)
        d = decide(rules, actor, place, target.spec, name, db_known=name is not None, who=who)
        audit, message = words.check(who, target.canonical(), d, org=org, several=self.several)
        return Outcome(audit, private=message)

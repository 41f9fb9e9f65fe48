"""perm: the bot's own permissions (bindings, guards, protection, custom roles)."""

from __future__ import annotations

import difflib
import shlex

from bot import render
from bot.astra.models import Database
from bot.errors import UsageError
from bot.intents import SPECS, Intent, parse
from bot.policy import BUILTIN_ROLES, Rules, decide, permits
from bot.ports import Replier
from bot.render.mrkdwn import channel, join, md, user
from bot.service.context import Context, Request
from bot.service.outcome import Outcome
from bot.service.registry import Entry
from bot.service.views import roles_line


class PermHandlers:
    """The `perm` commands."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def entries(self) -> list[Entry]:
        return [
            Entry("perm.grant", handler=self.grant),
            Entry("perm.revoke", handler=self.revoke),
            Entry("perm.list", handler=self.list),
            Entry("perm.guard", handler=self.guard),
            Entry("perm.unguard", handler=self.unguard),
            Entry("perm.protect", handler=self.protect),
            Entry("perm.unprotect", handler=self.unprotect),
            Entry("perm.role.create", handler=self.role_create),
            Entry("perm.role.delete", handler=self.role_delete),
            Entry("perm.whoami", handler=self.whoami),
            Entry("perm.check", handler=self.check),
        ]

    def _check_role(self, rules: Rules, role: str) -> None:
        if not rules.role_exists(role):
            known = ["viewer", "operator", "admin", *rules.custom_roles]
            near = difflib.get_close_matches(role, known, n=2, cutoff=0.5)
            raise UsageError(
                f"There is no role `{role}` (roles: {', '.join(known)}).", suggestions=near
            )

    async def grant(
        self, req: Request, intent: Intent, reply: Replier, db: Database | None
    ) -> Outcome:
        subj = intent.subject("subject")
        role = intent.arg("role").lower()
        rules = await self.ctx.rules()
        self._check_role(rules, role)
        glob = intent.opt("db")
        added = await self.ctx.store.grant(subj.type, subj.id, role, glob, req.user_id)
        scope = md(" on databases matching `{}`", glob) if glob else ""
        text = (
            md(":key: {} granted *{}*{} to {}.", user(req.user_id), role, scope, subj.mention())
            if added
            else md("{} already has *{}*{}.", subj.mention(), role, scope)
        )
        return Outcome(text, private=render.plain(text))

    async def revoke(
        self, req: Request, intent: Intent, reply: Replier, db: Database | None
    ) -> Outcome:
        subj = intent.subject("subject")
        role = intent.arg("role").lower()
        n = await self.ctx.store.revoke(subj.type, subj.id, role, intent.opt("db"))
        text = (
            md("Revoked *{}* from {}.", role, subj.mention())
            if n
            else md("{} had no *{}* binding.", subj.mention(), role)
        )
        return Outcome(text, private=render.plain(text))

    async def list(
        self, req: Request, intent: Intent, reply: Replier, db: Database | None
    ) -> Outcome:
        rules = await self.ctx.rules()
        lines: list[str] = [
            md("{} → admin ({})", user(a), self.ctx.admin_source(a)) for a in sorted(rules.admins)
        ]
        lines += [b.describe() for b in rules.bindings]
        lines += [md("guard {} → {}", channel(c), r) for c, r in sorted(rules.guards.items())]
        lines += [md("protected `{}` (two-person rule)", g) for g in rules.protected]
        lines += [
            md("custom role *{}*: {}", n, " ".join(sorted(p)))
            for n, p in sorted(rules.custom_roles.items())
        ]
        if self.ctx.usergroups_unreadable():
            lines.append(
                ":warning: usergroup membership cannot be read (usergroups:read "
                "missing or not allowed on this plan): usergroup bindings are ignored."
            )
        return Outcome(
            render.count(len(lines), "entry", "entries"),
            private=render.bullet_list("Permissions", lines),
        )

    async def guard(
        self, req: Request, intent: Intent, reply: Replier, db: Database | None
    ) -> Outcome:
        ch = intent.subject("channel")
        role = intent.arg("role").lower()
        self._check_role(await self.ctx.rules(), role)
        await self.ctx.store.set_guard(ch.id, role, req.user_id)
        text = md(":shield: {} is now guarded to *{}*.", ch.mention(), role)
        return Outcome(text, private=render.plain(text))

    async def unguard(
        self, req: Request, intent: Intent, reply: Replier, db: Database | None
    ) -> Outcome:
        ch = intent.subject("channel")
        removed = await self.ctx.store.remove_guard(ch.id)
        text = (
            md("Removed the guard of {}.", ch.mention())
            if removed
            else md("{} had no guard.", ch.mention())
        )
        return Outcome(text, private=render.plain(text))

    async def protect(
        self, req: Request, intent: Intent, reply: Replier, db: Database | None
    ) -> Outcome:
        glob = intent.arg("glob")
        added = await self.ctx.store.protect(glob, req.user_id)
        text = (
            f":lock: Databases matching `{glob}` now need a second person's approval for "
            "destructive commands."
            if added
            else f"`{glob}` was already protected."
        )
        return Outcome(text, private=render.plain(text))

    async def unprotect(
        self, req: Request, intent: Intent, reply: Replier, db: Database | None
    ) -> Outcome:
        glob = intent.arg("glob")
        removed = await self.ctx.store.unprotect(glob)
        text = f"`{glob}` is no longer protected." if removed else f"`{glob}` was not protected."
        return Outcome(text, private=render.plain(text))

    async def role_create(
        self, req: Request, intent: Intent, reply: Replier, db: Database | None
    ) -> Outcome:

        name = intent.arg("name").lower()
        if name in BUILTIN_ROLES:
            raise UsageError(f"`{name}` is a built-in role and cannot be redefined.")
        perms = intent.many("permissions")
        unknown = [p for p in perms if not any(permits([p], s) for s in SPECS)]
        if unknown:
            near = difflib.get_close_matches(unknown[0], list(SPECS), n=3, cutoff=0.5)
            raise UsageError(
                f"`{unknown[0]}` names no command permission.",
                suggestions=near,
                hint="Permissions are named after commands: `db.create`, `keyspace.*`, `db.*`.",
            )
        await self.ctx.store.create_role(name, perms, req.user_id)
        text = f"Custom role *{name}*: {' '.join(f'`{p}`' for p in perms)}."
        return Outcome(text, private=render.plain(text))

    async def role_delete(
        self, req: Request, intent: Intent, reply: Replier, db: Database | None
    ) -> Outcome:
        name = intent.arg("name").lower()
        removed = await self.ctx.store.delete_role(name)
        text = f"Deleted custom role *{name}*." if removed else f"No custom role *{name}*."
        return Outcome(text, private=render.plain(text))

    async def whoami(
        self, req: Request, intent: Intent, reply: Replier, db: Database | None
    ) -> Outcome:
        rules = await self.ctx.rules()
        actor = await self.ctx.actor(req.user_id, rules)
        return Outcome("whoami", private=render.plain(roles_line(rules, actor, req.place)))

    async def check(
        self, req: Request, intent: Intent, reply: Replier, db: Database | None
    ) -> Outcome:
        subj = intent.subject("subject")
        if subj.type != "user":
            raise UsageError("`perm check` takes a user (`@ana`).")
        target = parse(shlex.join(intent.many("command")))
        rules = await self.ctx.rules()
        actor = await self.ctx.actor(subj.id, rules)
        # a what-if, asked of the bot, not of Astra: decided on the name as typed
        name = target.target_db
        d = decide(
            rules,
            actor,
            req.place,
            target.spec,
            name,
            db_known=name is not None,
            who=subj.mention(),
        )
        lines = [
            md(
                "{} running `{}` here: *{}* — {}",
                subj.mention(),
                target.canonical(),
                d.outcome,
                d.reason,
            )
        ]
        if d.granted_by:
            lines.append(md("granted by: {}", join(", ", d.granted_by)))
        if d.capped_by:
            lines.append(md("capped by this channel's guard: {}", d.capped_by))
        # the audit row's decision is the check's own (allowed); what it found is this
        found = {
            "allow": "may run",
            "deny": "may not run",
            "confirm": "may run",
            "approve": "may run",
        }[d.outcome]
        after = {"confirm": " once confirmed", "approve": " once a second person approves"}.get(
            d.outcome, ""
        )
        return Outcome(
            f"check: {subj.mention()} {found} `{target.canonical()}`{after}",
            private=render.plain(join("\n", lines)),
        )

"""user: the organization's members, their invitations and Astra roles."""

from __future__ import annotations

from collections.abc import Sequence

from bot import render
from bot.astra.client import AstraClient
from bot.astra.models import Database, User
from bot.errors import NotFound, UsageError
from bot.intents import Intent
from bot.ports import Replier
from bot.render.mrkdwn import md, user
from bot.service.context import Context, Request
from bot.service.handlers.common import clip, suggest, unwrap
from bot.service.handlers.role import resolve_roles
from bot.service.outcome import Outcome
from bot.service.registry import Entry


def _match_user(ref: str, users: Sequence[User]) -> User | None:
    ref = unwrap(ref)
    return next(
        (u for u in users if u.user_id == ref or (u.email and u.email.lower() == ref.lower())),
        None,
    )


class UserHandlers:
    """The `user` commands."""

    def __init__(self, ctx: Context, astra: AstraClient) -> None:
        self.ctx = ctx
        self.astra = astra

    def entries(self) -> list[Entry]:
        return [
            Entry("user.list", handler=self.list),
            Entry("user.invite", handler=self.invite),
            Entry("user.remove", confirmed=self.remove_confirmed, precheck=self.precheck_remove),
            Entry("user.roles", handler=self.roles),
        ]

    async def _resolve_user(self, ref: str) -> User:
        users = await self.astra.list_users()
        user = _match_user(ref, users)
        if user is None:
            near = suggest(unwrap(ref), [u.email for u in users if u.email], n=2)
            raise NotFound(
                f"There is no user `{clip(unwrap(ref), 80)}` in the organization.",
                hint=render.did_you_mean(
                    near, "`/astra user list` shows the users (email or user id)."
                ),
            )
        return user

    async def list(
        self, req: Request, intent: Intent, reply: Replier, db: Database | None
    ) -> Outcome:
        users = sorted(await self.astra.list_users(), key=lambda u: u.email.lower())
        lines = [
            f"{u.email or '—'} `{u.user_id}` {u.status or '?'} · "
            + (", ".join(r.name or f"`{r.id}`" for r in u.roles) or "no role")
            for u in users
        ]
        return Outcome(
            render.count(len(users), "user"),
            private=render.bullet_list(f"Users of the organization ({len(users)})", lines),
        )

    async def invite(
        self, req: Request, intent: Intent, reply: Replier, db: Database | None
    ) -> Outcome:
        email = intent.arg("email")
        roles = await resolve_roles(self.astra, intent.many("role"), intent.spec.usage)
        member = _match_user(email, await self.astra.list_users())
        if member is not None:
            raise UsageError(
                f"`{member.email}` is already in the organization ({member.status or 'member'}).",
                hint=f"`/astra user roles {member.email} <role>…` changes their roles.",
            )
        await self.astra.invite_user(email, await self.ctx.org_id(), [r.id for r in roles])
        names = ", ".join(r.name or r.id for r in roles)
        return Outcome(
            f"invited {email} ({names})",
            channel=render.plain(
                md(
                    ":key: {} invited {} to the Astra organization as {}.",
                    user(req.user_id),
                    email,
                    names,
                )
            ),
        )

    async def precheck_remove(self, intent: Intent, db: Database | None) -> None:
        await self._resolve_user(intent.arg("user"))

    async def remove_confirmed(
        self, req: Request, intent: Intent, message_ts: str | None
    ) -> Outcome:
        member = await self._resolve_user(intent.arg("user"))
        await self.astra.remove_user(member.user_id)
        who = member.email or member.user_id
        return Outcome(
            f"removed user {who} ({member.user_id})",
            channel=render.plain(
                md(
                    ":wastebasket: Removed {} (`{}`) from the Astra organization (asked by {}).",
                    who,
                    member.user_id,
                    user(req.user_id),
                )
            ),
        )

    async def roles(
        self, req: Request, intent: Intent, reply: Replier, db: Database | None
    ) -> Outcome:
        member = await self._resolve_user(intent.arg("user"))
        roles = await resolve_roles(self.astra, intent.many("roles"), intent.spec.usage)
        before = ", ".join(r.name or r.id for r in member.roles) or "no role"
        await self.astra.set_user_roles(member.user_id, [r.id for r in roles])
        after = ", ".join(r.name or r.id for r in roles)
        who = member.email or member.user_id
        return Outcome(
            f"roles of {who}: {after}",
            channel=render.plain(
                md(
                    ":key: {} set the Astra roles of {}: {} → {}.",
                    user(req.user_id),
                    who,
                    before,
                    after,
                )
            ),
        )

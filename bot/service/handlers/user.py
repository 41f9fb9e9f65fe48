"""user: the organization's members, their invitations and Astra roles."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot import render
from bot.astra.client import AstraClient
from bot.astra.models import User
from bot.commands.iam import InviteUser, ListUsers, RemoveUser, SetUserRoles
from bot.errors import NotFound, UsageError
from bot.render import iam
from bot.render.core import shorten
from bot.service.handlers.common import suggest, unwrap
from bot.service.handlers.role import resolve_roles
from bot.service.outcome import Outcome
from bot.service.registry import Call, Handlers, confirms, handles, prechecks


def _match_user(ref: str, users: Sequence[User]) -> User | None:
    ref = unwrap(ref)
    return next(
        (u for u in users if u.user_id == ref or (u.email and u.email.lower() == ref.lower())),
        None,
    )


@dataclass(frozen=True)
class UserHandlers(Handlers):
    """The `user` commands."""

    async def _resolve_user(self, astra: AstraClient, ref: str) -> User:
        users = await astra.list_users()
        member = _match_user(ref, users)
        if member is None:
            near = suggest(unwrap(ref), [u.email for u in users if u.email], n=2)
            raise NotFound(
                f"There is no user `{shorten(unwrap(ref), 80)}` in the organization.",
                hint=render.did_you_mean(
                    near, "`/astra user list` shows the users (email or user id)."
                ),
            )
        return member

    @handles(ListUsers)
    async def list(self, cmd: ListUsers, call: Call) -> Outcome:
        return Outcome(*iam.user_list(await call.org.astra.list_users()))

    @handles(InviteUser)
    async def invite(self, cmd: InviteUser, call: Call) -> Outcome:
        roles = await resolve_roles(call.org.astra, cmd.role, cmd.spec.usage)
        member = _match_user(cmd.email, await call.org.astra.list_users())
        if member is not None:
            raise UsageError(
                f"`{member.email}` is already in the organization ({member.status or 'member'}).",
                hint=f"`/astra user roles {member.email} <role>…` changes their roles.",
            )
        await call.org.astra.invite_user(cmd.email, await call.org.org_id(), [r.id for r in roles])
        return Outcome(
            f"invited {cmd.email} ({iam.names_of(roles)})",
            channel=iam.user_invited(call.req.user_id, cmd.email, roles),
        )

    @prechecks(RemoveUser)
    async def precheck_remove(self, cmd: RemoveUser, call: Call) -> None:
        await self._resolve_user(call.org.astra, cmd.user)

    @confirms(RemoveUser)
    async def remove_confirmed(self, cmd: RemoveUser, call: Call) -> Outcome:
        member = await self._resolve_user(call.org.astra, cmd.user)
        await call.org.astra.remove_user(member.user_id)
        return Outcome(
            f"removed user {member.email or member.user_id} ({member.user_id})",
            channel=iam.user_removed(call.req.user_id, member),
        )

    @handles(SetUserRoles)
    async def roles(self, cmd: SetUserRoles, call: Call) -> Outcome:
        member = await self._resolve_user(call.org.astra, cmd.user)
        roles = await resolve_roles(call.org.astra, cmd.roles, cmd.spec.usage)
        await call.org.astra.set_user_roles(member.user_id, [r.id for r in roles])
        return Outcome(
            f"roles of {member.email or member.user_id}: {iam.names_of(roles)}",
            channel=iam.user_roles_set(call.req.user_id, member, roles),
        )

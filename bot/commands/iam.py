"""PURE: the typed commands of Astra application tokens, roles, users."""

from __future__ import annotations

from dataclasses import dataclass

from bot.commands.base import Command


@dataclass(frozen=True, kw_only=True)
class ListTokens(Command, permission="token.list"):
    """`/astra token list`: list application tokens."""


@dataclass(frozen=True, kw_only=True)
class CreateToken(Command, permission="token.create"):
    """`/astra token create`: create a token; the secret is shown once, only to you."""

    role: tuple[str, ...] = ()
    description: str | None = None


@dataclass(frozen=True, kw_only=True)
class RevokeToken(Command, permission="token.revoke"):
    """`/astra token revoke`: revoke a token (asks for confirmation)."""

    client_id: str


@dataclass(frozen=True, kw_only=True)
class ListRoles(Command, permission="role.list"):
    """`/astra role list`: list the organization's Astra roles."""


@dataclass(frozen=True, kw_only=True)
class GetRole(Command, permission="role.get"):
    """`/astra role get`: show an Astra role."""

    role: str


@dataclass(frozen=True, kw_only=True)
class CreateRole(Command, permission="role.create"):
    """`/astra role create`: create a custom Astra role."""

    name: str
    permissions: tuple[str, ...] = ()
    db: tuple[str, ...] = ()
    description: str | None = None


@dataclass(frozen=True, kw_only=True)
class DeleteRole(Command, permission="role.delete"):
    """`/astra role delete`: delete an Astra role (asks for confirmation)."""

    role: str


@dataclass(frozen=True, kw_only=True)
class ListUsers(Command, permission="user.list"):
    """`/astra user list`: list the organization's users."""


@dataclass(frozen=True, kw_only=True)
class InviteUser(Command, permission="user.invite"):
    """`/astra user invite`: invite a user."""

    email: str
    role: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class RemoveUser(Command, permission="user.remove"):
    """`/astra user remove`: remove a user (asks for confirmation)."""

    user: str


@dataclass(frozen=True, kw_only=True)
class SetUserRoles(Command, permission="user.roles"):
    """`/astra user roles`: set a user's Astra roles."""

    user: str
    roles: tuple[str, ...]

"""PURE: the typed commands of the bot's own permissions (bindings, guards, protections, roles)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.commands.base import Command
from bot.commands.values import Subject


@dataclass(frozen=True, kw_only=True)
class GrantRole(Command, permission="perm.grant"):
    """`/astra perm grant`: bind a role to a user, usergroup or channel."""

    who: Subject
    role: str
    db: str | None = None


@dataclass(frozen=True, kw_only=True)
class RevokeRole(Command, permission="perm.revoke"):
    """`/astra perm revoke`: remove a binding."""

    who: Subject
    role: str
    db: str | None = None


@dataclass(frozen=True, kw_only=True)
class ListPermissions(Command, permission="perm.list"):
    """`/astra perm list`: list bindings, guards and protected databases."""


@dataclass(frozen=True, kw_only=True)
class GuardChannel(Command, permission="perm.guard"):
    """`/astra perm guard`: cap what may be done in a channel."""

    channel: Subject
    role: str


@dataclass(frozen=True, kw_only=True)
class UnguardChannel(Command, permission="perm.unguard"):
    """`/astra perm unguard`: remove a channel's guard."""

    channel: Subject


@dataclass(frozen=True, kw_only=True)
class ProtectDatabases(Command, permission="perm.protect"):
    """`/astra perm protect`: require a second person's approval for matching databases."""

    glob: str


@dataclass(frozen=True, kw_only=True)
class UnprotectDatabases(Command, permission="perm.unprotect"):
    """`/astra perm unprotect`: remove a protection."""

    glob: str


@dataclass(frozen=True, kw_only=True)
class CreateBotRole(Command, permission="perm.role.create"):
    """`/astra perm role create`: define a custom role."""

    name: str
    permissions: tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class DeleteBotRole(Command, permission="perm.role.delete"):
    """`/astra perm role delete`: delete a custom role."""

    name: str


@dataclass(frozen=True, kw_only=True)
class WhoAmI(Command, permission="perm.whoami"):
    """`/astra perm whoami`: your roles and rights here."""


@dataclass(frozen=True, kw_only=True)
class CheckPermission(Command, permission="perm.check"):
    """`/astra perm check`: explain whether someone may run a command here."""

    who: Subject
    command: tuple[str, ...]

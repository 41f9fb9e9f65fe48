"""PURE: the typed commands of the bot's own permissions (bindings, guards, protections, roles)."""

from __future__ import annotations

from typing import Annotated

from bot.commands.base import Command
from bot.commands.spec import Flag, Glob, Name, Param, Role
from bot.commands.values import Subject

#: ``channel: Channel``: the channel a guard caps.
Channel = Annotated[Subject, Param("channel", "channel")]
#: ``db: DbGlob``: ``--db 'dev-*'``: the databases a binding is limited to.
DbGlob = Annotated[str | None, Flag("db", "glob")]
#: ``who: Who``: the user, usergroup or channel a binding or check is about (the
#: grammar's ``<subject>``; ``subject`` is the name of an accessor of every command).
Who = Annotated[Subject, Param("subject", "subject")]


class GrantRole(Command, command="perm grant", mutating=True):
    """bind a role to a user, usergroup or channel

    /astra perm grant @ana operator --db 'dev-*'
    """

    who: Who
    role: Role
    db: DbGlob = None


class RevokeRole(Command, command="perm revoke", mutating=True):
    """remove a binding"""

    who: Who
    role: Role
    db: DbGlob = None


class ListPermissions(Command, command="perm list"):
    """list bindings, guards and protected databases"""


class GuardChannel(Command, command="perm guard", mutating=True):
    """cap what may be done in a channel

    /astra perm guard #general viewer
    """

    channel: Channel
    role: Role


class UnguardChannel(Command, command="perm unguard", mutating=True):
    """remove a channel's guard"""

    channel: Channel


class ProtectDatabases(Command, command="perm protect", mutating=True):
    """require a second person's approval for matching databases

    /astra perm protect 'prod-*'
    """

    glob: Glob


class UnprotectDatabases(Command, command="perm unprotect", mutating=True):
    """remove a protection"""

    glob: Glob


class CreateBotRole(Command, command="perm role create", mutating=True):
    """define a custom role

    /astra perm role create dba db.* keyspace.*
    """

    name: Name
    permissions: Annotated[tuple[str, ...], Param("permissions", "text", rest=True)]


class DeleteBotRole(Command, command="perm role delete", mutating=True):
    """delete a custom role"""

    name: Name


class WhoAmI(Command, command="perm whoami", open_to_all=True):
    """your roles and rights here"""


class CheckPermission(Command, command="perm check"):
    """explain whether someone may run a command here"""

    who: Who
    command: Annotated[tuple[str, ...], Param("command", "text", rest=True, raw=True)]

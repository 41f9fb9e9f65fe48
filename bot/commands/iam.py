"""PURE: the typed commands of Astra application tokens, roles, users."""

from __future__ import annotations

from typing import Annotated

from bot.commands.base import Command
from bot.commands.spec import Description, Flag, Name, Param, Role, Roles

#: ``user: User``: an Astra user, by email or id.
User = Annotated[str, Param("user", "text")]


class ListTokens(Command, command="token list"):
    """list application tokens"""


class CreateToken(Command, command="token create", mutating=True, secret_output=True):
    """create a token; the secret is shown once, only to you

    /astra token create --role "Database Administrator"
    """

    role: Roles = ()
    description: Description = None


class RevokeToken(Command, command="token revoke", destructive=True):
    """revoke a token (asks for confirmation)"""

    client_id: Annotated[str, Param("client_id", "id")]


class ListRoles(Command, command="role list"):
    """list the organization's Astra roles"""


class GetRole(Command, command="role get"):
    """show an Astra role"""

    role: Role


class CreateRole(Command, command="role create", mutating=True):
    """create a custom Astra role

    /astra role create readers --permission org-db-view --db orders
    """

    name: Name
    permissions: Annotated[tuple[str, ...], Flag("permission", "text", many=True)] = ()
    db: Annotated[tuple[str, ...], Flag("db", "db", many=True)] = ()
    description: Description = None


class DeleteRole(Command, command="role delete", destructive=True):
    """delete an Astra role (asks for confirmation)"""

    role: Role


class ListUsers(Command, command="user list"):
    """list the organization's users"""


class InviteUser(Command, command="user invite", mutating=True):
    """invite a user

    /astra user invite ana@example.com --role "Read Only User"
    """

    email: Annotated[str, Param("email", "email")]
    role: Roles = ()


class RemoveUser(Command, command="user remove", destructive=True):
    """remove a user (asks for confirmation)"""

    user: User


class SetUserRoles(Command, command="user roles", mutating=True):
    """set a user's Astra roles"""

    user: User
    roles: Annotated[tuple[str, ...], Param("roles", "role", rest=True)]

"""PURE: the typed commands of access-list writes, the DevOps API access list, role updates,
legacy tokens, password resets and engine types.

Database access lists are changed by operators (as `access-list add|remove`); the DevOps
API's own list, roles, tokens and database passwords are access control: admin. A change
of a whole list, or of an entry, is confirmed with its diff; one of the DevOps API list may
lock the bot out of the API, so it is refused then unless ``--force``. What needs Astra to
decide (an entry to update is listed, an engine type is one the API takes, a change says
what to change) is checked by the handlers' prechecks, before any confirmation.
"""

from __future__ import annotations

from typing import Annotated

from bot.astra.models import ENGINE_TYPES
from bot.commands.base import Command
from bot.commands.db import Cidr
from bot.commands.spec import Db, Description, Flag, Param, Role, Roles

#: ``cidrs: Cidrs``: one or more IPv4 addresses or CIDR blocks.
Cidrs = Annotated[tuple[str, ...], Param("cidr", "cidr", rest=True)]
#: ``enabled: Enabled = None``: ``--enable`` or ``--disable``.
Enabled = Annotated[
    bool | None,
    Flag("enable", "switch", dest="enabled"),
    Flag("disable", "switch", dest="enabled", value=False),
]
#: ``force: Force = None``: go ahead although the bot may lock itself out.
Force = Annotated[bool | None, Flag("force", "switch")]


# ---------------------------------------------------------------------------- database lists


class ListAllAccessLists(Command, command="access-list list", level="viewer"):
    """show every database's access list"""


class ReplaceAccessList(Command, command="access-list replace", level="operator", destructive=True):
    """replace a database's whole access list (asks for confirmation)

    /astra access-list replace orders 10.0.0.0/24 203.0.113.7 --description office
    """

    db: Db
    cidr: Cidrs
    description: Description = None


class ClearAccessList(Command, command="access-list clear", level="operator", destructive=True):
    """delete a database's whole access list (asks for confirmation)"""

    db: Db


class UpdateAccessListEntry(
    Command, command="access-list update", level="operator", destructive=True
):
    """enable, disable or describe an address of a database's list (asks for confirmation)

    /astra access-list update orders 10.0.0.0/24 --disable
    """

    db: Db
    cidr: Cidr
    enabled: Enabled = None
    description: Description = None


class ValidateAccessList(Command, command="access-list validate", level="viewer"):
    """ask Astra whether addresses make a valid access list

    /astra access-list validate 10.0.0.0/24 203.0.113.7
    """

    address: Annotated[tuple[str, ...], Param("address", "text", rest=True)]


class AccessListTemplate(Command, command="access-list template", level="viewer"):
    """show Astra's access-list template"""


# ---------------------------------------------------------------------------- DevOps API list


class AddDevopsAddress(Command, command="access-list devops add", destructive=True):
    """allow addresses to call the DevOps API (asks for confirmation)

    /astra access-list devops add 203.0.113.0/24 --description office
    """

    cidr: Cidrs
    description: Description = None
    force: Force = None


class ReplaceDevopsAccessList(Command, command="access-list devops replace", destructive=True):
    """replace the DevOps API access list (asks for confirmation)"""

    cidr: Cidrs
    description: Description = None
    force: Force = None


class UpdateDevopsAddress(Command, command="access-list devops update", destructive=True):
    """enable, disable or describe a DevOps API address (asks for confirmation)"""

    cidr: Cidr
    enabled: Enabled = None
    description: Description = None
    force: Force = None


class DeleteDevopsAccessList(Command, command="access-list devops delete", destructive=True):
    """delete the DevOps API access list: any address may call again (asks for confirmation)"""


# ---------------------------------------------------------------------------- roles, tokens


class UpdateRole(Command, command="role update", destructive=True):
    """change an Astra role's permissions, databases, name or description (asks for confirmation)

    /astra role update readers --permission org-db-view db-cql --db orders
    """

    role: Role
    permissions: Annotated[tuple[str, ...], Flag("permission", "text", many=True)] = ()
    db: Annotated[tuple[str, ...], Flag("db", "db", many=True)] = ()
    name: Annotated[str | None, Flag("name", "text")] = None
    description: Description = None


class ListLegacyTokens(Command, command="token legacy list"):
    """list the tokens of the legacy clientIdSecrets endpoint"""


class CreateLegacyToken(Command, command="token legacy create", mutating=True, secret_output=True):
    """generate a token with the legacy endpoint; the secret is shown once, only to you"""

    role: Roles = ()
    description: Description = None


# ---------------------------------------------------------------------------- databases


class ResetPassword(Command, command="db reset-password", mutating=True, secret_output=True):
    """give a classic database user a new password, shown once, only to you

    /astra db reset-password orders cassandra
    """

    db: Db
    username: Annotated[str, Param("username", "text", help="the database user")]


class SetEngineType(Command, command="db engine", level="operator", mutating=True):
    """set a serverless database's engine type: cassandra-vector or serverless

    /astra db engine orders cassandra-vector
    """

    db: Db
    engine: Annotated[str, Param("engine", "text", help=" or ".join(ENGINE_TYPES))]

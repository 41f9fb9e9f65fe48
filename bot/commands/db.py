"""PURE: the typed commands of databases: keyspaces, regions, access lists, bundles, peering."""

from __future__ import annotations

from typing import Annotated

from bot.commands.base import Command
from bot.commands.spec import CAPACITY_UNITS, DB_STATUSES, Cloud, Db, Description, Flag, Param, Tier

#: ``keyspace: Keyspace``: the keyspace a command acts on.
Keyspace = Annotated[str, Param("keyspace", "keyspace")]
#: ``region: Region``: a region of a database, by its name (``us-east1``).
Region = Annotated[str, Param("region", "region")]
#: ``cidr: Cidr``: an IPv4 address or CIDR of an access list.
Cidr = Annotated[str, Param("cidr", "cidr")]


class ListDatabases(Command, command="db list", level="viewer"):
    """list the organization's databases

    /astra db list --status ACTIVE
    """

    status: Annotated[str | None, Flag("status", "choice", choices=DB_STATUSES, meta="status")] = (
        None
    )
    cloud: Cloud = None
    name: Annotated[str | None, Flag("name", "glob")] = None
    all: Annotated[bool | None, Flag("all", "switch")] = None
    page: Annotated[int | None, Flag("page", "int", bounds=(1, None))] = None


class GetDatabase(Command, command="db get", level="viewer"):
    """show a database

    /astra db get orders
    """

    db: Db


class ShowDatabaseStatus(Command, command="db status", level="viewer"):
    """show a database's status

    /astra db status orders
    """

    db: Db


class CreateDatabase(Command, command="db create", target="name", level="operator", mutating=True):
    """create a database and tell the channel when it is ACTIVE

    /astra db create orders --cloud gcp --region us-east1 --keyspace shop
    """

    name: Annotated[str, Param("name", "dbname")]
    cloud: Cloud = None
    region: Annotated[str | None, Flag("region", "region")] = None
    keyspace: Annotated[str | None, Flag("keyspace", "keyspace")] = None
    tier: Tier = None
    capacity_units: Annotated[int | None, Flag("capacity-units", "int", bounds=CAPACITY_UNITS)] = (
        None
    )
    vector: Annotated[
        bool | None,
        Flag("vector", "switch", dest="vector"),
        Flag("non-vector", "switch", dest="vector", value=False),
    ] = None
    allow_duplicate_name: Annotated[bool | None, Flag("allow-duplicate-name", "switch")] = None


class TerminateDatabase(Command, command="db delete", level="operator", destructive=True):
    """terminate a database (asks for confirmation)

    /astra db delete orders
    """

    db: Db


class ParkDatabase(Command, command="db park", level="operator", destructive=True):
    """park a classic database (asks for confirmation)"""

    db: Db


class UnparkDatabase(Command, command="db unpark", level="operator", mutating=True):
    """unpark a classic database"""

    db: Db


class ResizeDatabase(Command, command="db resize", level="operator", mutating=True):
    """resize a classic database

    /astra db resize orders 4
    """

    db: Db
    units: Annotated[
        int, Param("units", "int", help="capacity units, 1–100", bounds=CAPACITY_UNITS)
    ]


class ListKeyspaces(Command, command="keyspace list", level="viewer"):
    """list a database's keyspaces"""

    db: Db


class CreateKeyspace(Command, command="keyspace create", level="operator", mutating=True):
    """create a keyspace

    /astra keyspace create orders shop
    """

    db: Db
    keyspace: Keyspace


class DeleteKeyspace(Command, command="keyspace delete", level="operator", destructive=True):
    """delete a keyspace (asks for confirmation)"""

    db: Db
    keyspace: Keyspace


class ListRegions(Command, command="region list", level="viewer"):
    """list a database's regions"""

    db: Db


class AddRegion(Command, command="region add", level="operator", mutating=True):
    """add a region to a database

    /astra region add orders europe-west1
    """

    db: Db
    region: Region
    cloud: Cloud = None
    tier: Tier = None


class RemoveRegion(Command, command="region remove", level="operator", destructive=True):
    """remove a region from a database (asks for confirmation)"""

    db: Db
    region: Region


class ListAvailableRegions(Command, command="region available", level="viewer"):
    """list regions for new databases

    /astra region available --cloud aws
    """

    cloud: Cloud = None
    tier: Tier = None


class ShowAccessList(Command, command="access-list show", level="viewer"):
    """show a database's access list"""

    db: Db


class ShowDevopsAccessList(Command, command="access-list devops"):
    """show the DevOps API's own IP access list"""


class AllowAddress(Command, command="access-list add", level="operator", mutating=True):
    """allow an IPv4 address or CIDR

    /astra access-list add orders 10.0.0.0/24 --description office
    """

    db: Db
    cidr: Cidr
    description: Description = None


class DisallowAddress(Command, command="access-list remove", level="operator", destructive=True):
    """remove an address (asks for confirmation)"""

    db: Db
    cidr: Cidr


class GetSecureBundle(Command, command="scb", level="operator", secret_output=True):
    """a short-lived secure connect bundle link, shown only to you

    /astra scb orders
    """

    db: Db
    region: Annotated[str | None, Flag("region", "region")] = None


class ShowPeering(Command, command="peering show"):
    """show a classic database's VPC peering"""

    db: Db
    cloud: Cloud = None

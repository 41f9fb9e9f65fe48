"""PURE: the typed commands of databases: keyspaces, regions, access lists, bundles, peering."""

from __future__ import annotations

from dataclasses import dataclass

from bot.commands.base import Command


@dataclass(frozen=True, kw_only=True)
class ListDatabases(Command, permission="db.list"):
    """`/astra db list`: list the organization's databases."""

    status: str | None = None
    cloud: str | None = None
    name: str | None = None
    all: bool | None = None
    page: int | None = None


@dataclass(frozen=True, kw_only=True)
class GetDatabase(Command, permission="db.get"):
    """`/astra db get`: show a database."""

    db: str


@dataclass(frozen=True, kw_only=True)
class ShowDatabaseStatus(Command, permission="db.status"):
    """`/astra db status`: show a database's status."""

    db: str


@dataclass(frozen=True, kw_only=True)
class CreateDatabase(Command, permission="db.create", target="name"):
    """`/astra db create`: create a database and tell the channel when it is ACTIVE."""

    name: str
    cloud: str | None = None
    region: str | None = None
    keyspace: str | None = None
    tier: str | None = None
    capacity_units: int | None = None
    vector: bool | None = None
    allow_duplicate_name: bool | None = None


@dataclass(frozen=True, kw_only=True)
class TerminateDatabase(Command, permission="db.delete"):
    """`/astra db delete`: terminate a database (asks for confirmation)."""

    db: str


@dataclass(frozen=True, kw_only=True)
class ParkDatabase(Command, permission="db.park"):
    """`/astra db park`: park a classic database (asks for confirmation)."""

    db: str


@dataclass(frozen=True, kw_only=True)
class UnparkDatabase(Command, permission="db.unpark"):
    """`/astra db unpark`: unpark a classic database."""

    db: str


@dataclass(frozen=True, kw_only=True)
class ResizeDatabase(Command, permission="db.resize"):
    """`/astra db resize`: resize a classic database."""

    db: str
    units: int


@dataclass(frozen=True, kw_only=True)
class ListKeyspaces(Command, permission="keyspace.list"):
    """`/astra keyspace list`: list a database's keyspaces."""

    db: str


@dataclass(frozen=True, kw_only=True)
class CreateKeyspace(Command, permission="keyspace.create"):
    """`/astra keyspace create`: create a keyspace."""

    db: str
    keyspace: str


@dataclass(frozen=True, kw_only=True)
class DeleteKeyspace(Command, permission="keyspace.delete"):
    """`/astra keyspace delete`: delete a keyspace (asks for confirmation)."""

    db: str
    keyspace: str


@dataclass(frozen=True, kw_only=True)
class ListRegions(Command, permission="region.list"):
    """`/astra region list`: list a database's regions."""

    db: str


@dataclass(frozen=True, kw_only=True)
class AddRegion(Command, permission="region.add"):
    """`/astra region add`: add a region to a database."""

    db: str
    region: str
    cloud: str | None = None
    tier: str | None = None


@dataclass(frozen=True, kw_only=True)
class RemoveRegion(Command, permission="region.remove"):
    """`/astra region remove`: remove a region from a database (asks for confirmation)."""

    db: str
    region: str


@dataclass(frozen=True, kw_only=True)
class ListAvailableRegions(Command, permission="region.available"):
    """`/astra region available`: list regions for new databases."""

    cloud: str | None = None
    tier: str | None = None


@dataclass(frozen=True, kw_only=True)
class ShowAccessList(Command, permission="access-list.show"):
    """`/astra access-list show`: show a database's access list."""

    db: str


@dataclass(frozen=True, kw_only=True)
class ShowDevopsAccessList(Command, permission="access-list.devops"):
    """`/astra access-list devops`: show the DevOps API's own IP access list."""


@dataclass(frozen=True, kw_only=True)
class AllowAddress(Command, permission="access-list.add"):
    """`/astra access-list add`: allow an IPv4 address or CIDR."""

    db: str
    cidr: str
    description: str | None = None


@dataclass(frozen=True, kw_only=True)
class DisallowAddress(Command, permission="access-list.remove"):
    """`/astra access-list remove`: remove an address (asks for confirmation)."""

    db: str
    cidr: str


@dataclass(frozen=True, kw_only=True)
class GetSecureBundle(Command, permission="scb"):
    """`/astra scb`: a short-lived secure connect bundle link, shown only to you."""

    db: str
    region: str | None = None


@dataclass(frozen=True, kw_only=True)
class ShowPeering(Command, permission="peering.show"):
    """`/astra peering show`: show a classic database's VPC peering."""

    db: str
    cloud: str | None = None

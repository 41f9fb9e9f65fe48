"""PURE: the shapes of the grammar — what a command, a positional parameter and an option are.

The table itself is data in :mod:`bot.commands.grammar`; the value each ``Kind`` accepts is
checked in :mod:`bot.commands.values`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Literal

from bot.astra.models import KNOWN_STATUSES

Kind = Literal[
    "db",  # a database name or id (resolved later)
    "dbname",  # a new database name
    "keyspace",
    "region",
    "cloud",
    "tier",
    "int",
    "cidr",
    "email",
    "text",
    "subject",  # user, usergroup or channel
    "channel",
    "role",  # a bot role name (perm) or an Astra role name/id
    "glob",
    "kv",  # key=value
    "id",
    "principal",  # a cloud principal allowed on a private link (an ARN, account, project)
    "domain",  # a custom domain name
    "kms-key",  # a customer key's ARN or resource name
    "org",  # a configured org's name (whether it is configured, the dispatcher knows)
]

CLOUDS = ("gcp", "aws", "azure")
TIERS = ("serverless", "developer", "C10", "C20", "C40", "D10", "D20", "D40")
TELEMETRY_KINDS = ("prometheus_remote", "Datadog", "splunk", "kafka", "pulsar", "cloudwatch")
DB_STATUSES = tuple(sorted(KNOWN_STATUSES))
#: DevOps API ``capacityUnits``: 1..100 (DatabaseInfoCreate and CapacityUnits schemas).
CAPACITY_UNITS = (1, 100)
#: "For Cxx and Dxx tiers, the max CU on startup is 12" (DatabaseInfoCreate.capacityUnits).
CLASSIC_START_MAX_UNITS = 12


@dataclass(frozen=True)
class Param:
    name: str
    kind: Kind
    optional: bool = False
    rest: bool = False  # takes every remaining positional (at least one unless optional)
    raw: bool = False  # with rest: every remaining token as typed, options included
    help: str = ""
    bounds: tuple[int, int | None] | None = None  # int: lowest, highest (None: no highest)


@dataclass(frozen=True)
class Flag:
    name: str
    kind: Kind | Literal["switch", "choice"]
    choices: tuple[str, ...] = ()
    many: bool = False  # `--role a --role b` or `--role a b`
    dest: str | None = None  # switches: which argument they set
    value: bool = True  # switches: the value they set
    help: str = ""
    bounds: tuple[int, int | None] | None = None  # int: lowest, highest (None: no highest)
    meta: str | None = None  # the value's name in the usage line, instead of its choices
    # an option of every command, left out of its usage line (help says it where it
    # applies: `--org` with several orgs)
    hidden: bool = False

    @property
    def target(self) -> str:
        return self.dest or self.name.replace("-", "_")


@dataclass(frozen=True)
class CommandSpec:
    noun: str
    verb: tuple[str, ...]  # () for verb-less forms such as `scb <db>`
    params: tuple[Param, ...] = ()
    flags: tuple[Flag, ...] = ()
    summary: str = ""
    example: str = ""
    destructive: bool = False
    mutating: bool = False
    secret_output: bool = False  # shown only to the requester (scb link, token secret)
    open_to_all: bool = False  # help, perm whoami
    level: Literal["viewer", "operator", "admin"] = "admin"

    @property
    def name(self) -> str:
        return " ".join((self.noun, *self.verb))

    @property
    def permission(self) -> str:
        return ".".join((self.noun, *self.verb)) if self.verb else self.noun

    @property
    def usage(self) -> str:
        parts = ["/astra", self.noun, *self.verb]
        for p in self.params:
            token = f"<{p.name}>" + ("…" if p.rest else "")
            parts.append(f"[{token}]" if p.optional else token)
        for f in self.flags:
            if f.hidden:
                continue
            if f.kind == "switch":
                parts.append(f"[--{f.name}]")
            else:
                meta = f.meta or ("|".join(f.choices) if f.choices else f.name.replace("-", "_"))
                parts.append(f"[--{f.name} {meta}{'…' if f.many else ''}]")
        return " ".join(parts)


#: ``--org <name>``: the org a command runs in (DESIGN §2), an option of every command
#: (:class:`bot.commands.base.Command` has the field ``org``); else the channel's org.
ORG = Flag("org", "org", hidden=True, help="the org to run it in")

# -- the parameters and options several commands share, as the types of their fields
#: ``db: Db``: the database a command acts on, by name or id.
Db = Annotated[str, Param("db", "db", help="database name or id")]
#: ``cloud: Cloud = None``: ``--cloud gcp|aws|azure``.
Cloud = Annotated[str | None, Flag("cloud", "choice", choices=CLOUDS)]
#: ``tier: Tier = None``: ``--tier serverless|…``.
Tier = Annotated[str | None, Flag("tier", "choice", choices=TIERS)]
#: ``role: Role``: a role named by its name (a bot role for `perm`, an Astra role otherwise).
Role = Annotated[str, Param("role", "role")]
#: ``role: Roles = ()``: ``--role a --role b`` (Astra roles).
Roles = Annotated[tuple[str, ...], Flag("role", "role", many=True)]
#: ``description: Description = None``: ``--description text``.
Description = Annotated[str | None, Flag("description", "text")]
#: ``settings: Settings``: every remaining ``key=value``.
Settings = Annotated[tuple[str, ...], Param("settings", "kv", rest=True)]
#: ``name: Name``: a new name, as typed.
Name = Annotated[str, Param("name", "text")]
#: ``name: OrgName``: a configured org's name (`org use dev`).
OrgName = Annotated[str, Param("name", "org", help="an org's name")]
#: ``glob: Glob``: a database name pattern (``prod-*``).
Glob = Annotated[str, Param("glob", "glob")]

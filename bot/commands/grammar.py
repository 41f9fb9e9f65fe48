"""PURE: the `/astra` grammar (DESIGN §2) as one declarative table, :data:`COMMANDS`.

    /astra <noun> <verb> [positional…] [--flag value | --flag=value | --switch]

The table drives parsing, help, usage messages, "did you mean", permissions (each
command's ``permission`` is named after it: ``db.create``, ``keyspace.delete``,
``telemetry.metrics.set``) and which commands are destructive or long-running. Each
command has its typed dataclass (bot/commands/db.py, iam.py, org.py, perm.py, chat.py),
whose fields are the table's parameters and options.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

from bot.commands.spec import (
    CAPACITY_UNITS,
    CLOUDS,
    DB_STATUSES,
    TIERS,
    CommandSpec,
    Flag,
    Param,
)


def _c(
    noun: str,
    verb: str,
    *params: Param,
    flags: tuple[Flag, ...] = (),
    summary: str,
    example: str = "",
    level: Literal["viewer", "operator", "admin"] = "admin",
    destructive: bool = False,
    mutating: bool | None = None,
    secret_output: bool = False,
    open_to_all: bool = False,
) -> CommandSpec:
    return CommandSpec(
        noun=noun,
        verb=tuple(verb.split()) if verb else (),
        params=params,
        flags=flags,
        summary=summary,
        example=example,
        destructive=destructive,
        mutating=destructive if mutating is None else mutating,
        secret_output=secret_output,
        open_to_all=open_to_all,
        level=level,
    )


DB = Param("db", "db", help="database name or id")
CLOUD = Flag("cloud", "choice", choices=CLOUDS)

COMMANDS: tuple[CommandSpec, ...] = (
    # -- databases
    _c(
        "db",
        "list",
        flags=(
            Flag("status", "choice", choices=DB_STATUSES, meta="status"),
            CLOUD,
            Flag("name", "glob"),
            Flag("all", "switch"),
            Flag("page", "int", bounds=(1, None)),
        ),
        summary="list the organization's databases",
        example="/astra db list --status ACTIVE",
        level="viewer",
    ),
    _c("db", "get", DB, summary="show a database", example="/astra db get orders", level="viewer"),
    _c(
        "db",
        "status",
        DB,
        summary="show a database's status",
        example="/astra db status orders",
        level="viewer",
    ),
    _c(
        "db",
        "create",
        Param("name", "dbname"),
        flags=(
            CLOUD,
            Flag("region", "region"),
            Flag("keyspace", "keyspace"),
            Flag("tier", "choice", choices=TIERS),
            Flag("capacity-units", "int", bounds=CAPACITY_UNITS),
            Flag("vector", "switch", dest="vector", value=True),
            Flag("non-vector", "switch", dest="vector", value=False),
            Flag("allow-duplicate-name", "switch"),
        ),
        summary="create a database and tell the channel when it is ACTIVE",
        example="/astra db create orders --cloud gcp --region us-east1 --keyspace shop",
        level="operator",
        mutating=True,
    ),
    _c(
        "db",
        "delete",
        DB,
        summary="terminate a database (asks for confirmation)",
        example="/astra db delete orders",
        level="operator",
        destructive=True,
    ),
    _c(
        "db",
        "park",
        DB,
        summary="park a classic database (asks for confirmation)",
        level="operator",
        destructive=True,
    ),
    _c("db", "unpark", DB, summary="unpark a classic database", level="operator", mutating=True),
    _c(
        "db",
        "resize",
        DB,
        Param("units", "int", help="capacity units, 1–100", bounds=CAPACITY_UNITS),
        summary="resize a classic database",
        example="/astra db resize orders 4",
        level="operator",
        mutating=True,
    ),
    # -- keyspaces
    _c("keyspace", "list", DB, summary="list a database's keyspaces", level="viewer"),
    _c(
        "keyspace",
        "create",
        DB,
        Param("keyspace", "keyspace"),
        summary="create a keyspace",
        example="/astra keyspace create orders shop",
        level="operator",
        mutating=True,
    ),
    _c(
        "keyspace",
        "delete",
        DB,
        Param("keyspace", "keyspace"),
        summary="delete a keyspace (asks for confirmation)",
        level="operator",
        destructive=True,
    ),
    # -- regions
    _c("region", "list", DB, summary="list a database's regions", level="viewer"),
    _c(
        "region",
        "add",
        DB,
        Param("region", "region"),
        flags=(CLOUD, Flag("tier", "choice", choices=TIERS)),
        summary="add a region to a database",
        example="/astra region add orders europe-west1",
        level="operator",
        mutating=True,
    ),
    _c(
        "region",
        "remove",
        DB,
        Param("region", "region"),
        summary="remove a region from a database (asks for confirmation)",
        level="operator",
        destructive=True,
    ),
    _c(
        "region",
        "available",
        flags=(CLOUD, Flag("tier", "choice", choices=TIERS)),
        summary="list regions for new databases",
        example="/astra region available --cloud aws",
        level="viewer",
    ),
    # -- access lists
    _c("access-list", "show", DB, summary="show a database's access list", level="viewer"),
    _c("access-list", "devops", summary="show the DevOps API's own IP access list"),
    _c(
        "access-list",
        "add",
        DB,
        Param("cidr", "cidr"),
        flags=(Flag("description", "text"),),
        summary="allow an IPv4 address or CIDR",
        example="/astra access-list add orders 10.0.0.0/24 --description office",
        level="operator",
        mutating=True,
    ),
    _c(
        "access-list",
        "remove",
        DB,
        Param("cidr", "cidr"),
        summary="remove an address (asks for confirmation)",
        level="operator",
        destructive=True,
    ),
    # -- secure connect bundle
    _c(
        "scb",
        "",
        DB,
        flags=(Flag("region", "region"),),
        summary="a short-lived secure connect bundle link, shown only to you",
        example="/astra scb orders",
        level="operator",
        secret_output=True,
    ),
    # -- application tokens
    _c("token", "list", summary="list application tokens"),
    _c(
        "token",
        "create",
        flags=(Flag("role", "role", many=True), Flag("description", "text")),
        summary="create a token; the secret is shown once, only to you",
        example='/astra token create --role "Database Administrator"',
        mutating=True,
        secret_output=True,
    ),
    _c(
        "token",
        "revoke",
        Param("client_id", "id"),
        summary="revoke a token (asks for confirmation)",
        destructive=True,
    ),
    # -- Astra roles and users
    _c("role", "list", summary="list the organization's Astra roles"),
    _c("role", "get", Param("role", "role"), summary="show an Astra role"),
    _c(
        "role",
        "create",
        Param("name", "text"),
        flags=(
            Flag("permission", "text", many=True),
            Flag("db", "db", many=True),
            Flag("description", "text"),
        ),
        summary="create a custom Astra role",
        example="/astra role create readers --permission org-db-view --db orders",
        mutating=True,
    ),
    _c(
        "role",
        "delete",
        Param("role", "role"),
        summary="delete an Astra role (asks for confirmation)",
        destructive=True,
    ),
    _c("user", "list", summary="list the organization's users"),
    _c(
        "user",
        "invite",
        Param("email", "email"),
        flags=(Flag("role", "role", many=True),),
        summary="invite a user",
        example='/astra user invite ana@example.com --role "Read Only User"',
        mutating=True,
    ),
    _c(
        "user",
        "remove",
        Param("user", "text"),
        summary="remove a user (asks for confirmation)",
        destructive=True,
    ),
    _c(
        "user",
        "roles",
        Param("user", "text"),
        Param("roles", "role", rest=True),
        summary="set a user's Astra roles",
        mutating=True,
    ),
    _c("org", "show", summary="show the organization", level="viewer"),
    # -- telemetry
    _c("telemetry", "metrics show", DB, summary="show a database's metrics export"),
    _c(
        "telemetry",
        "metrics set",
        DB,
        Param("kind", "text"),
        Param("settings", "kv", rest=True),
        summary="set a database's metrics export",
        example="/astra telemetry metrics set orders prometheus_remote "
        "endpoint=https://prom.example.com/api/v1/write auth_strategy=bearer token=…",
        mutating=True,
    ),
    _c("telemetry", "audit-log show", summary="show the org's audit-log streaming"),
    _c(
        "telemetry",
        "audit-log set",
        Param("settings", "kv", rest=True),
        summary="set the org's audit-log streaming",
        mutating=True,
    ),
    _c(
        "telemetry",
        "audit-log delete",
        summary="stop audit-log streaming (asks for confirmation)",
        destructive=True,
    ),
    # -- read-only listings of org-level network and key settings
    _c("private-link", "list", summary="list private links"),
    _c("custom-domain", "list", summary="list custom domains"),
    _c("kms", "list", summary="list customer keys"),
    _c("peering", "show", DB, flags=(CLOUD,), summary="show a classic database's VPC peering"),
    # -- watching
    _c(
        "watch",
        "",
        Param("db", "db", help="database name or id, or `all`"),
        summary="tell this channel of every status change",
        example="/astra watch orders",
        level="viewer",
        mutating=True,
    ),
    _c("watch", "list", summary="list this channel's watches", level="viewer"),
    _c("watch", "stop", Param("db", "db"), summary="stop watching", level="viewer", mutating=True),
    # -- the bot's own permissions
    _c(
        "perm",
        "grant",
        Param("subject", "subject"),
        Param("role", "role"),
        flags=(Flag("db", "glob"),),
        summary="bind a role to a user, usergroup or channel",
        example="/astra perm grant @ana operator --db 'dev-*'",
        mutating=True,
    ),
    _c(
        "perm",
        "revoke",
        Param("subject", "subject"),
        Param("role", "role"),
        flags=(Flag("db", "glob"),),
        summary="remove a binding",
        mutating=True,
    ),
    _c("perm", "list", summary="list bindings, guards and protected databases"),
    _c(
        "perm",
        "guard",
        Param("channel", "channel"),
        Param("role", "role"),
        summary="cap what may be done in a channel",
        example="/astra perm guard #general viewer",
        mutating=True,
    ),
    _c(
        "perm",
        "unguard",
        Param("channel", "channel"),
        summary="remove a channel's guard",
        mutating=True,
    ),
    _c(
        "perm",
        "protect",
        Param("glob", "glob"),
        summary="require a second person's approval for matching databases",
        example="/astra perm protect 'prod-*'",
        mutating=True,
    ),
    _c("perm", "unprotect", Param("glob", "glob"), summary="remove a protection", mutating=True),
    _c(
        "perm",
        "role create",
        Param("name", "text"),
        Param("permissions", "text", rest=True),
        summary="define a custom role",
        example="/astra perm role create dba db.* keyspace.*",
        mutating=True,
    ),
    _c("perm", "role delete", Param("name", "text"), summary="delete a custom role", mutating=True),
    _c("perm", "whoami", summary="your roles and rights here", open_to_all=True),
    _c(
        "perm",
        "check",
        Param("subject", "subject"),
        Param("command", "text", rest=True, raw=True),
        summary="explain whether someone may run a command here",
    ),
    # -- audit and help
    _c(
        "audit",
        "",
        flags=(Flag("limit", "int", bounds=(1, 100)), Flag("user", "subject"), Flag("db", "text")),
        summary="recent audit entries",
        example="/astra audit --limit 20",
    ),
    _c(
        "help",
        "",
        Param("topic", "text", optional=True),
        summary="what you may run here",
        open_to_all=True,
    ),
)

SPECS: Mapping[str, CommandSpec] = {c.permission: c for c in COMMANDS}
NOUNS: tuple[str, ...] = tuple(dict.fromkeys(c.noun for c in COMMANDS))

"""PURE: the `/astra` grammar (DESIGN §2) — command text → :class:`Intent` or :class:`UsageError`.

    /astra <noun> <verb> [positional…] [--flag value | --flag=value | --switch]

The grammar is one declarative table, :data:`COMMANDS`, which also drives help, usage
messages, "did you mean", permissions (each command's ``permission`` is named after it:
``db.create``, ``keyspace.delete``, ``telemetry.metrics.set``) and which commands are
destructive or long-running. Nothing here does I/O: database names are not resolved to
ids here (that needs Astra), only checked for shape.

Slack escapes are understood wherever a subject is expected: ``<@U123|ana>``,
``<#C123|ops>``, ``<!subteam^S123|@dba>``, and bare IDs. Slack's HTML escaping of ``&``,
``<`` and ``>`` and its "smart" quotes are undone before parsing.
"""

from __future__ import annotations

import difflib
import html
import ipaddress
import re
import shlex
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from bot.astra.models import KNOWN_STATUSES
from bot.errors import UsageError
from bot.mrkdwn import Mrkdwn, subject

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
class Subject:
    """Who a binding names: always a Slack ID, never a display name."""

    type: Literal["user", "usergroup", "channel"]
    id: str

    def mention(self) -> Mrkdwn:
        return subject(self.type, self.id)


Value = str | int | bool | tuple[str, ...] | tuple[Subject, ...] | Subject | None


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
            if f.kind == "switch":
                parts.append(f"[--{f.name}]")
            else:
                meta = f.meta or ("|".join(f.choices) if f.choices else f.name.replace("-", "_"))
                parts.append(f"[--{f.name} {meta}{'…' if f.many else ''}]")
        return " ".join(parts)


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


@dataclass(frozen=True)
class Intent:
    """A parsed command: which command, and its validated arguments."""

    spec: CommandSpec
    args: Mapping[str, Value] = field(default_factory=dict)

    @property
    def permission(self) -> str:
        return self.spec.permission

    def arg(self, name: str) -> str:
        v = self.args.get(name)
        if not isinstance(v, str):
            raise KeyError(name)
        return v

    def opt(self, name: str) -> str | None:
        v = self.args.get(name)
        return v if isinstance(v, str) else None

    def num(self, name: str) -> int:
        v = self.args.get(name)
        if not isinstance(v, int) or isinstance(v, bool):
            raise KeyError(name)
        return v

    def opt_num(self, name: str) -> int | None:
        v = self.args.get(name)
        return v if isinstance(v, int) and not isinstance(v, bool) else None

    def switch(self, name: str) -> bool | None:
        v = self.args.get(name)
        return v if isinstance(v, bool) else None

    def many(self, name: str) -> tuple[str, ...]:
        v = self.args.get(name)
        if isinstance(v, tuple):
            return tuple(x for x in v if isinstance(x, str))
        return ()

    def subject(self, name: str) -> Subject:
        v = self.args.get(name)
        if not isinstance(v, Subject):
            raise KeyError(name)
        return v

    def opt_subject(self, name: str) -> Subject | None:
        v = self.args.get(name)
        return v if isinstance(v, Subject) else None

    @property
    def target_dbs(self) -> tuple[str, ...]:
        """Every existing database the command names, as typed (name or id): the values of
        its ``db``-kind arguments and flags, whatever the noun (`watch all` names none)."""
        refs: list[str] = []
        kinds: list[tuple[str, str]] = [(p.name, p.kind) for p in self.spec.params]
        kinds += [(f.target, f.kind) for f in self.spec.flags]
        for name, kind in kinds:
            if kind != "db":
                continue
            v = self.args.get(name)
            values = v if isinstance(v, tuple) else (v,)
            refs += [x for x in values if isinstance(x, str) and x and x != "all"]
        return tuple(dict.fromkeys(refs))

    @property
    def target_db(self) -> str | None:
        """The database the command acts on, as typed (name or id), if any; for `db create`,
        the new name."""
        if self.spec.permission == "db.create":
            return self.arg("name")
        refs = self.target_dbs
        return refs[0] if refs else None

    def canonical(self) -> str:
        """The command re-assembled from its arguments (used in audit rows and confirmations)."""
        parts = ["/astra", self.spec.noun, *self.spec.verb]
        for p in self.spec.params:
            v = self.args.get(p.name)
            parts.extend(_show(v))
        for f in self.spec.flags:
            if f.kind == "switch":
                if self.args.get(f.target) is f.value:
                    parts.append(f"--{f.name}")
                continue
            v = self.args.get(f.target)
            if v is None or v == ():
                continue
            parts.append(f"--{f.name}")
            parts.extend(_show(v))
        return " ".join(parts)


def _show(v: Value) -> list[str]:
    if v is None:
        return []
    if isinstance(v, Subject):
        return [v.mention()]
    if isinstance(v, tuple):
        out: list[str] = []
        for x in v:
            out.extend(_show(x))
        return out
    # quoted wherever the shell-like tokenizer would read it differently
    return [shlex.quote(str(v))]


# ---------------------------------------------------------------------------- tokenizing

_SMART_QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "‘": "'", "’": "'"})


#: The longest command text accepted. Slack's documentation gives no separate limit for a
#: slash command's ``text`` (it is typed in the message composer); 4,000 characters is the
#: length Slack documents for a message's text (https://api.slack.com/methods/
#: chat.postMessage#truncating: "limit the number of characters in the text field to 4,000
#: characters"), and far above any command of the grammar (the longest real ones, a role
#: with every permission, are a few hundred characters).
MAX_TEXT_CHARS = 4000

# shlex's POSIX-mode characters (shlex.shlex(posix=True)): whitespace, quotes, escape
_WHITESPACE = " \t\r\n"
_PLAIN_RUN = re.compile(r"[^ \t\r\n\\'\"]+")
_DOUBLE_QUOTED_RUN = re.compile(r'[^"\\]+')


def split_words(text: str) -> list[str]:
    """``shlex.split(text)`` (POSIX mode, no comments) in one linear pass.

    shlex builds each token one character at a time by string concatenation on an
    attribute, which is quadratic in the token's length (a 1 MB word took seconds); here
    runs of ordinary characters are taken whole. Same results, same ValueError on an
    unclosed quote or a trailing backslash (tests/test_tokenize.py checks both against
    shlex on random input)."""
    words: list[str] = []
    word: list[str] = []
    started = False  # a word is open: even `""` is a word
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c in _WHITESPACE:
            if started:
                words.append("".join(word))
                word, started = [], False
            i += 1
            continue
        started = True
        if c == "\\":  # outside quotes: the next character, whatever it is
            if i + 1 >= n:
                raise ValueError("No escaped character")
            word.append(text[i + 1])
            i += 2
        elif c == "'":  # single quotes: everything up to the next one, verbatim
            end = text.find("'", i + 1)
            if end < 0:
                raise ValueError("No closing quotation")
            word.append(text[i + 1:end])
            i = end + 1
        elif c == '"':  # double quotes: a backslash escapes only `"` and itself
            i += 1
            while True:
                if i >= n:
                    raise ValueError("No closing quotation")
                c = text[i]
                if c == '"':
                    i += 1
                    break
                if c == "\\":
                    if i + 1 >= n:
                        raise ValueError("No escaped character")
                    nxt = text[i + 1]
                    word.append(nxt if nxt in '"\\' else c + nxt)
                    i += 2
                    continue
                run = _DOUBLE_QUOTED_RUN.match(text, i)
                assert run is not None  # c is neither `"` nor a backslash
                word.append(run.group())
                i = run.end()
        else:
            run = _PLAIN_RUN.match(text, i)
            assert run is not None  # c is none of the characters above
            word.append(run.group())
            i = run.end()
    if started:
        words.append("".join(word))
    return words


def tokenize(text: str) -> list[str]:
    """Split like a shell (quotes group words), after undoing Slack's escaping."""
    cleaned = text.translate(_SMART_QUOTES).replace("\u00a0", " ").strip()
    try:
        tokens = split_words(cleaned)
    except ValueError as exc:
        raise UsageError(
            "A quote is not closed.", hint="Close the quote, or drop it.", usage=None
        ) from exc
    # Slack sends `&`, `<` and `>` typed by the user as HTML entities; its own escapes
    # (<@U…>) arrive as real angle brackets and are left alone by unescape.
    return [html.unescape(t) for t in tokens]


# ---------------------------------------------------------------------------- values

_USER_RE = re.compile(r"^<@([UW][A-Z0-9]{2,})(?:\|[^>]*)?>$")
_CHANNEL_RE = re.compile(r"^<#([CGD][A-Z0-9]{2,})(?:\|[^>]*)?>$")
_GROUP_RE = re.compile(r"^<!subteam\^(S[A-Z0-9]{2,})(?:\|[^>]*)?>$")
_BARE_RE = re.compile(r"^([UWCGS])[A-Z0-9]{2,}$")
_DBNAME_RE = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9_-]{0,48}[A-Za-z0-9])?$")
_KEYSPACE_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,47}$")
_REGION_RE = re.compile(r"^[a-z][a-z0-9-]{1,40}[0-9a-z]$")
_EMAIL_RE = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")
_MAILTO_RE = re.compile(r"^<mailto:([^|>]+)(?:\|[^>]*)?>$")
_ID_RE = re.compile(r"^[A-Za-z0-9_.:-]{1,128}$")
_GLOB_RE = re.compile(r"^[A-Za-z0-9_*?\[\]!-]{1,64}$")


def parse_subject(token: str) -> Subject | None:
    """A Slack user, usergroup or channel, from an escape or a bare ID; None otherwise."""
    if m := _USER_RE.match(token):
        return Subject("user", m.group(1))
    if m := _CHANNEL_RE.match(token):
        return Subject("channel", m.group(1))
    if m := _GROUP_RE.match(token):
        return Subject("usergroup", m.group(1))
    if m := _BARE_RE.match(token):
        kind = {"U": "user", "W": "user", "C": "channel", "G": "channel", "S": "usergroup"}
        return Subject(kind[m.group(1)], token)  # type: ignore[arg-type]
    return None


def _convert(
    spec: CommandSpec, what: str, kind: str, raw: str, field: Param | Flag | None
) -> Value:
    """One value, checked for its kind, its choices and its range: the one validation of
    a typed command and of a form's fields alike (:func:`check_value`)."""

    def bad(msg: str, hint: str | None = None) -> UsageError:
        return UsageError(f"{what}: {msg}", usage=spec.usage, hint=hint)

    flag = field if isinstance(field, Flag) else None
    if flag is not None and flag.kind == "choice":
        low = {c.lower(): c for c in flag.choices}
        if raw.lower() in low:
            return low[raw.lower()]
        near = difflib.get_close_matches(raw.lower(), list(low), n=2, cutoff=0.5)
        raise UsageError(
            f"{what}: `{_clip(raw)}` is not one of {', '.join(flag.choices)}.",
            usage=spec.usage,
            suggestions=[low[n] for n in near],
        )
    match kind:
        case "db":
            if not _ID_RE.match(raw):
                raise bad(f"`{_clip(raw)}` is not a database name or id.")
            return raw
        case "dbname":
            if not _DBNAME_RE.match(raw):
                raise bad(
                    f"`{_clip(raw)}` is not a valid database name.",
                    "Use 1–50 letters, digits, `-` or `_`, starting and ending with a "
                    "letter or digit.",
                )
            return raw
        case "keyspace":
            if not _KEYSPACE_RE.match(raw):
                raise bad(
                    f"`{_clip(raw)}` is not a valid keyspace name.",
                    "Use up to 48 letters, digits or `_`, starting with a letter.",
                )
            return raw
        case "region":
            if not _REGION_RE.match(raw.lower()):
                raise bad(f"`{_clip(raw)}` is not a region name (like `us-east1`).")
            return raw.lower()
        case "int":
            try:
                number = int(raw, 10)
            except ValueError:
                raise bad(f"`{_clip(raw)}` is not a whole number.") from None
            if field is not None and field.bounds is not None:
                least, most = field.bounds
                if most is None and number < least:
                    raise bad(f"`{number}` is too small: use {least} or more.")
                if most is not None and not least <= number <= most:
                    raise bad(f"`{number}` is not between {least} and {most}.")
            return number
        case "cidr":
            return _cidr(raw, bad)
        case "email":
            m = _MAILTO_RE.match(raw)
            addr = m.group(1) if m else raw
            if not _EMAIL_RE.match(addr):
                raise bad(f"`{_clip(raw)}` is not an email address.")
            return addr
        case "subject":
            subj = parse_subject(raw)
            if subj is None:
                raise bad(
                    f"`{_clip(raw)}` is not a Slack user, usergroup or channel.",
                    "Mention them (`@ana`, `@dba-team`, `#ops`) so Slack sends their ID.",
                )
            return subj
        case "channel":
            subj = parse_subject(raw)
            if subj is None or subj.type != "channel":
                raise bad(f"`{_clip(raw)}` is not a channel.", "Mention it: `#ops`.")
            return subj
        case "glob":
            if not _GLOB_RE.match(raw):
                raise bad(f"`{_clip(raw)}` is not a database-name pattern (like `dev-*`).")
            return raw
        case "kv":
            key, sep, _ = raw.partition("=")
            if not sep or not key:
                raise bad(f"`{_clip(raw, secret=True)}` is not a `key=value` setting.")
            return raw
        case "id":
            if not _ID_RE.match(raw):
                raise bad(f"`{_clip(raw)}` is not an id.")
            return raw
        case _:
            if not raw.strip():
                raise bad("may not be empty.")
            return raw


def _cidr(raw: str, bad: object) -> str:
    assert callable(bad)
    try:
        net = ipaddress.IPv4Network(raw, strict=True)
    except ValueError:
        try:
            loose = ipaddress.IPv4Network(raw, strict=False)
        except ValueError:
            raise bad(
                f"`{_clip(raw)}` is not an IPv4 address or CIDR block.",
                "Write it like `203.0.113.7` or `10.0.0.0/24`.",
            ) from None
        raise bad(
            f"`{raw}` has host bits set.", f"Did you mean `{loose.with_prefixlen}`?"
        ) from None
    return net.with_prefixlen if "/" in raw else str(net.network_address)


def _clip(s: str, *, secret: bool = False) -> str:
    """A typed value as shown inside a code span of a usage message: short, and with its
    backticks as look-alikes (U+02CB), since a backtick would end Slack's code span (a typed
    `whoami` showed as ``whoami``)."""
    if secret:
        s = s.partition("=")[0] + "=…"
    elif len(s) > 60:
        s = s[:57] + "…"
    return s.replace("`", "\u02cb")


# ---------------------------------------------------------------------------- parsing


def _suggest(word: str, options: list[str]) -> list[str]:
    cutoff = 0.5 if len(word) <= 3 else 0.6  # `dv` → `db`
    return difflib.get_close_matches(word, options, n=3, cutoff=cutoff)


def _find_spec(tokens: list[str]) -> tuple[CommandSpec, list[str]]:
    noun = tokens[0].lower()
    if noun not in NOUNS:
        sugg = _suggest(noun, list(NOUNS))
        raise UsageError(
            f"`{_clip(tokens[0])}` is not an /astra command.",
            suggestions=[f"/astra {s}" for s in sugg],
            hint="`/astra help` lists what you may run.",
        )
    candidates = [c for c in COMMANDS if c.noun == noun]
    rest = tokens[1:]
    # Longest verb first, so `perm role create` wins over a verb-less form.
    for spec in sorted(candidates, key=lambda c: -len(c.verb)):
        n = len(spec.verb)
        if n and [t.lower() for t in rest[:n]] == list(spec.verb):
            return spec, rest[n:]
    verbless = next((c for c in candidates if not c.verb), None)
    if verbless is not None:
        return verbless, rest
    verbs = sorted({" ".join(c.verb) for c in candidates})
    if not rest or rest[0].startswith("--"):
        raise UsageError(
            f"`/astra {noun}` needs a verb: {', '.join(verbs)}.",
            suggestions=[f"/astra {noun} {v}" for v in verbs],
        )
    typed = " ".join(rest[:2]).lower() if any(" " in v for v in verbs) else rest[0].lower()
    sugg = _suggest(rest[0].lower(), verbs) or _suggest(typed, verbs)
    raise UsageError(
        f"`{_clip(rest[0])}` is not a verb of `/astra {noun}` (try {', '.join(verbs)}).",
        suggestions=[f"/astra {noun} {s}" for s in sugg],
    )


def _words(text: str) -> list[str]:
    """The tokens of a command, without a leading `/astra`."""
    tokens = tokenize(text)
    if tokens and tokens[0].lower() in {"/astra", "astra"}:
        tokens = tokens[1:]
    return tokens


def command_named(text: str) -> CommandSpec | None:
    """The command a text names by its noun and verb, even when its arguments do not
    parse (None when it names none): whether the caller may run it is decided before a
    usage message or a form is shown to them."""
    try:
        tokens = _words(text)
        return _find_spec(tokens)[0] if tokens else None
    except UsageError:
        return None


def parse(text: str) -> Intent:
    """Parse the text after `/astra`. Raises UsageError with a usage line and suggestions."""
    if len(text) > MAX_TEXT_CHARS:
        raise UsageError(
            f"That command is too long: {len(text):,} characters, and a command may have "
            f"at most {MAX_TEXT_CHARS:,}.",
            hint="Shorten it; nothing was run.",
        )
    if "\x00" in text:
        # Slack never sends a NUL byte, and PostgreSQL cannot store one in text: refused
        # here, before anything is decided or sent (the refusal itself is audited).
        raise UsageError(
            "The command contains a NUL character (\\0), which Slack never sends; "
            "nothing was run.",
            hint="Type the command again without it.",
        )
    tokens = _words(text)
    if not tokens:
        return Intent(SPECS["help"], {"topic": None})
    spec, rest = _find_spec(tokens)
    raw_at = next((i for i, p in enumerate(spec.params) if p.raw), None)
    if raw_at is not None and len(rest) > raw_at:
        # `perm check @ana db create x --region r`: the tail is another command, verbatim
        args_raw: dict[str, Value] = {}
        for p, tok in zip(spec.params[:raw_at], rest[:raw_at], strict=True):
            args_raw[p.name] = _convert(spec, f"<{p.name}>", p.kind, tok, p)
        args_raw[spec.params[raw_at].name] = tuple(rest[raw_at:])
        return Intent(spec, args_raw)
    flags_by_name = {f.name: f for f in spec.flags}
    positionals: list[str] = []
    args: dict[str, Value] = {}
    many: dict[str, list[str]] = {}
    i = 0
    while i < len(rest):
        tok = rest[i]
        i += 1
        if tok.startswith("--") and len(tok) > 2:
            name, eq, inline = tok[2:].partition("=")
            name = name.lower()
            flag = flags_by_name.get(name)
            if flag is None:
                sugg = _suggest(name, list(flags_by_name))
                known = ", ".join(f"--{f}" for f in flags_by_name) or "none"
                raise UsageError(
                    f"`--{_clip(name)}` is not an option of `/astra {spec.name}` "
                    f"(options: {known}).",
                    usage=spec.usage,
                    suggestions=[f"--{s}" for s in sugg],
                )
            if flag.kind == "switch":
                if eq:
                    raise UsageError(f"`--{name}` takes no value.", usage=spec.usage)
                if flag.target in args and args[flag.target] is not flag.value:
                    raise UsageError(f"`--{name}` contradicts an earlier option.", usage=spec.usage)
                args[flag.target] = flag.value
                continue
            values: list[str] = []
            if eq:
                values.append(inline)
            elif i < len(rest) and not rest[i].startswith("--"):
                values.append(rest[i])
                i += 1
            else:
                raise UsageError(f"`--{name}` needs a value.", usage=spec.usage)
            if flag.many:
                while i < len(rest) and not rest[i].startswith("--"):
                    values.append(rest[i])
                    i += 1
                many.setdefault(flag.target, []).extend(values)
                continue
            if flag.target in args:
                raise UsageError(f"`--{name}` is given twice.", usage=spec.usage)
            args[flag.target] = _convert(spec, f"--{name}", flag.kind, values[0], flag)
        else:
            positionals.append(tok)
    for target, values in many.items():
        flag = next(f for f in spec.flags if f.target == target)
        converted = tuple(_convert(spec, f"--{flag.name}", flag.kind, v, flag) for v in values)
        args[target] = tuple(str(c) for c in converted)
    for p in spec.params:
        if p.rest:
            if not positionals and not p.optional:
                raise UsageError(f"`/astra {spec.name}` needs <{p.name}>.", usage=spec.usage)
            conv = [_convert(spec, f"<{p.name}>", p.kind, v, p) for v in positionals]
            args[p.name] = tuple(c for c in conv if isinstance(c, str))
            positionals = []
            continue
        if not positionals:
            if p.optional:
                args[p.name] = None
                continue
            raise UsageError(
                f"`/astra {spec.name}` needs <{p.name}>" + (f" ({p.help})." if p.help else "."),
                usage=spec.usage,
            )
        args[p.name] = _convert(spec, f"<{p.name}>", p.kind, positionals.pop(0), p)
    if positionals:
        extra = " ".join(_clip(x) for x in positionals)
        raise UsageError(f"Unexpected `{extra}` after the command.", usage=spec.usage)
    _check_together(spec, args)
    return Intent(spec, args)


def _check_together(spec: CommandSpec, args: Mapping[str, Value]) -> None:
    """Rules between two values of one command."""
    if spec.permission == "db.create":
        tier, units = args.get("tier"), args.get("capacity_units")
        if (isinstance(tier, str) and tier[:1] in {"C", "D"} and isinstance(units, int)
                and units > CLASSIC_START_MAX_UNITS):
            raise UsageError(
                f"--capacity-units: a {tier} database starts with at most "
                f"{CLASSIC_START_MAX_UNITS} capacity units, not {units}.",
                usage=spec.usage,
                hint="Create it smaller, then `/astra db resize` it (3 units more at a time).",
            )


def check_value(permission: str, name: str, raw: str) -> str | None:
    """Why ``raw`` is not a valid value of a command's parameter or option (None if it is).
    Used to show errors on the fields of a form before the command is built."""
    spec = SPECS[permission]
    param = next((p for p in spec.params if p.name == name), None)
    flag = next((f for f in spec.flags if f.target == name), None)
    kind = param.kind if param else (flag.kind if flag else "text")
    try:
        _convert(spec, name, kind, raw, param or flag)
    except UsageError as err:
        msg = err.user_message.partition(": ")[2] or err.user_message
        return f"{msg} {err.hint}" if err.hint else msg
    return None


def specs_for_topic(topic: str | None) -> list[CommandSpec]:
    """The commands a help topic names (a noun), or all."""
    if not topic:
        return list(COMMANDS)
    topic = topic.lower()
    found = [c for c in COMMANDS if c.noun == topic]
    if not found:
        sugg = _suggest(topic, list(NOUNS))
        raise UsageError(
            f"There is no help topic `{_clip(topic)}`.",
            suggestions=[f"/astra help {s}" for s in sugg],
            hint=f"Topics: {', '.join(NOUNS)}.",
        )
    return found

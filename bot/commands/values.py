"""PURE: one value of a command, checked for its kind, its choices and its range.

The one validation of a typed command and of a form's fields alike: names, keyspaces,
regions, numbers in range, CIDRs, emails, Slack subjects, globs and ``key=value`` settings.
Slack escapes are understood wherever a subject is expected: ``<@U123|ana>``,
``<#C123|ops>``, ``<!subteam^S123|@dba>``, and bare IDs.
"""

from __future__ import annotations

import difflib
import ipaddress
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from bot.astra.models import is_domain
from bot.commands.spec import CLOUDS, CommandSpec, Flag, Param
from bot.errors import UsageError
from bot.render.mrkdwn import Mrkdwn, subject
from bot.settings import ORG_NAME


@dataclass(frozen=True)
class Subject:
    """Who a binding names: always a Slack ID, never a display name."""

    type: Literal["user", "usergroup", "channel"]
    id: str

    def mention(self) -> Mrkdwn:
        return subject(self.type, self.id)


Value = str | int | bool | tuple[str, ...] | tuple[Subject, ...] | Subject | None


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
_CLOUD_RE = re.compile(f"^({'|'.join(CLOUDS)})$")
#: AWS ARNs and account ids, GCP project ids, Azure subscription ids: no spaces, no quotes.
_PRINCIPAL_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9:/_.@+=,-]{0,255}$")
#: ARNs, GCP key resource names, Azure key URLs (printable, no spaces).
_KMS_KEY_RE = re.compile(r"^[A-Za-z0-9][\x21-\x7e]{0,511}$")
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


Bad = Callable[..., UsageError]  # (message, hint=None) → the error to raise


def convert(spec: CommandSpec, what: str, kind: str, raw: str, field: Param | Flag | None) -> Value:
    """One value, checked for its kind, its choices and its range: the one validation of
    a typed command and of a form's fields alike (``parse.check_value``)."""

    def bad(msg: str, hint: str | None = None) -> UsageError:
        return UsageError(f"{what}: {msg}", usage=spec.usage, hint=hint)

    if isinstance(field, Flag) and field.kind == "choice":
        return _choice(spec, what, raw, field.choices)
    check = _CHECKS.get(kind, _text)
    return check(raw, bad, field)


def _choice(spec: CommandSpec, what: str, raw: str, choices: tuple[str, ...]) -> str:
    low = {c.lower(): c for c in choices}
    if raw.lower() in low:
        return low[raw.lower()]
    near = difflib.get_close_matches(raw.lower(), list(low), n=2, cutoff=0.5)
    raise UsageError(
        f"{what}: `{clip(raw)}` is not one of {', '.join(choices)}.",
        usage=spec.usage,
        suggestions=[low[n] for n in near],
    )


def _int(raw: str, bad: Bad, field: Param | Flag | None) -> Value:
    try:
        number = int(raw, 10)
    except ValueError:
        raise bad(f"`{clip(raw)}` is not a whole number.") from None
    if field is not None and field.bounds is not None:
        least, most = field.bounds
        if most is None and number < least:
            raise bad(f"`{number}` is too small: use {least} or more.")
        if most is not None and not least <= number <= most:
            raise bad(f"`{number}` is not between {least} and {most}.")
    return number


def _cidr(raw: str, bad: Bad, field: Param | Flag | None) -> Value:
    try:
        net = ipaddress.IPv4Network(raw, strict=True)
    except ValueError:
        try:
            loose = ipaddress.IPv4Network(raw, strict=False)
        except ValueError:
            raise bad(
                f"`{clip(raw)}` is not an IPv4 address or CIDR block.",
                "Write it like `203.0.113.7` or `10.0.0.0/24`.",
            ) from None
        raise bad(
            f"`{raw}` has host bits set.", f"Did you mean `{loose.with_prefixlen}`?"
        ) from None
    return net.with_prefixlen if "/" in raw else str(net.network_address)


def _email(raw: str, bad: Bad, field: Param | Flag | None) -> Value:
    m = _MAILTO_RE.match(raw)
    addr = m.group(1) if m else raw
    if not _EMAIL_RE.match(addr):
        raise bad(f"`{clip(raw)}` is not an email address.")
    return addr


def _subject(raw: str, bad: Bad, field: Param | Flag | None) -> Value:
    subj = parse_subject(raw)
    if subj is None:
        raise bad(
            f"`{clip(raw)}` is not a Slack user, usergroup or channel.",
            "Mention them (`@ana`, `@dba-team`, `#ops`) so Slack sends their ID.",
        )
    return subj


def _channel(raw: str, bad: Bad, field: Param | Flag | None) -> Value:
    subj = parse_subject(raw)
    if subj is None or subj.type != "channel":
        raise bad(f"`{clip(raw)}` is not a channel.", "Mention it: `#ops`.")
    return subj


def _kv(raw: str, bad: Bad, field: Param | Flag | None) -> Value:
    key, sep, _ = raw.partition("=")
    if not sep or not key:
        raise bad(f"`{clip(raw, secret=True)}` is not a `key=value` setting.")
    return raw


def _domain(raw: str, bad: Bad, field: Param | Flag | None) -> Value:
    name = raw.lower().rstrip(".")
    if not is_domain(name):
        raise bad(f"`{clip(raw)}` is not a domain name (like `db.example.com`).")
    return name


def _text(raw: str, bad: Bad, field: Param | Flag | None) -> Value:
    if not raw.strip():
        raise bad("may not be empty.")
    return raw


@dataclass(frozen=True)
class _Pattern:
    """The check of a kind whose values match a pattern: what a value that does not is, and
    how to write one."""

    regex: re.Pattern[str]
    not_one: str  # "is not a valid keyspace name."
    hint: str | None = None
    lower: bool = False  # compared and kept in lower case (region names)

    def __call__(self, raw: str, bad: Bad, field: Param | Flag | None) -> Value:
        value = raw.lower() if self.lower else raw
        if not self.regex.match(value):
            raise bad(f"`{clip(raw)}` {self.not_one}", self.hint)
        return value


#: Each kind of value and its check (any other kind is free text, not empty).
_CHECKS: dict[str, Callable[[str, Bad, Param | Flag | None], Value]] = {
    "db": _Pattern(_ID_RE, "is not a database name or id."),
    "dbname": _Pattern(
        _DBNAME_RE,
        "is not a valid database name.",
        "Use 1–50 letters, digits, `-` or `_`, starting and ending with a letter or digit.",
    ),
    "keyspace": _Pattern(
        _KEYSPACE_RE,
        "is not a valid keyspace name.",
        "Use up to 48 letters, digits or `_`, starting with a letter.",
    ),
    "region": _Pattern(_REGION_RE, "is not a region name (like `us-east1`).", lower=True),
    "int": _int,
    "cidr": _cidr,
    "email": _email,
    "subject": _subject,
    "channel": _channel,
    "glob": _Pattern(_GLOB_RE, "is not a database-name pattern (like `dev-*`)."),
    "kv": _kv,
    "id": _Pattern(_ID_RE, "is not an id."),
    "cloud": _Pattern(_CLOUD_RE, f"is not a cloud: use {', '.join(CLOUDS)}.", lower=True),
    "principal": _Pattern(
        _PRINCIPAL_RE,
        "is not a cloud principal.",
        "Give an AWS ARN (`arn:aws:iam::123456789012:root`), a GCP project or an Azure "
        "subscription id.",
    ),
    "domain": _domain,
    "kms-key": _Pattern(
        _KMS_KEY_RE,
        "is not a key id.",
        "Give the key's ARN (AWS), resource name (GCP) or key URL (Azure).",
    ),
    "org": _Pattern(
        re.compile(f"^{ORG_NAME.pattern}$"),
        "is not an org name.",
        "An org's name is 1 to 32 of a-z, 0-9 and `-`; `/astra org list` shows them.",
    ),
}


def clip(s: str, *, secret: bool = False) -> str:
    """A typed value as shown inside a code span of a usage message: short, and with its
    backticks as look-alikes (U+02CB), since a backtick would end Slack's code span (a typed
    `whoami` showed as ``whoami``)."""
    if secret:
        s = s.partition("=")[0] + "=…"
    elif len(s) > 60:
        s = s[:57] + "…"
    return s.replace("`", "\u02cb")

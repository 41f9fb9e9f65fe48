"""The one redaction of secrets: logs, audit rows, error messages and channel posts all pass
through a :class:`Redactor` (DESIGN §3: secrets never reach logs, the audit table or a
channel).

What is replaced, in this order:

1. **The configured secrets** (Slack tokens, the signing secret, the Astra token, the store's
   password: :meth:`bot.settings.Settings.secret_values`) and their distinctive parts — an
   Astra token ``AstraCS:<client id>:<secret>`` also as ``<client id>:<secret>`` and as its
   64-hex ``<secret>`` alone; a Slack token also without its ``xox?-``/``xapp-`` prefix and as
   its long random tail. Each is matched however it was encoded on the way: as is, any
   character percent-encoded (once or twice, either hex case), JSON/Python-escaped (``\\uXXXX``,
   ``\\/``, ``\\"``), ``+`` for a space. A value shorter than :data:`MIN_SECRET_LEN` is no real
   secret and is not matched (it would shred ordinary words).
2. **Secret shapes**, configured or not: ``AstraCS:…`` tokens and their ``<id>:<64 hex>`` and
   64-hex parts (also with an encoded ``:``), Slack tokens of every family (``xoxb-``,
   ``xoxp-``, ``xoxe.xoxp-``, ``xapp-`` …), ``Authorization``/``Bearer``/``Basic`` values,
   private keys (PEM), Slack response/webhook URLs, passwords in URLs, and signed URLs
   (S3/GCS/Azure signatures and credentials: the whole URL becomes ``[signed-url]``, and a
   signature parameter met outside a URL loses its value).
3. **Named values**: ``key=value``, ``--flag value`` and ``"key": "value"`` whose name says
   secret (:func:`is_secret_name`: token, secret, password, key, credential, signature…).

:meth:`Redactor.secrets_only` applies 1 alone: for the one message whose purpose is a secret
(a new token, a signed bundle URL, shown once and only to its requester), which must still
never carry the bot's own credentials. :func:`mask_settings` is the same rule for a settings
object shown to people (a telemetry config): secret-named values become ``•••• (set)``.
Pure: no I/O.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Final
from urllib.parse import urlsplit, urlunsplit

REDACTED: Final = "[redacted]"
SIGNED_URL: Final = "[signed-url]"
MASK: Final = "•••• (set)"
#: A configured value shorter than this is not matched as a secret (the shapes still are).
MIN_SECRET_LEN: Final = 8
#: A part of a token shorter than this is not distinctive enough to be matched alone.
MIN_PART_LEN: Final = 16

# ---------------------------------------------------------------------------- names

#: Words that make a setting, flag or field name a secret's (compared per word of the name,
#: so ``keyspace`` or ``auth_strategy`` are not secrets, ``api_key`` or ``apiKey`` are).
_SECRET_WORDS: Final = frozenset(
    {
        "token",
        "secret",
        "password",
        "passwd",
        "pwd",
        "key",
        "apikey",
        "accesskey",
        "secretkey",
        "privatekey",
        "credential",
        "credentials",
        "private",
        "signature",
        "sig",
        "authorization",
        "passphrase",
    }
)
_PLACEHOLDERS: Final = ("…", "...", REDACTED, MASK, "••••", "****")
_PUNCTUATION: Final = "\"'`?!.,;:)"


def is_secret_name(name: str) -> bool:
    """Does this setting/flag/field name hold a secret? (``sasl_password``, ``apiKey``,
    ``X-Amz-Signature``, ``--token``: yes; ``keyspace``, ``auth_strategy``: no)."""
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", name)
    words = [w for w in re.split(r"[^a-z0-9]+", spaced.lower()) if w]
    return any(w in _SECRET_WORDS for w in words) or "".join(words) in _SECRET_WORDS


def _placeholder(value: str) -> bool:
    """``…``, ``<token>``, ``[redacted]``: what help and usage texts show instead of a value
    (the punctuation of the sentence around it set aside)."""
    bare = value.strip("\"'`")
    if bare.startswith("<") and ">" in bare:
        bare = bare[bare.index(">") + 1 :]
        return not bare.strip(_PUNCTUATION)
    return any(bare.startswith(p) and not bare[len(p) :].strip(_PUNCTUATION) for p in _PLACEHOLDERS)


# ---------------------------------------------------------------------------- configured

#: Characters a JSON string or a Python repr writes with a backslash before them.
_BACKSLASHED: Final = frozenset("\"'\\/")
#: HTML entities: Slack's escape of foreign text (``&``, ``<``, ``>``) and html.escape's.
_ENTITIES: Final = {
    "&": ("&amp;",),
    "<": ("&lt;",),
    ">": ("&gt;",),
    '"': ("&quot;",),
    "'": ("&#x27;", "&#39;"),
}


def _char_pattern(c: str) -> str:
    """``c`` as itself or escaped the ways a value is when echoed by an API, a log or a
    message: percent-encoded (once or twice), ``\\uXXXX``, backslashed, an HTML entity,
    ``+`` for a space."""
    alts = [re.escape(c)]
    data = c.encode()
    alts.append("".join(f"%{b:02X}" for b in data))
    alts.append("".join(f"%25{b:02X}" for b in data))
    if ord(c) < 0x10000:
        alts.append(re.escape(f"\\u{ord(c):04X}"))
    if c in _BACKSLASHED:
        alts.append(re.escape("\\" + c))
    alts += [re.escape(e) for e in _ENTITIES.get(c, ())]
    if c == " ":
        alts.append(r"\+")
    return "(?:" + "|".join(alts) + ")"


def _any_encoding(form: str) -> str:
    return "".join(_char_pattern(c) for c in form)


_ASTRA_TOKEN: Final = re.compile(r"AstraCS:([A-Za-z0-9]+):([0-9a-fA-F]+)")
_SLACK_TOKEN: Final = re.compile(r"(?:xox[a-z](?:\.xox[a-z])?|xapp)-(.+)")


def secret_forms(secret: str) -> list[str]:
    """A configured secret and its distinctive parts (module docstring), longest first."""
    secret = secret.strip()
    if len(secret) < MIN_SECRET_LEN:
        return []
    forms = {secret}
    if secret.lower().startswith("bearer "):
        forms.add(secret[7:].strip())
    astra = _ASTRA_TOKEN.fullmatch(secret)
    if astra:
        # the client id alone is no secret (Astra lists it; `token revoke` takes it)
        forms |= {f"{astra[1]}:{astra[2]}", astra[2]}
    slack = _SLACK_TOKEN.fullmatch(secret)
    if slack:
        forms.add(slack[1])
        forms |= {p for p in slack[1].split("-") if len(p) >= MIN_PART_LEN}
    return sorted((f for f in forms if len(f) >= MIN_SECRET_LEN), key=len, reverse=True)


# ---------------------------------------------------------------------------- shapes

_COLON: Final = r"(?::|%3[aA]|%253[aA]|\\u003[aA])"
_Repl = str | Callable[[re.Match[str]], str]


def _named_value(m: re.Match[str]) -> str:
    """``name=value`` / ``--name value``: the value goes when the name says secret."""
    name, sep, value = m["name"], m["sep"], m["value"]
    if not is_secret_name(name) or _placeholder(value):
        return m[0]
    return f"{m['lead']}{name}{sep}{REDACTED}"


def _named_field(m: re.Match[str]) -> str:
    """``"name": "value"`` in JSON or a Python repr."""
    if not is_secret_name(m[2]):
        return m[0]
    quote = m[4][0]
    return f"{m[1]}{m[2]}{m[1]}{m[3]}{quote}{REDACTED}{quote}"


_SHAPES: Final[tuple[tuple[re.Pattern[str], _Repl], ...]] = (
    # PEM private keys (telemetry / KMS configuration)
    (
        re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----.*?-----END [A-Z ]*PRIVATE KEY-----", re.S),
        "[redacted private key]",
    ),
    # Authorization header values
    (
        re.compile(
            r"(authorization[\"']?\s*[:=]\s*[\"']?)(?:(bearer|basic|token)\s+)?[^\s\"',};]+", re.I
        ),
        lambda m: f"{m[1]}{m[2] + ' ' if m[2] else ''}{REDACTED}",
    ),
    (
        re.compile(r"\b(Bearer|Basic)\s+(?=\S*[0-9=+/:])[A-Za-z0-9._~+/=:-]{12,}", re.I),
        rf"\1 {REDACTED}",
    ),
    # Astra tokens: whole, with its prefix (any encoding of the colon)…
    (re.compile(r"AstraCS" + _COLON + r"[A-Za-z0-9._:+/=%\\-]+"), f"AstraCS:{REDACTED}"),
    # … without it (<client id>:<64 hex>), and the 64-hex secret alone
    (
        re.compile(r"(?<![A-Za-z0-9])[A-Za-z0-9]{8,}" + _COLON + r"[0-9a-fA-F]{64}(?![0-9a-fA-F])"),
        REDACTED,
    ),
    (re.compile(r"(?<![0-9a-fA-F])[0-9a-fA-F]{64,}(?![0-9a-fA-F])"), REDACTED),
    # every Slack token family (xoxb, xoxp, xoxa, xoxr, xoxe refresh tokens, xapp)
    (re.compile(r"\bxox[a-z](?:\.xox[a-z])?-[A-Za-z0-9-]+"), f"xox?-{REDACTED}"),
    (re.compile(r"\bxapp-[A-Za-z0-9-]+"), f"xapp-{REDACTED}"),
    # Slack incoming webhooks and response_urls: whoever holds one can post
    (re.compile(r"https://hooks\.slack\.com/\S+"), "[slack-hook-url]"),
    # signed URLs (S3, GCS, Azure SAS): whoever holds one can download
    (
        re.compile(
            r"https?://[^\s\"'<>]*?(?:X-Amz-|X-Goog-|[?&](?:sig|signature|Signature|token)="
            r")[^\s\"'<>]*",
            re.I,
        ),
        SIGNED_URL,
    ),
    # a signature parameter met outside a URL (or in an encoded one)
    (
        re.compile(
            r"\b((?:X-Amz-|X-Goog-)(?:Signature|Credential|Security-Token)|Signature|sig)"
            r"(=|%3D|%253D)[^&\s\"'<>]+",
            re.I,
        ),
        rf"\1\2{REDACTED}",
    ),
    # user:password@ in URLs (DATABASE_URL)
    (
        re.compile(r"\b([a-z][a-z0-9+.-]*://[^:/\s@]+):([^@\s/]+)@", re.I),
        lambda m: m[0] if _placeholder(m[2]) else f"{m[1]}:{REDACTED}@",
    ),
)

_NAMED: Final[tuple[tuple[re.Pattern[str], _Repl], ...]] = (
    # "secret": "…" / 'token': '…' in JSON or Python reprs
    (re.compile(r"([\"'])([\w-]+)\1(\s*[:=]\s*)(\"(?:[^\"\\]|\\.)*\"|'[^']*')"), _named_field),
    # key=value (telemetry settings, query strings, logs)
    (
        re.compile(
            r"(?P<lead>(?<![\w.-]))(?P<name>[\w.-]+)(?P<sep>=)"
            r"(?P<value>\"[^\"]*\"|'[^']*'|[^\s&\"',;]+)"
        ),
        _named_value,
    ),
    # --flag value / --flag=value
    (
        re.compile(r"(?P<lead>)(?P<name>--[\w-]+)(?P<sep>=|\s+)(?P<value>\"[^\"]*\"|'[^']*'|\S+)"),
        _named_value,
    ),
)


# ---------------------------------------------------------------------------- the redactor


class Redactor:
    """Redaction with a fixed set of configured secrets (built once, at the composition
    root). Immutable; safe to share."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        forms = sorted({f for s in secrets if s for f in secret_forms(s)}, key=len, reverse=True)
        self._configured = (
            re.compile("|".join(_any_encoding(f) for f in forms), re.I) if forms else None
        )

    def secrets_only(self, text: str) -> str:
        """``text`` without the configured secrets (any encoding), shapes left alone."""
        if self._configured is None or not text:
            return text
        return self._configured.sub(REDACTED, text)

    def text(self, text: str) -> str:
        """``text`` without any secret the bot knows the value, the shape or the name of."""
        if not text:
            return text
        text = self.secrets_only(text)
        for pattern, repl in _SHAPES + _NAMED:
            text = pattern.sub(repl, text)
        return text

    def data(self, value: Any, *, secrets_only: bool = False) -> Any:
        """A JSON-able copy of ``value`` with every string (and key) redacted."""
        clean = self.secrets_only if secrets_only else self.text
        if value is None or isinstance(value, bool | int | float):
            return value
        if isinstance(value, Mapping):
            return {
                clean(str(k)): self.data(v, secrets_only=secrets_only) for k, v in value.items()
            }
        if isinstance(value, list | tuple | set | frozenset):
            return [self.data(v, secrets_only=secrets_only) for v in value]
        return clean(value if isinstance(value, str) else str(value))


@functools.lru_cache(maxsize=16)
def _cached(secrets: frozenset[str]) -> Redactor:
    return Redactor(secrets)


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """:meth:`Redactor.text` for code without a Redactor at hand (the Astra client's error
    text, the doctor's report); compiled once per set of secrets."""
    return _cached(frozenset(secrets)).text(text)


# ---------------------------------------------------------------------------- settings


def _url_without_password(value: str) -> str:
    try:
        parts = urlsplit(value)
        password = parts.password
    except ValueError:
        return value
    if not password:
        return value
    host = parts.hostname or ""
    netloc = f"{parts.username}:****@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


def mask_settings(config: Any) -> Any:
    """A copy of a settings object (a telemetry or audit-log config) safe to show people:
    secret-named values become ``•••• (set)``, URLs lose their password, other text is
    redacted; nested objects and arrays are walked."""
    if isinstance(config, Mapping):
        return {
            str(k): (
                MASK if is_secret_name(str(k)) and v not in (None, "", []) else mask_settings(v)
            )
            for k, v in config.items()
        }
    if isinstance(config, list | tuple):
        return [mask_settings(v) for v in config]
    if isinstance(config, str):
        return redact(_url_without_password(config))
    return config

"""``astra-bot doctor``: check a deployment and say, line by line, what is wrong and how to
fix it.

Checks, in order (each is a :class:`Check` with a stable ``id``):

- ``settings.*``   every setting present and well formed: token prefixes (``xoxb-``,
  ``xapp-``, ``AstraCS:``), the signing secret in HTTP mode, URLs, ``DATABASE_URL``'s
  driver, values pydantic refuses;
- ``slack.auth``   ``auth.test`` with SLACK_BOT_TOKEN: the workspace and the bot user;
- ``slack.scopes`` the token's scopes (``X-OAuth-Scopes``) against app_manifest.yml's;
- ``slack.app_token`` ``apps.connections.open`` with SLACK_APP_TOKEN (Socket Mode only);
- ``astra.auth``   ``GET /v2/currentOrg``: the organization's id and name;
- ``astra.role``   which of the bot's features the token's Astra role allows (its client
  id in ``GET /v2/tokens`` → its roles → their actions);
- ``store.reachable``, ``store.migrations``  the bot's database answers, at head;
- ``watcher.backlog``  operations overdue (no watcher running?), notices Slack refused.

Statuses: ``ok``, ``warn`` (works, but something is missing), ``fail`` (must be fixed) and
``skip`` (could not be checked because of an earlier failure). The exit code is 0 only
when nothing failed.

Design: the checks gather facts with I/O (:func:`diagnose`); everything else — deciding
what the facts mean and formatting (:func:`format_text`, :func:`format_json`) — is pure.
Never prints a secret: no token value is ever put in a Check, and the output is passed
through :func:`bot.redact.redact` with the configured secrets as a last guard.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

import httpx
from pydantic import SecretStr, ValidationError

from bot.astra import http as api
from bot.errors import AstraError, AstraForbidden, AstraUnauthorized, AstraUnavailable, BotError
from bot.redact import Redactor, redact
from bot.settings import Settings

Status = Literal["ok", "warn", "fail", "skip"]

#: The bot's scopes when app_manifest.yml is not beside the package (an installed wheel);
#: a test keeps it equal to the manifest.
MANIFEST_SCOPES: tuple[str, ...] = (
    "commands",
    "chat:write",
    "chat:write.public",
    "usergroups:read",
    "users:read",
)
#: Without these the bot cannot work at all; the others degrade one feature each.
ESSENTIAL_SCOPES = frozenset({"commands", "chat:write"})
SCOPE_EFFECTS = {
    "chat:write.public": "the bot must be invited (`/invite @astra-bot`) to every channel "
    "it posts in",
    "usergroups:read": "role bindings on usergroups are ignored",
    "users:read": "App Home and audit exports show user ids instead of names",
    "im:write": "the bot cannot open direct messages",
}

#: The bot's features → the DevOps API operations they call (bot/astra/http/ names);
#: the Astra permissions come from :data:`bot.astra.http.PERMISSIONS`.
FEATURES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("db list/get/status, watch, the watcher", ("list_databases", "get_database")),
    ("db create", ("create_database",)),
    ("db delete", ("terminate_database",)),
    ("db park/unpark", ("park_database", "unpark_database")),
    ("db resize", ("resize_database",)),
    ("keyspace create/delete", ("create_keyspace", "delete_keyspace")),
    ("region add/remove", ("add_datacenter", "terminate_datacenter")),
    (
        "access-list",
        ("get_access_list", "add_access_list_addresses", "delete_access_list_addresses"),
    ),
    ("scb (secure bundle)", ("secure_bundle_urls",)),
    ("org show", ("current_org",)),
    ("token list/create/revoke", ("list_tokens", "create_token", "revoke_token")),
    ("role list/get/create/delete", ("list_roles", "get_role", "create_role", "delete_role")),
    (
        "user list/invite/remove/roles",
        ("list_users", "invite_user", "remove_user", "set_user_roles"),
    ),
    ("telemetry metrics", ("get_metrics_telemetry", "set_metrics_telemetry")),
    ("telemetry audit-log", ("get_audit_log_streaming", "set_audit_log_streaming")),
)
#: Without this the bot cannot follow anything (every db command resolves names with it).
ESSENTIAL_FEATURE = FEATURES[0][0]

ASYNC_DRIVERS = ("sqlite+aiosqlite", "postgresql+asyncpg", "postgresql+psycopg")


@dataclass(frozen=True)
class Check:
    id: str
    title: str
    status: Status
    detail: str
    fix: str = ""
    data: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Report:
    mode: str
    checks: tuple[Check, ...]

    @property
    def ok(self) -> bool:
        return not any(c.status == "fail" for c in self.checks)

    @property
    def exit_code(self) -> int:
        return 0 if self.ok else 1

    def get(self, check_id: str) -> Check:
        return next(c for c in self.checks if c.id == check_id)

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "exit_code": self.exit_code,
            "mode": self.mode,
            "checks": [asdict(c) | {"data": dict(c.data)} for c in self.checks],
        }


# ---------------------------------------------------------------------------- formatting


_MARK = {"ok": "ok  ", "warn": "WARN", "fail": "FAIL", "skip": "skip"}


def format_text(report: Report, secrets: Iterable[str] = ()) -> str:
    """Readable lines: ``FAIL slack.auth  Slack rejects SLACK_BOT_TOKEN …`` + ``fix:``."""
    width = max((len(c.id) for c in report.checks), default=0)
    lines = [f"astra-bot doctor ({report.mode})"]
    for c in report.checks:
        lines.append(f"{_MARK[c.status]} {c.id:<{width}}  {c.title}: {c.detail}")
        if c.fix and c.status in {"fail", "warn"}:
            lines.append(f"     {'':<{width}}  fix: {c.fix}")
    fails = sum(c.status == "fail" for c in report.checks)
    warns = sum(c.status == "warn" for c in report.checks)
    if fails:
        lines.append(
            f"{fails} problem(s) to fix" + (f", {warns} warning(s)" if warns else "") + "."
        )
    else:
        lines.append(
            "Everything needed is in order" + (f" ({warns} warning(s))." if warns else ".")
        )
    return redact("\n".join(lines), secrets) + "\n"


def format_json(report: Report, secrets: Iterable[str] = ()) -> str:
    clean = Redactor(secrets).data(report.to_dict())
    return json.dumps(clean, indent=2, ensure_ascii=False) + "\n"


# ---------------------------------------------------------------------------- settings


def load_settings(env: Mapping[str, str] | None = None) -> tuple[Settings, list[Check]]:
    """Settings as ``serve`` would read them (``env``: instead of the process environment,
    for tests); a value pydantic refuses becomes a failed check (its value is never shown)
    and its default is used for the other checks."""
    problems: list[Check] = []
    overrides: dict[str, Any] = {}
    for _ in range(len(Settings.model_fields) + 1):
        try:
            if env is None and not overrides:
                return Settings(), problems
            return Settings.model_validate({**(env or {}), **overrides}), problems
        except ValidationError as exc:
            for err in exc.errors(include_input=False):
                alias = str(err.get("loc", ("?",))[0])
                if alias in overrides:
                    continue
                problems.append(
                    Check(
                        f"settings.{alias}",
                        alias,
                        "fail",
                        f"not valid: {err.get('msg')}",
                        f"Fix {alias} (see README, Configuration) or unset it to use the default.",
                    )
                )
                name = next(
                    (n for n, f in Settings.model_fields.items() if f.alias == alias), alias
                )
                field_info = Settings.model_fields.get(name)
                overrides[alias] = field_info.default if field_info is not None else None
    return Settings.model_construct(), problems


def _secret(v: SecretStr | None) -> str | None:
    return v.get_secret_value() if v is not None else None


_WRONG_FAMILY = {
    "xoxp-": "a user token (xoxp-), not the bot token",
    "xoxa-": "a workspace token (xoxa-), not the bot token",
    "xoxe": "a refresh token (xoxe), not the bot token",
    "xapp-": "an app-level token (xapp-); it belongs in SLACK_APP_TOKEN",
    "xoxb-": "a bot token (xoxb-); it belongs in SLACK_BOT_TOKEN",
    "AstraCS:": "an Astra token",
}


def _token_check(
    name: str,
    value: str | None,
    prefix: str,
    missing: Status,
    *,
    missing_detail: str,
    missing_fix: str,
    how: str,
) -> Check:
    cid = f"settings.{name}"
    if value is None:
        return Check(cid, name, missing, missing_detail, missing_fix)
    if value != value.strip() or value[:1] in "\"'" or value[-1:] in "\"'":
        return Check(
            cid,
            name,
            "fail",
            "has spaces or quotes around it",
            f"Set {name} to the bare token ({prefix}…), without quotes.",
        )
    if not value.startswith(prefix):
        family = next(
            (d for p, d in _WRONG_FAMILY.items() if value.startswith(p) and p != prefix), None
        )
        found = f"is {family}" if family else f"does not start with `{prefix}`"
        return Check(cid, name, "fail", found, how)
    return Check(cid, name, "ok", f"set ({prefix}…)")


def check_settings(settings: Settings) -> list[Check]:
    """Pure: presence and shape of every setting (values are never shown)."""
    out: list[Check] = []
    socket = settings.socket_mode
    out.append(
        _token_check(
            "SLACK_BOT_TOKEN",
            _secret(settings.slack_bot_token),
            "xoxb-",
            "fail",
            missing_detail="not set",
            missing_fix="Install the app from app_manifest.yml and copy its Bot User OAuth Token "
            "(OAuth & Permissions, xoxb-…) into SLACK_BOT_TOKEN.",
            how="Copy the Bot User OAuth Token (OAuth & Permissions page, xoxb-…).",
        )
    )
    out.append(
        _token_check(
            "SLACK_APP_TOKEN",
            _secret(settings.slack_app_token),
            "xapp-",
            "ok",
            missing_detail="not set: HTTP mode (Slack posts to /slack/events)",
            missing_fix="",
            how="Create an app-level token with connections:write (Basic Information → "
            "App-Level Tokens, xapp-…).",
        )
    )
    secret = _secret(settings.slack_signing_secret)
    if socket:
        out.append(
            Check(
                "settings.SLACK_SIGNING_SECRET",
                "SLACK_SIGNING_SECRET",
                "ok",
                "not needed in Socket Mode" if secret is None else "set (unused in Socket Mode)",
            )
        )
    elif secret is None:
        out.append(
            Check(
                "settings.SLACK_SIGNING_SECRET",
                "SLACK_SIGNING_SECRET",
                "fail",
                "not set (HTTP mode needs it to verify Slack's requests)",
                "Copy the Signing Secret (Basic Information → App Credentials), or "
                "set SLACK_APP_TOKEN to use Socket Mode.",
            )
        )
    elif not re.fullmatch(r"[0-9a-f]{32}", secret):
        out.append(
            Check(
                "settings.SLACK_SIGNING_SECRET",
                "SLACK_SIGNING_SECRET",
                "warn",
                "set, but not shaped like a Slack signing secret (32 hex digits)",
                "Copy the Signing Secret (Basic Information → App Credentials); "
                "not the Client Secret or the Verification Token.",
            )
        )
    else:
        out.append(
            Check("settings.SLACK_SIGNING_SECRET", "SLACK_SIGNING_SECRET", "ok", "set (HTTP mode)")
        )
    astra = _token_check(
        "ASTRA_DB_APPLICATION_TOKEN",
        _secret(settings.astra_token),
        "AstraCS:",
        "fail",
        missing_detail="not set: `serve` refuses to start unless --sandbox",
        missing_fix="Create an application token in Astra (Settings → Tokens, a role that "
        "allows what the bot should do) and set it (AstraCS:…).",
        how="Use the token (AstraCS:…), not the Client Id or the Client Secret.",
    )
    token = _secret(settings.astra_token)
    if astra.status == "ok" and token and len(token.split(":")) != 3:
        astra = Check(
            astra.id,
            astra.title,
            "warn",
            "set, but not shaped like AstraCS:<client id>:<secret>",
            "Copy the whole token, as Astra shows it.",
        )
    out.append(astra)
    out.append(_url_check("SLACK_API_URL", settings.slack_api_url, trailing_slash=True))
    out.append(_url_check("ASTRA_API_URL", settings.astra_api_url, trailing_slash=False))
    out.append(_database_url_check(settings.database_url))
    bad = [a for a in settings.admins if not re.fullmatch(r"[UW][A-Z0-9]{2,}", a)]
    if bad:
        out.append(
            Check(
                "settings.ASTRA_BOT_ADMINS",
                "ASTRA_BOT_ADMINS",
                "warn",
                f"{len(bad)} entr{'y is' if len(bad) == 1 else 'ies are'} not a Slack "
                f"user id: {', '.join(sorted(bad))}",
                "List Slack user ids (U…, from a profile's ⋮ → Copy member ID), not names.",
            )
        )
    else:
        out.append(
            Check(
                "settings.ASTRA_BOT_ADMINS",
                "ASTRA_BOT_ADMINS",
                "ok" if settings.admins else "warn",
                f"{len(settings.admins)} admin(s)"
                if settings.admins
                else "empty: nobody holds `admin` unless granted with `perm grant`",
                "Set ASTRA_BOT_ADMINS=U… (your Slack member id), or run "
                "`astra-bot perm grant U… admin`.",
            )
        )
    return out


def _url_check(name: str, url: str, *, trailing_slash: bool) -> Check:
    cid = f"settings.{name}"
    if not re.match(r"^https?://[^/\s]+", url):
        return Check(
            cid,
            name,
            "fail",
            "is not an http(s) URL",
            f"Unset {name} to use the default, or give a full URL.",
        )
    if trailing_slash and not url.endswith("/"):
        return Check(
            cid,
            name,
            "fail",
            "must end with `/` (slack_sdk joins method names to it)",
            f"Set {name}={url}/",
        )
    return Check(cid, name, "ok", url)


def _database_url_check(url: str) -> Check:
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    cid = "settings.DATABASE_URL"
    try:
        parsed = make_url(url)
    except ArgumentError:
        return Check(
            cid,
            "DATABASE_URL",
            "fail",
            "is not a database URL",
            "Use sqlite+aiosqlite:///astra-bot.db or postgresql+asyncpg://user:password@host/db.",
        )
    shown = parsed.render_as_string(hide_password=True)
    if parsed.drivername in {"postgres", "postgresql", "postgresql+psycopg2"}:
        return Check(
            cid,
            "DATABASE_URL",
            "fail",
            f"{parsed.drivername}:// is not an async driver",
            "Write postgresql+asyncpg://… (or postgresql+psycopg://…).",
            {"url": shown},
        )
    if parsed.drivername == "sqlite":
        return Check(
            cid,
            "DATABASE_URL",
            "fail",
            "sqlite:// is not an async driver",
            "Write sqlite+aiosqlite:///….",
            {"url": shown},
        )
    if parsed.drivername not in ASYNC_DRIVERS:
        return Check(
            cid,
            "DATABASE_URL",
            "fail",
            f"driver {parsed.drivername} is not supported",
            "Use sqlite+aiosqlite, postgresql+asyncpg or postgresql+psycopg.",
            {"url": shown},
        )
    return Check(cid, "DATABASE_URL", "ok", shown, data={"url": shown})


# ---------------------------------------------------------------------------- Slack


def manifest_scopes(path: Path | None = None) -> tuple[str, ...]:
    """The bot scopes app_manifest.yml asks for (or :data:`MANIFEST_SCOPES`)."""
    path = path or Path(__file__).resolve().parents[1] / "app_manifest.yml"
    try:
        import yaml  # type: ignore[import-untyped]

        doc = yaml.safe_load(path.read_text())
        scopes = doc["oauth_config"]["scopes"]["bot"]
        return tuple(str(s) for s in scopes)
    except (OSError, KeyError, TypeError, ValueError):
        return MANIFEST_SCOPES


@dataclass(frozen=True)
class SlackAnswer:
    """What one Slack Web API call said (the facts; meaning is decided by pure code)."""

    ok: bool
    error: str | None = None  # Slack's error code, or the exception's class name
    unreachable: bool = False
    data: Mapping[str, Any] = field(default_factory=dict)
    scopes: tuple[str, ...] | None = None  # from X-OAuth-Scopes


def judge_slack_auth(answer: SlackAnswer, url: str) -> Check:
    cid, title = "slack.auth", "Slack bot token"
    if answer.unreachable:
        return Check(
            cid,
            title,
            "fail",
            f"Slack cannot be reached at {url} ({answer.error})",
            "Check the network, proxy (HTTPS_PROXY) and SLACK_API_URL.",
        )
    if not answer.ok:
        fix = {
            "invalid_auth": "The token is wrong or from another app: copy the Bot User OAuth "
            "Token again (OAuth & Permissions).",
            "token_revoked": "The app was uninstalled or the token revoked: reinstall the app "
            "and copy the new Bot User OAuth Token.",
            "account_inactive": "The app was uninstalled or the workspace deactivated it: "
            "reinstall the app.",
            "not_allowed_token_type": "Use the Bot User OAuth Token (xoxb-…).",
        }.get(answer.error or "", "See https://api.slack.com/methods/auth.test#errors.")
        return Check(cid, title, "fail", f"Slack rejects SLACK_BOT_TOKEN ({answer.error})", fix)
    d = answer.data
    return Check(
        cid,
        title,
        "ok",
        f"workspace {d.get('team')} ({d.get('team_id')}), bot user @{d.get('user')} "
        f"({d.get('user_id')})",
        data={k: d.get(k) for k in ("team", "team_id", "user", "user_id", "bot_id", "url")},
    )


def judge_scopes(granted: Sequence[str] | None, wanted: Sequence[str]) -> Check:
    cid, title = "slack.scopes", "Slack scopes"
    if granted is None:
        return Check(
            cid,
            title,
            "warn",
            "Slack did not say which scopes the token has",
            "Compare OAuth & Permissions → Scopes with app_manifest.yml.",
        )
    have = set(granted)
    missing = [s for s in wanted if s not in have]
    data = {"granted": sorted(have), "wanted": list(wanted), "missing": missing}
    if not missing:
        return Check(
            cid, title, "ok", f"all {len(wanted)} scopes of app_manifest.yml granted", data=data
        )
    fix = (
        "Add the missing scopes (OAuth & Permissions → Bot Token Scopes, or update the app "
        "from app_manifest.yml), then reinstall the app to the workspace."
    )
    essential = [s for s in missing if s in ESSENTIAL_SCOPES]
    if essential:
        return Check(
            cid,
            title,
            "fail",
            f"missing {', '.join(missing)}: the bot cannot work without {', '.join(essential)}",
            fix,
            data,
        )
    effects = "; ".join(f"{s}: {SCOPE_EFFECTS.get(s, 'a feature is off')}" for s in missing)
    return Check(cid, title, "warn", f"missing {', '.join(missing)} ({effects})", fix, data)


def judge_app_token(answer: SlackAnswer | None) -> Check:
    cid, title = "slack.app_token", "Socket Mode token"
    if answer is None:
        return Check(cid, title, "skip", "HTTP mode (SLACK_APP_TOKEN not set)")
    if answer.unreachable:
        return Check(
            cid,
            title,
            "fail",
            f"Slack cannot be reached ({answer.error})",
            "Check the network and SLACK_API_URL.",
        )
    if answer.ok:
        return Check(cid, title, "ok", "valid: Slack opens Socket Mode connections for it")
    fix = {
        "invalid_auth": "The app-level token is wrong or revoked: create one with "
        "connections:write (Basic Information → App-Level Tokens).",
        "not_allowed_token_type": "SLACK_APP_TOKEN must be an app-level token (xapp-…), not a "
        "bot or user token.",
        "missing_scope": "Give the app-level token the connections:write scope.",
    }.get(answer.error or "", "Enable Socket Mode for the app (Settings → Socket Mode).")
    return Check(cid, title, "fail", f"Slack rejects SLACK_APP_TOKEN ({answer.error})", fix)


async def _slack_call(call: Callable[[], Any]) -> SlackAnswer:
    import aiohttp
    from slack_sdk.errors import SlackApiError

    try:
        resp = await call()
    except SlackApiError as exc:
        code = exc.response.get("error") if exc.response is not None else None
        return SlackAnswer(False, str(code or "unknown_error"))
    except (aiohttp.ClientError, TimeoutError, OSError) as exc:
        return SlackAnswer(False, type(exc).__name__, unreachable=True)
    headers = {str(k).lower(): v for k, v in (resp.headers or {}).items()}
    raw = headers.get("x-oauth-scopes")
    scopes = tuple(s.strip() for s in str(raw).split(",") if s.strip()) if raw is not None else None
    return SlackAnswer(
        True, data=dict(resp.data) if isinstance(resp.data, dict) else {}, scopes=scopes
    )


# ---------------------------------------------------------------------------- Astra


def judge_astra_auth(org: Mapping[str, str] | None, error: AstraError | None, url: str) -> Check:
    cid, title = "astra.auth", "Astra token"
    if error is None and org is not None:
        return Check(
            cid,
            title,
            "ok",
            f"organization {org.get('name') or '?'} ({org.get('id')})",
            data=dict(org),
        )
    if isinstance(error, AstraUnauthorized):
        return Check(
            cid,
            title,
            "fail",
            "Astra rejects ASTRA_DB_APPLICATION_TOKEN (401)",
            "The token is revoked, expired or mistyped: create a new application "
            "token (Astra → Settings → Tokens) and set it.",
        )
    if isinstance(error, AstraForbidden):
        return Check(
            cid,
            title,
            "fail",
            "the token may not read its organization (403)",
            "Give the token a role with org-read (e.g. Database Administrator).",
        )
    if isinstance(error, AstraUnavailable):
        return Check(
            cid,
            title,
            "fail",
            f"Astra cannot be reached at {url}",
            "Check the network, proxy (HTTPS_PROXY) and ASTRA_API_URL.",
        )
    msg = error.user_message if error else "no answer"
    return Check(
        cid,
        title,
        "fail",
        f"Astra answered with an error: {msg}",
        "Try again; if it persists see https://status.datastax.com.",
    )


def judge_role(
    role_names: Sequence[str] | None, actions: set[str] | None, reason: str = ""
) -> Check:
    """Which features the token's role allows, from the union of its roles' actions."""
    cid, title = "astra.role", "Astra role"
    if actions is None:
        return Check(
            cid,
            title,
            "warn",
            f"cannot tell what the token may do: {reason}",
            "Give the token's role org-token-read and org-role-read so the doctor "
            "can check it, or compare its role with README's Astra table.",
        )
    allowed: list[str] = []
    denied: dict[str, list[str]] = {}
    for feature, ops in FEATURES:
        needs = sorted({api.PERMISSIONS[o] for o in ops} - actions)
        if needs:
            denied[feature] = needs
        else:
            allowed.append(feature)
    data = {"roles": list(role_names or ()), "allowed": allowed, "denied": denied}
    roles = ", ".join(role_names or ()) or "?"
    if ESSENTIAL_FEATURE in denied:
        return Check(
            cid,
            title,
            "fail",
            f"role {roles} may not list databases "
            f"(needs {', '.join(denied[ESSENTIAL_FEATURE])}); the bot needs it",
            "Give the token a role with org-db-view (e.g. Database Administrator).",
            data,
        )
    if not denied:
        return Check(cid, title, "ok", f"role {roles} allows every feature", data=data)
    off = "; ".join(f"{f} (needs {', '.join(p)})" for f, p in denied.items())
    return Check(
        cid,
        title,
        "warn",
        f"role {roles} allows {len(allowed)} of {len(FEATURES)} features; not: {off}",
        "Fine if intended; otherwise give the token a role with those permissions.",
        data,
    )


async def _astra_checks(
    settings: Settings, token: str, transport: httpx.AsyncBaseTransport | None
) -> list[Check]:
    from bot.astra.client import AstraClient

    url = settings.astra_api_url
    async with AstraClient(
        token, url, transport=transport, timeout=10.0, max_read_retries=1, backoff_base=0.2
    ) as client:
        try:
            org = await client.current_org()
        except AstraError as err:
            return [
                judge_astra_auth(None, err, url),
                Check("astra.role", "Astra role", "skip", "the token was not accepted"),
            ]
        checks = [judge_astra_auth({"id": org.id, "name": org.name or ""}, None, url)]
        client_id = token.split(":")[1] if token.count(":") == 2 else None
        try:
            tokens = await client.list_tokens()
            mine = next((t for t in tokens if client_id and t.client_id == client_id), None)
            if mine is None:
                checks.append(judge_role(None, None, "its client id is not in /v2/tokens"))
                return checks
            roles = {r.id: r for r in await client.list_roles()}
        except AstraForbidden:
            # Cannot read its own role: at least say whether it can list databases.
            try:
                await client.list_databases(page_size=1)
            except AstraForbidden:
                checks.append(judge_role([], set(), ""))
                return checks
            except AstraError:
                pass
            checks.append(
                judge_role(
                    None,
                    None,
                    "its role may not read tokens and roles "
                    "(org-token-read, org-role-read); databases can be listed",
                )
            )
            return checks
        except AstraError as err:
            checks.append(judge_role(None, None, err.user_message))
            return checks
        names = [roles[r].name or r if r in roles else r for r in mine.roles]
        actions = {
            str(a)
            for r in mine.roles
            if r in roles
            for a in roles[r].policy.actions
            if roles[r].policy.effect == "allow"
        }
        checks.append(judge_role(names, actions))
        return checks


# ---------------------------------------------------------------------------- store


def judge_migrations(current: str | None, head: str | None, known: bool, postgres: bool) -> Check:
    cid, title = "store.migrations", "store schema"
    data = {"current": current, "head": head}
    if current == head:
        return Check(cid, title, "ok", f"at head ({head})", data=data)
    if not known:
        return Check(
            cid,
            title,
            "fail",
            f"at {current}, a revision this version does not know (a newer astra-bot migrated it?)",
            "Deploy the newer version, or restore the store from before the upgrade.",
            data,
        )
    where = f"at {current or 'empty (no tables)'}, head is {head}"
    if postgres:
        return Check(
            cid,
            title,
            "fail",
            f"not migrated: {where}; `serve` refuses to start",
            "Run `astra-bot migrate` once (the Procfile's release phase).",
            data,
        )
    return Check(
        cid,
        title,
        "warn",
        f"not migrated: {where}",
        "`astra-bot serve` migrates SQLite at start; or run `astra-bot migrate`.",
        data,
    )


def judge_backlog(
    pending: int,
    overdue: int,
    max_late_s: float,
    notices_pending: int,
    notices_failing: int,
    last_error: str | None,
) -> Check:
    cid, title = "watcher.backlog", "watcher backlog"
    data = {
        "operations_pending": pending,
        "operations_overdue": overdue,
        "max_late_s": round(max_late_s, 1),
        "notices_pending": notices_pending,
        "notices_failing": notices_failing,
    }
    base = f"{pending} operation(s) in progress, {notices_pending} notice(s) to send"
    if overdue:
        return Check(
            cid,
            title,
            "warn",
            f"{base}; {overdue} overdue by up to {int(max_late_s)} s: no watcher is running?",
            "Run the watcher: `astra-bot serve` (without --no-watcher) or `astra-bot worker`.",
            data,
        )
    if notices_failing:
        return Check(
            cid,
            title,
            "warn",
            f"{base}; {notices_failing} refused by Slack (last: {last_error})",
            "Invite the bot to those channels, or fix the Slack token (see slack.auth).",
            data,
        )
    return Check(cid, title, "ok", base, data=data)


def _sqlite_missing(driver: str, database: str | None, url: str) -> bool:
    return (
        driver.startswith("sqlite")
        and bool(database)
        and database != ":memory:"
        and "mode=memory" not in url
        and not Path(database or "").exists()
    )


def _no_store_yet(database: str) -> list[Check]:
    """The checks of a SQLite store whose file does not exist yet."""
    return [
        Check(
            "store.reachable",
            "store",
            "warn",
            f"{database} does not exist yet",
            "`astra-bot serve` creates and migrates it; or run `astra-bot migrate`.",
        ),
        Check("store.migrations", "store schema", "skip", "no store yet"),
        Check("watcher.backlog", "watcher backlog", "skip", "no store yet"),
    ]


def _store_unreachable(shown: str, err: BotError) -> list[Check]:
    """The checks of a store the bot cannot reach."""
    return [
        Check(
            "store.reachable",
            "store",
            "fail",
            f"{shown}: {err.user_message}",
            "Check DATABASE_URL (host, port, user, password, database) and that "
            "the database server runs.",
        ),
        Check("store.migrations", "store schema", "skip", "store unreachable"),
        Check("watcher.backlog", "watcher backlog", "skip", "store unreachable"),
    ]


async def _store_checks(settings: Settings, now: float) -> list[Check]:
    from sqlalchemy.engine import make_url

    from bot.store.db import current_revision, head_revision, make_engine
    from bot.store.repo import Store

    url = make_url(settings.database_url)
    shown = url.render_as_string(hide_password=True)
    if _sqlite_missing(url.drivername, url.database, str(url)):
        # Connecting would create the file: say so instead.
        return _no_store_yet(str(url.database))
    engine = make_engine(settings.database_url)
    try:
        try:
            current = await current_revision(engine)
        except BotError as err:
            return _store_unreachable(shown, err)
        head = head_revision()
        from alembic.script import ScriptDirectory

        from bot.store.db import alembic_config

        known = (
            current is None
            or ScriptDirectory.from_config(alembic_config()).get_revision(current) is not None
        )
        checks = [
            Check("store.reachable", "store", "ok", shown),
            judge_migrations(current, head, known, settings.is_postgres),
        ]
        if current != head:
            checks.append(Check("watcher.backlog", "watcher backlog", "skip", "store not at head"))
            return checks
        late_after = max(60.0, 3 * settings.poll_interval)
        ops, notices = await Store(engine).backlog(late_before=now - late_after)
        oldest = ops.oldest_due
        checks.append(
            judge_backlog(
                ops.open,
                ops.overdue,
                now - oldest if oldest is not None else 0.0,
                notices.waiting,
                notices.failing,
                notices.last_error,
            )
        )
        return checks
    finally:
        await engine.dispose()


# ---------------------------------------------------------------------------- run


async def diagnose(
    settings: Settings,
    setting_problems: Sequence[Check] = (),
    *,
    astra_transport: httpx.AsyncBaseTransport | None = None,
    manifest: Path | None = None,
    now: float | None = None,
) -> Report:
    """Every check; I/O against Slack (``SLACK_API_URL``), Astra (``ASTRA_API_URL``, or
    ``astra_transport``) and the store."""
    from slack_sdk.web.async_client import AsyncWebClient

    now = time.time() if now is None else now
    checks = list(setting_problems)
    done = {c.id for c in checks}
    settings_checks = [c for c in check_settings(settings) if c.id not in done]
    checks += settings_checks
    by_id = {c.id: c for c in checks}
    usable = {k for k, c in by_id.items() if c.status in {"ok", "warn"}}

    slack_url = settings.slack_api_url
    bot_token = _secret(settings.slack_bot_token)
    if "settings.SLACK_BOT_TOKEN" in usable and "settings.SLACK_API_URL" in usable and bot_token:
        client = AsyncWebClient(token=bot_token, base_url=slack_url, timeout=10)
        answer = await _slack_call(client.auth_test)
        checks.append(judge_slack_auth(answer, slack_url))
        checks.append(
            judge_scopes(answer.scopes, manifest_scopes(manifest))
            if answer.ok
            else Check("slack.scopes", "Slack scopes", "skip", "the bot token was not accepted")
        )
    else:
        checks.append(
            Check(
                "slack.auth",
                "Slack bot token",
                "skip",
                "SLACK_BOT_TOKEN or SLACK_API_URL must be fixed first",
            )
        )
        checks.append(
            Check("slack.scopes", "Slack scopes", "skip", "SLACK_BOT_TOKEN must be fixed first")
        )
    app_token = _secret(settings.slack_app_token)
    if app_token is None:
        checks.append(judge_app_token(None))
    elif "settings.SLACK_APP_TOKEN" in usable and "settings.SLACK_API_URL" in usable:
        client = AsyncWebClient(base_url=slack_url, timeout=10)
        checks.append(
            judge_app_token(
                await _slack_call(lambda: client.apps_connections_open(app_token=app_token))
            )
        )
    else:
        checks.append(
            Check(
                "slack.app_token",
                "Socket Mode token",
                "skip",
                "SLACK_APP_TOKEN must be fixed first",
            )
        )

    astra_token = _secret(settings.astra_token)
    if (
        astra_token
        and "settings.ASTRA_DB_APPLICATION_TOKEN" in usable
        and "settings.ASTRA_API_URL" in usable
    ):
        checks += await _astra_checks(settings, astra_token, astra_transport)
    else:
        checks += [
            Check(
                "astra.auth",
                "Astra token",
                "skip",
                "ASTRA_DB_APPLICATION_TOKEN must be fixed first",
            ),
            Check(
                "astra.role", "Astra role", "skip", "ASTRA_DB_APPLICATION_TOKEN must be fixed first"
            ),
        ]

    if "settings.DATABASE_URL" in usable:
        checks += await _store_checks(settings, now)
    else:
        checks += [
            Check(i, t, "skip", "DATABASE_URL must be fixed first")
            for i, t in (
                ("store.reachable", "store"),
                ("store.migrations", "store schema"),
                ("watcher.backlog", "watcher backlog"),
            )
        ]
    mode = "Socket Mode" if settings.socket_mode else "HTTP mode"
    return Report(mode, tuple(checks))

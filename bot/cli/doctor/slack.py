"""The doctor's Slack checks: the bot token, its scopes against the manifest, the app token."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.cli.doctor.config import secret_of
from bot.cli.doctor.report import Check
from bot.settings import Settings

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


def manifest_scopes(path: Path | None = None) -> tuple[str, ...]:
    """The bot scopes app_manifest.yml asks for (or :data:`MANIFEST_SCOPES`)."""
    path = path or Path(__file__).resolve().parents[3] / "app_manifest.yml"
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


#: How to fix what ``auth.test`` answers (https://api.slack.com/methods/auth.test#errors);
#: "": any other answer.
_AUTH_FIXES: Mapping[str, str] = {
    "invalid_auth": "The token is wrong or from another app: copy the Bot User OAuth "
    "Token again (OAuth & Permissions).",
    "token_revoked": "The app was uninstalled or the token revoked: reinstall the app "
    "and copy the new Bot User OAuth Token.",
    "account_inactive": "The app was uninstalled or the workspace deactivated it: "
    "reinstall the app.",
    "not_allowed_token_type": "Use the Bot User OAuth Token (xoxb-…).",
    "": "See https://api.slack.com/methods/auth.test#errors.",
}

#: How to fix what ``apps.connections.open`` answers; "": any other.
_APP_TOKEN_FIXES: Mapping[str, str] = {
    "invalid_auth": "The app-level token is wrong or revoked: create one with "
    "connections:write (Basic Information → App-Level Tokens).",
    "not_allowed_token_type": "SLACK_APP_TOKEN must be an app-level token (xapp-…), not a "
    "bot or user token.",
    "missing_scope": "Give the app-level token the connections:write scope.",
    "": "Enable Socket Mode for the app (Settings → Socket Mode).",
}


def judge_slack_auth(answer: SlackAnswer, url: str) -> Check:
    cid, title = "slack.auth", "Slack bot token"
    if answer.unreachable:
        return _unreachable(cid, title, answer, f" at {url}", "proxy (HTTPS_PROXY) and ")
    if not answer.ok:
        return _rejected(cid, title, answer, "SLACK_BOT_TOKEN", _AUTH_FIXES)
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
        return _unreachable(cid, title, answer, "", "")
    if answer.ok:
        return Check(cid, title, "ok", "valid: Slack opens Socket Mode connections for it")
    return _rejected(cid, title, answer, "SLACK_APP_TOKEN", _APP_TOKEN_FIXES)


def _rejected(
    cid: str, title: str, answer: SlackAnswer, setting: str, fixes: Mapping[str, str]
) -> Check:
    fix = fixes.get(answer.error or "", fixes[""])
    return Check(cid, title, "fail", f"Slack rejects {setting} ({answer.error})", fix)


def _unreachable(cid: str, title: str, answer: SlackAnswer, at: str, also: str) -> Check:
    fix = (
        f"Check the network, {also}SLACK_API_URL."
        if also
        else "Check the network and SLACK_API_URL."
    )
    return Check(cid, title, "fail", f"Slack cannot be reached{at} ({answer.error})", fix)


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


async def slack_checks(settings: Settings, usable: set[str], manifest: Path | None) -> list[Check]:
    """``auth.test`` with the bot token (and its scopes), ``apps.connections.open`` with the
    app token; skipped where their settings (``usable``: the names that passed) failed."""
    from slack_sdk.web.async_client import AsyncWebClient

    slack_url = settings.slack_api_url
    bot_token = secret_of(settings.slack_bot_token)
    checks: list[Check] = []
    if {"SLACK_BOT_TOKEN", "SLACK_API_URL"} <= usable and bot_token:
        client = AsyncWebClient(token=bot_token, base_url=slack_url, timeout=10)
        answer = await _slack_call(client.auth_test)
        checks.append(judge_slack_auth(answer, slack_url))
        checks.append(
            judge_scopes(answer.scopes, manifest_scopes(manifest))
            if answer.ok
            else Check("slack.scopes", "Slack scopes", "skip", "the bot token was not accepted")
        )
    else:
        why = "SLACK_BOT_TOKEN or SLACK_API_URL must be fixed first"
        checks.append(Check("slack.auth", "Slack bot token", "skip", why))
        checks.append(
            Check("slack.scopes", "Slack scopes", "skip", "SLACK_BOT_TOKEN must be fixed first")
        )
    app_token = secret_of(settings.slack_app_token)
    if app_token is None:
        checks.append(judge_app_token(None))
    elif {"SLACK_APP_TOKEN", "SLACK_API_URL"} <= usable:
        client = AsyncWebClient(base_url=slack_url, timeout=10)
        answer = await _slack_call(lambda: client.apps_connections_open(app_token=app_token))
        checks.append(judge_app_token(answer))
    else:
        why = "SLACK_APP_TOKEN must be fixed first"
        checks.append(Check("slack.app_token", "Socket Mode token", "skip", why))
    return checks

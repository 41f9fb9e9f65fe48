"""Pure: the doctor's checks of the settings, each present and well formed (values never shown)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from pydantic import SecretStr, ValidationError

from bot.cli.doctor.report import Check, Status
from bot.settings import Settings

ASYNC_DRIVERS = ("sqlite+aiosqlite", "postgresql+asyncpg", "postgresql+psycopg")


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
                # no location: the one check across fields, ASTRA_BOT_DEFAULT_ORG
                # against the configured orgs (Settings._default_org)
                alias = str((err.get("loc") or ("ASTRA_BOT_DEFAULT_ORG",))[0])
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


def secret_of(v: SecretStr | None) -> str | None:
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
    return [
        *_slack_token_checks(settings),
        _signing_secret_check(settings),
        *_astra_token_checks(settings),
        _url_check("SLACK_API_URL", settings.slack_api_url, trailing_slash=True),
        _url_check("ASTRA_API_URL", settings.astra_api_url, trailing_slash=False),
        _database_url_check(settings.database_url),
        _admins_check(settings),
    ]


def _slack_token_checks(settings: Settings) -> list[Check]:
    out: list[Check] = []
    out.append(
        _token_check(
            "SLACK_BOT_TOKEN",
            secret_of(settings.slack_bot_token),
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
            secret_of(settings.slack_app_token),
            "xapp-",
            "ok",
            missing_detail="not set: HTTP mode (Slack posts to /slack/events)",
            missing_fix="",
            how="Create an app-level token with connections:write (Basic Information → "
            "App-Level Tokens, xapp-…).",
        )
    )
    return out


def _signing_secret_check(settings: Settings) -> Check:
    secret = secret_of(settings.slack_signing_secret)
    name = "SLACK_SIGNING_SECRET"
    if settings.socket_mode:
        detail = "not needed in Socket Mode" if secret is None else "set (unused in Socket Mode)"
        return Check(f"settings.{name}", name, "ok", detail)
    if secret is None:
        return Check(
            f"settings.{name}",
            name,
            "fail",
            "not set (HTTP mode needs it to verify Slack's requests)",
            "Copy the Signing Secret (Basic Information → App Credentials), or "
            "set SLACK_APP_TOKEN to use Socket Mode.",
        )
    if not re.fullmatch(r"[0-9a-f]{32}", secret):
        return Check(
            f"settings.{name}",
            name,
            "warn",
            "set, but not shaped like a Slack signing secret (32 hex digits)",
            "Copy the Signing Secret (Basic Information → App Credentials); "
            "not the Client Secret or the Verification Token.",
        )
    return Check(f"settings.{name}", name, "ok", "set (HTTP mode)")


def _astra_token_checks(settings: Settings) -> list[Check]:
    """ASTRA_DB_APPLICATION_TOKEN alone (the org ``default``), or each org's token of
    ASTRA_BOT_ORGS (``settings.ASTRA_BOT_ORGS[prod]``)."""
    lone = "ASTRA_DB_APPLICATION_TOKEN"
    if settings.orgs_raw is None:
        return [_astra_token_check(lone, secret_of(settings.astra_token))]
    names = ", ".join(settings.orgs)
    out = [
        Check(
            "settings.ASTRA_BOT_ORGS",
            "ASTRA_BOT_ORGS",
            "ok",
            f"{len(settings.orgs)} org(s): {names}; the default is {settings.default_org}",
        )
    ]
    out += [
        _astra_token_check(f"ASTRA_BOT_ORGS[{org}]", token.get_secret_value())
        for org, token in settings.orgs.items()
    ]
    if settings.astra_token is not None:
        out.append(
            Check(
                f"settings.{lone}",
                lone,
                "warn",
                "set, but not used: ASTRA_BOT_ORGS names the orgs and their tokens",
                f"Unset {lone}, or add its token to ASTRA_BOT_ORGS under a name.",
            )
        )
    return out


def _astra_token_check(name: str, token: str | None) -> Check:
    astra = _token_check(
        name,
        token,
        "AstraCS:",
        "fail",
        missing_detail="not set: `serve` refuses to start unless --sandbox",
        missing_fix="Create an application token in Astra (Settings → Tokens, a role that "
        "allows what the bot should do) and set it (AstraCS:…).",
        how="Use the token (AstraCS:…), not the Client Id or the Client Secret.",
    )
    if astra.status == "ok" and token and len(token.split(":")) != 3:
        astra = Check(
            astra.id,
            astra.title,
            "warn",
            "set, but not shaped like AstraCS:<client id>:<secret>",
            "Copy the whole token, as Astra shows it.",
        )
    return astra


def _admins_check(settings: Settings) -> Check:
    bad = [a for a in settings.admins if not re.fullmatch(r"[UW][A-Z0-9]{2,}", a)]
    if bad:
        return Check(
            "settings.ASTRA_BOT_ADMINS",
            "ASTRA_BOT_ADMINS",
            "warn",
            f"{len(bad)} entr{'y is' if len(bad) == 1 else 'ies are'} not a Slack "
            f"user id: {', '.join(sorted(bad))}",
            "List Slack user ids (U…, from a profile's ⋮ → Copy member ID), not names.",
        )
    return Check(
        "settings.ASTRA_BOT_ADMINS",
        "ASTRA_BOT_ADMINS",
        "ok" if settings.admins else "warn",
        f"{len(settings.admins)} admin(s)"
        if settings.admins
        else "empty: nobody holds `admin` unless granted with `perm grant`",
        "Set ASTRA_BOT_ADMINS=U… (your Slack member id), or run `astra-bot perm grant U… admin`.",
    )


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

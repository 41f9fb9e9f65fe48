"""Settings, from environment variables and an optional `.env` file (DESIGN §2).

Every secret is a ``SecretStr`` so that it never shows up in a repr, a log line or a
traceback. Which settings are *required* depends on the command: ``serve`` needs Slack
credentials, ``shell`` needs none. :func:`require_for_serve` checks that and raises a
:class:`~bot.errors.ConfigError` that names every missing variable and says what to do.
"""

from __future__ import annotations

import contextlib
import ipaddress
import json
import re
from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.errors import ConfigError

DEFAULT_ASTRA_API_URL = "https://api.astra.datastax.com"
DEFAULT_SLACK_API_URL = "https://slack.com/api/"
#: The org a lone ASTRA_DB_APPLICATION_TOKEN serves (DESIGN §2).
DEFAULT_ORG = "default"
#: What an org's name may be (DESIGN §2: `[a-z0-9-]{1,32}`): it is typed after `--org`.
ORG_NAME = re.compile(r"[a-z0-9-]{1,32}")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", populate_by_name=True
    )

    slack_bot_token: SecretStr | None = Field(default=None, alias="SLACK_BOT_TOKEN")
    slack_signing_secret: SecretStr | None = Field(default=None, alias="SLACK_SIGNING_SECRET")
    slack_app_token: SecretStr | None = Field(default=None, alias="SLACK_APP_TOKEN")
    slack_api_url: str = Field(default=DEFAULT_SLACK_API_URL, alias="SLACK_API_URL")

    astra_token: SecretStr | None = Field(default=None, alias="ASTRA_DB_APPLICATION_TOKEN")
    astra_api_url: str = Field(default=DEFAULT_ASTRA_API_URL, alias="ASTRA_API_URL")
    # Several organizations: a JSON object, name → application token (DESIGN §2, §5).
    orgs_raw: SecretStr | None = Field(default=None, alias="ASTRA_BOT_ORGS")
    default_org_raw: str | None = Field(default=None, alias="ASTRA_BOT_DEFAULT_ORG")

    database_url: str = Field(default="sqlite+aiosqlite:///astra-bot.db", alias="DATABASE_URL")
    port: int = Field(default=3000, alias="PORT", ge=0, le=65535)

    admins_raw: str = Field(default="", alias="ASTRA_BOT_ADMINS")
    poll_interval: float = Field(default=10.0, alias="ASTRA_BOT_POLL_INTERVAL", gt=0)
    # When only `/astra watch` subscriptions are followed (nothing in progress), Astra is
    # asked this seldom: a watch is for news, not for a deadline.
    watch_interval: float = Field(default=30.0, alias="ASTRA_BOT_WATCH_INTERVAL", gt=0)
    default_cloud: str = Field(default="gcp", alias="ASTRA_BOT_DEFAULT_CLOUD")
    default_region: str = Field(default="us-east1", alias="ASTRA_BOT_DEFAULT_REGION")
    confirm_ttl: float = Field(default=600.0, alias="ASTRA_BOT_CONFIRM_TTL", gt=0)
    # A role that caps every channel without a guard of its own (DMs excepted).
    default_guard: str | None = Field(default=None, alias="ASTRA_BOT_DEFAULT_GUARD")

    # Beyond DESIGN §2: per-kind operation timeouts (astra-cli waits 10 min for a create,
    # 15 min for a delete; Terraform 40 min) and the log format.
    create_timeout: float = Field(default=600.0, alias="ASTRA_BOT_CREATE_TIMEOUT", gt=0)
    delete_timeout: float = Field(default=900.0, alias="ASTRA_BOT_DELETE_TIMEOUT", gt=0)
    op_timeout: float = Field(default=900.0, alias="ASTRA_BOT_OPERATION_TIMEOUT", gt=0)
    # A create whose outcome is unknown (crash, 5xx, timeout) is looked for by name this
    # long before the channel is told that its outcome is unknown.
    reconcile_timeout: float = Field(default=300.0, alias="ASTRA_BOT_RECONCILE_TIMEOUT", gt=0)
    # The built-in emulator's clock speed (sandbox and shell only): 10 makes a 5 s create
    # take 0.5 s. For demos and tests.
    emulator_speed: float = Field(default=1.0, alias="ASTRA_BOT_EMULATOR_SPEED", gt=0)
    # The addresses the bot's own DevOps API requests come from (its egress: a NAT gateway,
    # a proxy), comma-separated IPv4 addresses or CIDRs. Astra cannot be asked for them, and
    # a DevOps API access list that leaves them out locks the bot out of the API: with
    # them set, `access-list devops …` refuses such a change unless --force; unset, it
    # says it cannot tell and asks for --force on every change that leaves a list in place.
    egress_cidrs_raw: str = Field(default="", alias="ASTRA_BOT_EGRESS_CIDRS")
    log_format: Literal["auto", "json", "text"] = Field(
        default="auto", alias="ASTRA_BOT_LOG_FORMAT"
    )

    @field_validator("default_cloud")
    @classmethod
    def _cloud(cls, v: str) -> str:
        v = v.strip().lower()
        if v not in {"gcp", "aws", "azure"}:
            raise ValueError("must be one of gcp, aws, azure")
        return v

    @field_validator("orgs_raw")
    @classmethod
    def _orgs(cls, v: SecretStr | None) -> SecretStr | None:
        if v is not None:
            parse_orgs(v.get_secret_value())  # refused at start-up, never at first use
        return v

    @model_validator(mode="after")
    def _default_org(self) -> Settings:
        if self.default_org_raw is not None and self.default_org_raw not in self.orgs:
            names = ", ".join(self.orgs) or "none"
            raise ValueError(
                f"ASTRA_BOT_DEFAULT_ORG is `{self.default_org_raw}`, which is not one of the "
                f"configured orgs ({names})"
            )
        return self

    @property
    def orgs(self) -> dict[str, SecretStr]:
        """Org name → its application token, in the order configured: ASTRA_BOT_ORGS, or
        ASTRA_DB_APPLICATION_TOKEN alone as one org named ``default`` (no token: none)."""
        if self.orgs_raw is not None:
            return {k: SecretStr(t) for k, t in parse_orgs(self.orgs_raw.get_secret_value())}
        if self.astra_token is not None:
            return {DEFAULT_ORG: self.astra_token}
        return {}

    @property
    def default_org(self) -> str:
        """The org a channel uses until an admin runs `org use` there."""
        if self.default_org_raw is not None:
            return self.default_org_raw
        return next(iter(self.orgs), DEFAULT_ORG)

    @field_validator("egress_cidrs_raw")
    @classmethod
    def _egress(cls, v: str) -> str:
        for part in (p.strip() for p in v.split(",")):
            if not part:
                continue
            try:
                ipaddress.IPv4Network(part, strict=False)
            except ValueError:
                raise ValueError(f"{part!r} is not an IPv4 address or CIDR") from None
        return v

    @property
    def egress_cidrs(self) -> tuple[str, ...]:
        """``ASTRA_BOT_EGRESS_CIDRS`` as a tuple (empty: the bot cannot tell its address)."""
        return tuple(p.strip() for p in self.egress_cidrs_raw.split(",") if p.strip())

    @property
    def admins(self) -> frozenset[str]:
        return frozenset(a.strip() for a in self.admins_raw.split(",") if a.strip())

    @property
    def socket_mode(self) -> bool:
        return self.slack_app_token is not None

    @property
    def is_postgres(self) -> bool:
        return self.database_url.startswith("postgresql")

    def secret_values(self) -> list[str]:
        """Every configured secret value — the tokens, the signing secret, the store's
        password — for the one redaction (bot/redact.py) of everything the bot writes."""
        out = [
            _secret(v)
            for v in (
                self.slack_bot_token,
                self.slack_app_token,
                self.slack_signing_secret,
                self.astra_token,
                *self.orgs.values(),
            )
        ]
        with contextlib.suppress(ValueError):  # a malformed URL: the store says so itself
            out.append(urlsplit(self.database_url).password or "")
        return list(dict.fromkeys(s for s in out if s))


def parse_orgs(raw: str) -> list[tuple[str, str]]:
    """ASTRA_BOT_ORGS's (name, token) pairs in order, or ValueError saying what is wrong
    (never a token's value: the message reaches logs and doctor's output)."""
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ValueError(
            f"it must be a JSON object of org name → token (it is not JSON at character "
            f'{exc.pos}), for example {{"prod": "AstraCS:…", "dev": "AstraCS:…"}}'
        ) from None
    if not isinstance(data, dict) or not data:
        raise ValueError("it must be a non-empty JSON object of org name → token")
    out: list[tuple[str, str]] = []
    for name, token in data.items():
        if not ORG_NAME.fullmatch(name):
            raise ValueError(
                f"the org name {json.dumps(name)[:40]} must be 1 to 32 of a-z, 0-9 and -"
            )
        if not isinstance(token, str) or not token.strip():
            raise ValueError(f"the token of `{name}` must be a non-empty string")
        out.append((name, token.strip()))
    return out


def parse_org_names(raw: str) -> list[str]:
    """Emulated orgs' names, comma-separated (the shell's and `serve --sandbox`'s
    ``--orgs sandbox,sandbox-2``), in order; ValueError saying what is wrong. The names
    follow ASTRA_BOT_ORGS's rule, since they are typed after ``--org`` alike."""
    names = [n.strip() for n in raw.split(",")]
    if not any(names):
        raise ValueError("name at least one org, e.g. --orgs sandbox,sandbox-2")
    for name in names:
        if not ORG_NAME.fullmatch(name):
            raise ValueError(
                f"the org name {json.dumps(name)[:40]} must be 1 to 32 of a-z, 0-9 and - "
                "(names are comma-separated: sandbox,sandbox-2)"
            )
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise ValueError(f"the org name `{twice[0]}` is given twice")
    return names


def _secret(value: SecretStr | None) -> str:
    return value.get_secret_value() if value is not None else ""


def check_token_shapes(settings: Settings, *, only: str | None = None) -> list[str]:
    """Problems with the *shape* of the tokens that are set (never their values); ``only``
    checks the variables whose names start with it (each org's token is named
    ``ASTRA_BOT_ORGS[<org>]``)."""
    problems: list[str] = []
    shapes: tuple[tuple[str, SecretStr | None, str], ...] = (
        ("SLACK_BOT_TOKEN", settings.slack_bot_token, "xoxb-"),
        ("SLACK_APP_TOKEN", settings.slack_app_token, "xapp-"),
        ("ASTRA_DB_APPLICATION_TOKEN", settings.astra_token, "AstraCS:"),
    )
    if settings.orgs_raw is not None:
        shapes += tuple(
            (f"ASTRA_BOT_ORGS[{org}]", token, "AstraCS:") for org, token in settings.orgs.items()
        )
    for name, value, prefix in shapes:
        if only is not None and not name.startswith(only):
            continue
        if value is not None and not _secret(value).startswith(prefix):
            problems.append(f"{name} should start with `{prefix}`.")
    return problems


def require_for_serve(settings: Settings, *, sandbox: bool) -> None:
    """Raise ConfigError naming every missing or malformed variable for `serve`, at once:
    an operator learns all that is wrong in one run, each with what to do."""
    problems: list[tuple[str, str | None]] = []
    if settings.slack_bot_token is None:
        problems.append(
            (
                "SLACK_BOT_TOKEN is not set.",
                "Install the app from app_manifest.yml and copy its Bot User OAuth Token "
                "(xoxb-…) into SLACK_BOT_TOKEN.",
            )
        )
    if not settings.socket_mode and settings.slack_signing_secret is None:
        problems.append(
            (
                "SLACK_SIGNING_SECRET is not set (needed in HTTP mode).",
                "Copy the Signing Secret from the app's Basic Information page, or set "
                "SLACK_APP_TOKEN (xapp-…) to use Socket Mode.",
            )
        )
    if not settings.orgs and not sandbox:
        problems.append(
            (
                "ASTRA_DB_APPLICATION_TOKEN is not set (nor ASTRA_BOT_ORGS).",
                "Create an application token in Astra (AstraCS:…) and set it, or run "
                "`astra-bot serve --sandbox` to use the built-in Astra emulator.",
            )
        )
    problems += [(shape, None) for shape in check_token_shapes(settings)]
    if len(problems) == 1:
        raise ConfigError(problems[0][0], hint=problems[0][1])
    if problems:
        raise ConfigError(
            f"{len(problems)} settings are missing or malformed:\n"
            + "\n".join(f"  - {what}" + (f"\n    {fix}" if fix else "") for what, fix in problems),
            hint="`astra-bot doctor` checks a deployment and says how to fix what is wrong.",
        )


def require_for_shell(settings: Settings) -> None:
    """The shell needs nothing; but a token that is set must be an Astra application
    token (ConfigError otherwise, before anything is sent to Astra)."""
    problems = check_token_shapes(settings, only="ASTRA_")
    if problems:
        raise ConfigError(
            problems[0],
            hint="Paste an application token from Astra (Settings → Tokens), or unset the "
            "variable to use the built-in Astra emulator.",
        )


def load_settings() -> Settings:
    """The settings of this process's environment, or one :class:`ConfigError` that names
    every refused value at once (their values are never shown: some are secrets)."""
    from pydantic import ValidationError

    try:
        return Settings()
    except ValidationError as exc:
        lines = [_refusal(e.get("loc", ()), str(e.get("msg", ""))) for e in exc.errors()]
        if len(lines) == 1:
            raise ConfigError(f"Setting {lines[0]}") from None
        raise ConfigError(
            f"{len(lines)} settings are not valid:\n" + "\n".join(f"  - {line}" for line in lines)
        ) from None


def _refusal(loc: tuple[int | str, ...], msg: str) -> str:
    """One refused setting in words: its variable and why (pydantic's "Value error, "
    prefix dropped; a check across settings has no variable of its own and names it)."""
    why = msg.removeprefix("Value error, ")
    return f"{loc[0]} is not valid: {why}." if loc else f"{why}."

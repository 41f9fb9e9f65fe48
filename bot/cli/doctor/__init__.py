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
  with ``ASTRA_BOT_ORGS`` both for each org, ``astra.auth[prod]``, ``astra.role[prod]``
  (one org's bad token fails its own checks only), and ``astra.orgs``: a warning when two
  names have tokens of one Astra organization. The JSON has one entry per org (``orgs``);
- ``store.reachable``, ``store.migrations``  the bot's database answers, at head;
- ``watcher.backlog``  operations overdue (no watcher running?), notices Slack refused.

Statuses: ``ok``, ``warn`` (works, but something is missing), ``fail`` (must be fixed) and
``skip`` (could not be checked because of an earlier failure). The exit code is 0 only
when nothing failed.

One module per area: :mod:`.config` (settings), :mod:`.slack`, :mod:`.astra`, :mod:`.store`;
:mod:`.report` holds the findings and their two forms.

Design: the checks gather facts with I/O (:func:`diagnose`); everything else — deciding
what the facts mean and formatting (:func:`format_text`, :func:`format_json`) — is pure.
Never prints a secret: no token value is ever put in a Check, and the output is passed
through :func:`bot.redact.redact` with the configured secrets as a last guard.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path

import httpx

from bot.cli.doctor.astra import ESSENTIAL_FEATURE, FEATURES, orgs_checks
from bot.cli.doctor.config import check_settings, load_settings
from bot.cli.doctor.report import Check, Report, Status, format_json, format_text
from bot.cli.doctor.slack import MANIFEST_SCOPES, manifest_scopes, slack_checks
from bot.cli.doctor.store import store_checks
from bot.settings import Settings

__all__ = [
    "ESSENTIAL_FEATURE",
    "FEATURES",
    "MANIFEST_SCOPES",
    "Check",
    "Report",
    "Status",
    "check_settings",
    "diagnose",
    "format_json",
    "format_text",
    "load_settings",
    "manifest_scopes",
]


def _skipped(why: str, *checks: tuple[str, str]) -> list[Check]:
    return [Check(cid, title, "skip", why) for cid, title in checks]


async def diagnose(
    settings: Settings,
    setting_problems: Sequence[Check] = (),
    *,
    astra_transport: httpx.AsyncBaseTransport | None = None,
    manifest: Path | None = None,
    now: float | None = None,
) -> Report:
    """Every check; I/O against Slack (``SLACK_API_URL``), Astra (``ASTRA_API_URL``, or
    ``astra_transport``) and the store. A check whose setting failed is skipped."""
    now = time.time() if now is None else now
    checks = list(setting_problems)
    done = {c.id for c in checks}
    checks += [c for c in check_settings(settings) if c.id not in done]
    usable = {c.id.removeprefix("settings.") for c in checks if c.status in {"ok", "warn"}}
    checks += await slack_checks(settings, usable, manifest)
    if settings.orgs:
        checks += await orgs_checks(settings, usable, astra_transport)
    else:
        which = (
            "ASTRA_BOT_ORGS" if "settings.ASTRA_BOT_ORGS" in done else "ASTRA_DB_APPLICATION_TOKEN"
        )
        checks += _skipped(
            f"{which} must be fixed first",
            ("astra.auth", "Astra token"),
            ("astra.role", "Astra role"),
        )
    if "DATABASE_URL" in usable:
        checks += await store_checks(settings, now)
    else:
        checks += _skipped(
            "DATABASE_URL must be fixed first",
            ("store.reachable", "store"),
            ("store.migrations", "store schema"),
            ("watcher.backlog", "watcher backlog"),
        )
    mode = "Socket Mode" if settings.socket_mode else "HTTP mode"
    return Report(mode, tuple(checks))

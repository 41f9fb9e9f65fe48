"""PURE: the words of telemetry: a database's metrics export and the organization's
audit-log streaming, every config shown masked first (:func:`bot.redact.mask_settings`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.redact import MASK, mask_settings
from bot.render.core import Message, plain, shorten
from bot.render.lists import key_values
from bot.render.mrkdwn import md, user


def _show_value(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(_show_value(v) for v in value) or "—"
    if isinstance(value, Mapping):
        return ", ".join(f"{k}={_show_value(v)}" for k, v in value.items()) or "—"
    return shorten(str(value), 300) if value not in (None, "") else "—"


def _config_pairs(config: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(destination, key=value…) pairs of a ``{kind: {…}}`` config, redacted."""
    safe = mask_settings(config)
    pairs: list[tuple[str, str]] = []
    for kind, block in safe.items():
        if isinstance(block, Mapping):
            pairs.append(
                (str(kind), "\n".join(f"{k}: {_show_value(v)}" for k, v in sorted(block.items())))
            )
        else:
            pairs.append((str(kind), _show_value(block)))
    return pairs


def _summary(config: Mapping[str, Any]) -> str:
    """``key=value`` of every setting, secrets as ``••••``, for a channel announcement."""
    safe = mask_settings(config)
    return ", ".join(f"{k}=••••" if v == MASK else f"{k}={_show_value(v)}" for k, v in safe.items())


def telemetry_config(title: str, config: Mapping[str, Any]) -> tuple[Message, str]:
    """A ``{kind: {…}}`` config, masked, and the destinations it names (for the audit)."""
    pairs = _config_pairs(config)
    return key_values(title, pairs), ", ".join(k for k, _ in pairs)


def no_metrics_export(db_name: str) -> Message:
    return plain(f"*{db_name}* exports no metrics.")


NO_AUDIT_LOG = "The organization streams no audit log."
NOTHING_TO_STOP = "The organization streams no audit log: nothing to stop."


def metrics_export_set(
    by: str, db_name: str, kind: str, config: Mapping[str, Any], replaced: list[str]
) -> Message:
    text = md(
        ":wrench: {} set the metrics export of *{}* to *{}*: {}.",
        user(by),
        db_name,
        kind,
        _summary(config),
    )
    if replaced:
        text += md("\nThis replaces the export to {}.", ", ".join(replaced))
    return plain(text)


def audit_log_set(by: str, config: Mapping[str, Any]) -> Message:
    return plain(
        md(
            ":wrench: {} set the organization's audit-log streaming to *pulsar*: {}.",
            user(by),
            _summary(config),
        )
    )


def audit_log_stopped(by: str) -> Message:
    return plain(md(":wastebasket: Stopped audit-log streaming (asked by {}).", user(by)))

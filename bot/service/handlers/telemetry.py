"""telemetry: metrics export of a database, audit-log streaming of the organization."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from bot import render
from bot.astra.models import TELEMETRY_KINDS, canonical_telemetry_kind
from bot.commands.org import (
    DeleteAuditLogStream,
    SetAuditLogStream,
    SetMetricsExport,
    ShowAuditLogStream,
    ShowMetricsExport,
)
from bot.errors import NotFound, UsageError
from bot.render.core import shorten
from bot.service.handlers.common import suggest, unwrap
from bot.service.outcome import Outcome
from bot.service.registry import Call, Handlers, confirms, handles, prechecks
from bot.service.resolve import name_of


@dataclass(frozen=True)
class Sink:
    """What one telemetry destination takes (official spec ``*TelemetryRequestBlock``)."""

    required: tuple[str, ...]
    optional: tuple[str, ...] = ()
    #: ``auth_strategy`` value → the keys it needs in addition (spec oneOf/discriminator)
    strategies: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    strategy_optional: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    #: enumerated values (canonical spelling)
    choices: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    #: keys whose value is an array (comma-separated on the command line)
    lists: frozenset[str] = frozenset()
    #: other spellings accepted for a key
    aliases: Mapping[str, str] = field(default_factory=dict)

    def known(self) -> set[str]:
        keys = set(self.required) | set(self.optional)
        for extra in (*self.strategies.values(), *self.strategy_optional.values()):
            keys |= set(extra)
        return keys


#: Destinations and their keys, spelled as the official spec's configureTelemetry body
#: (``devops-api-official.json``: KafkaTelemetryRequestBlock, RemotePrometheus*,
#: CloudWatch…, Splunk…, Pulsar*, Datadog…). ``Datadog`` has a capital D on the wire.
TELEMETRY_SINKS: Mapping[str, Sink] = {
    "prometheus_remote": Sink(
        required=("endpoint", "auth_strategy"),
        strategies={"basic": ("user", "password"), "bearer": ("token",)},
        choices={"auth_strategy": ("basic", "bearer")},
    ),
    "Datadog": Sink(required=("api_key",), optional=("site",)),
    "splunk": Sink(required=("endpoint", "index", "token"), optional=("source", "sourcetype")),
    "kafka": Sink(
        required=("bootstrap_servers", "topic", "sasl_mechanism", "sasl_username", "sasl_password"),
        optional=("security_protocol",),
        choices={
            "sasl_mechanism": ("GSSAPI", "PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"),
            "security_protocol": ("SASL_PLAINTEXT", "SASL_SSL"),
        },
        lists=frozenset({"bootstrap_servers"}),
    ),
    "pulsar": Sink(
        required=("endpoint", "topic", "auth_strategy"),
        optional=("auth_name",),
        strategies={"token": ("token",), "oauth2": ("oauth2_credentials_url", "oauth2_issuer_url")},
        strategy_optional={"oauth2": ("oauth2_audience", "oauth2_scope")},
        choices={"auth_strategy": ("token", "oauth2")},
    ),
    # The spec requires `secret_key` but its properties spell it `secret`: accept both.
    "cloudwatch": Sink(
        required=("access_key", "secret_key", "region"), aliases={"secret": "secret_key"}
    ),
}


def parse_settings(pairs: Sequence[str], usage: str) -> dict[str, str]:
    """``key=value`` words → a dict; keys folded to lower snake case, Slack links undone.
    Error messages name keys, never values."""
    out: dict[str, str] = {}
    for raw in pairs:
        key, sep, value = raw.partition("=")
        key = key.strip().lower().replace("-", "_")
        if not sep or not key:
            raise UsageError("Settings are written `key=value`.", usage=usage)
        if key in out:
            raise UsageError(f"`{key}` is given twice.", usage=usage)
        out[key] = unwrap(value)
    return out


def build_settings(kind: str, settings: Mapping[str, str], usage: str) -> dict[str, Any]:
    """Validate ``settings`` for destination ``kind`` (canonical) and build its JSON block.

    Raises UsageError listing unknown keys (with "did you mean"), missing required keys and
    values not among the spec's enumerations — naming keys, never echoing a secret value.
    """
    sink = TELEMETRY_SINKS[kind]
    config: dict[str, Any] = {}
    for key, value in settings.items():
        config[sink.aliases.get(key, key)] = value
    known = sink.known()
    unknown = [k for k in config if k not in known]
    if unknown:
        near = suggest(unknown[0], sorted(known))
        raise UsageError(
            f"`{unknown[0]}` is not a {kind} setting.",
            usage=usage,
            suggestions=[f"{n}=…" for n in near],
            hint=_keys_hint(kind, sink),
        )
    if sink.strategies and "auth_strategy" not in config:
        # infer the strategy when exactly one strategy's keys were given
        fits = [s for s, keys in sink.strategies.items() if any(k in config for k in keys)]
        if len(fits) == 1:
            config["auth_strategy"] = fits[0]
    _canonical_choices(sink, config, usage)
    needed = list(sink.required) + _strategy_keys(sink, config, usage)
    missing = [k for k in needed if not str(config.get(k, "")).strip()]
    if missing:
        raise UsageError(
            f"A {kind} export needs " + ", ".join(f"`{k}=…`" for k in missing) + ".",
            usage=usage,
            hint=_keys_hint(kind, sink),
        )
    for key in sink.lists:
        if key in config:
            config[key] = [p.strip() for p in str(config[key]).split(",") if p.strip()]
    return config


def _canonical_choices(sink: Sink, config: dict[str, Any], usage: str) -> None:
    """Enumerated values in their canonical spelling, or a UsageError naming the choices."""
    for key, options in sink.choices.items():
        if key in config:
            canon = {o.lower(): o for o in options}.get(str(config[key]).lower())
            if canon is None:
                raise UsageError(
                    f"`{key}` must be one of {', '.join(options)}.",
                    usage=usage,
                    suggestions=[f"{key}={o}" for o in suggest(str(config[key]), options, 2)],
                )
            config[key] = canon


def _strategy_keys(sink: Sink, config: Mapping[str, Any], usage: str) -> list[str]:
    """The keys the chosen auth strategy needs; a key of another strategy is refused."""
    strategy = config.get("auth_strategy")
    if not sink.strategies or not isinstance(strategy, str):
        return []
    allowed = set(sink.strategies[strategy]) | set(sink.strategy_optional.get(strategy, ()))
    foreign = [
        k
        for s, keys in (*sink.strategies.items(), *sink.strategy_optional.items())
        if s != strategy
        for k in keys
        if k in config and k not in allowed
    ]
    if foreign:
        raise UsageError(f"`{foreign[0]}` does not apply to auth_strategy={strategy}.", usage=usage)
    return list(sink.strategies[strategy])


def _keys_hint(kind: str, sink: Sink) -> str:
    parts = [f"{kind} takes {', '.join(sink.required)}"]
    for s, keys in sink.strategies.items():
        parts.append(f"with auth_strategy={s}: {', '.join(keys)}")
    optional = [*sink.optional, *(k for ks in sink.strategy_optional.values() for k in ks)]
    if optional:
        parts.append(f"optional: {', '.join(optional)}")
    return "; ".join(parts) + "."


def _canonical_kind(kind: str, usage: str) -> str:
    canon = canonical_telemetry_kind(kind)
    if canon is None:
        raise UsageError(
            f"`{shorten(kind, 40)}` is not a metrics destination.",
            usage=usage,
            suggestions=suggest(kind, TELEMETRY_KINDS, 2),
            hint=f"Destinations: {', '.join(TELEMETRY_KINDS)}.",
        )
    return canon


@dataclass(frozen=True)
class TelemetryHandlers(Handlers):
    """The `telemetry` commands: metrics are exported per database (the Astra DevOps API's
    ``/v2/databases/{id}/telemetry/metrics``), audit logs streamed per organization."""

    @handles(ShowMetricsExport)
    async def metrics_show(self, cmd: ShowMetricsExport, call: Call) -> Outcome:
        db = call.database
        config = await call.org.astra.get_metrics_telemetry(db.id)
        if not config:
            return Outcome(
                f"no metrics export for {name_of(db)}",
                private=render.no_metrics_export(name_of(db)),
            )
        shown, kinds = render.telemetry_config(f"Metrics export of {name_of(db)}", config)
        return Outcome(f"metrics export of {name_of(db)}: {kinds}", private=shown)

    @handles(SetMetricsExport)
    async def metrics_set(self, cmd: SetMetricsExport, call: Call) -> Outcome:
        db, usage = call.database, cmd.spec.usage
        kind = _canonical_kind(cmd.kind, usage)
        config = build_settings(kind, parse_settings(cmd.settings, usage), usage)
        before = await call.org.astra.get_metrics_telemetry(db.id)
        await call.org.astra.set_metrics_telemetry(db.id, kind, config)
        replaced = [k for k in before if k != kind]
        return Outcome(
            f"metrics export of {name_of(db)} set to {kind} ({', '.join(sorted(config))})",
            channel=render.metrics_export_set(
                call.req.user_id, name_of(db), kind, config, replaced
            ),
        )

    @handles(ShowAuditLogStream)
    async def audit_log_show(self, cmd: ShowAuditLogStream, call: Call) -> Outcome:
        config = await call.org.astra.get_audit_log_streaming(await call.org.org_id())
        if not config:
            return Outcome("no audit-log streaming", private=render.plain(render.NO_AUDIT_LOG))
        shown, kinds = render.telemetry_config("Audit-log streaming", config)
        return Outcome(f"audit-log streaming: {kinds}", private=shown)

    @handles(SetAuditLogStream)
    async def audit_log_set(self, cmd: SetAuditLogStream, call: Call) -> Outcome:
        usage = cmd.spec.usage
        settings = parse_settings(cmd.settings, usage)
        # setAuditLogExporterConfig takes a PulsarTelemetryRequest only; `kind=pulsar` is allowed
        kind = settings.pop("kind", "pulsar")
        if kind.lower() != "pulsar":
            raise UsageError("Audit logs can only be streamed to Pulsar.", usage=usage)
        config = build_settings("pulsar", settings, usage)
        await call.org.astra.set_audit_log_streaming(await call.org.org_id(), {"pulsar": config})
        return Outcome(
            f"audit-log streaming set to pulsar ({', '.join(sorted(config))})",
            channel=render.audit_log_set(call.req.user_id, config),
        )

    @prechecks(DeleteAuditLogStream)
    async def precheck_audit_log_delete(self, cmd: DeleteAuditLogStream, call: Call) -> None:
        if not await call.org.astra.get_audit_log_streaming(await call.org.org_id()):
            raise NotFound(
                render.NOTHING_TO_STOP,
                hint="`/astra telemetry audit-log show` shows its streaming.",
            )

    @confirms(DeleteAuditLogStream)
    async def audit_log_delete_confirmed(self, cmd: DeleteAuditLogStream, call: Call) -> Outcome:
        org = await call.org.org_id()
        if not await call.org.astra.get_audit_log_streaming(org):  # stopped since it was asked
            return Outcome(
                "no audit-log streaming to delete",
                channel=render.plain(render.NOTHING_TO_STOP),
            )
        await call.org.astra.delete_audit_log_streaming(org)
        return Outcome(
            "audit-log streaming deleted", channel=render.audit_log_stopped(call.req.user_id)
        )

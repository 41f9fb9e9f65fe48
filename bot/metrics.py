"""Prometheus metrics of one bot process, and what readiness knows about its peers.

Contract:

- :class:`Metrics` owns its own ``prometheus_client.CollectorRegistry``: nothing is
  registered globally, so two bots in one process (tests, the benchmark) never share a
  counter. The composition root (:mod:`bot.bootstrap`) builds one and hands it to the Astra
  client (an observer), the Slack Web API client (a retry-handler hook), the Bolt app (ack
  timing), the service (one call per audit row) and the watcher.
- Label values are bounded by construction: intents are the command table's permissions,
  Astra endpoints are path *templates* (``/v2/databases/{id}/keyspaces/{ks}``), Slack
  methods are the Web API method names the bot calls, outcomes are small fixed sets. No
  database name, user, channel or id is ever a label value.
- :class:`PeerHealth` remembers the last answer of Slack and of Astra (from the calls the
  bot makes anyway), so ``/readyz`` can say "reachable recently" without calling them on
  every probe.

The metric names are listed in README.md ("Operating it").
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.exposition import generate_latest

from bot.intents import SPECS

if TYPE_CHECKING:
    from bot.store.repo import Store

__all__ = ["CONTENT_TYPE", "Contact", "Metrics", "PeerHealth", "endpoint_template"]

#: The classic text format, which every Prometheus reads (the names here need no escaping,
#: so it is byte for byte what version 1.0.0 would be).
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

#: The audit decision of a command or click → the ``outcome`` label of commands_total.
OUTCOMES = {
    "allow": "allowed",
    "deny": "denied",
    "error": "failed",
    "invalid": "invalid",
    "confirm": "confirm",
    "approve": "approve",
    "cancel": "cancelled",
    "expired": "expired",
    "form": "form",
}

#: DevOps API path templates (bot/astra/http/ builds these paths). Anything else is
#: counted as "other", so an unexpected path can never add a label value per id.
_TEMPLATES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile("^" + re.sub(r"\\\{\w+\\\}", "[^/]+", re.escape(t)) + "/?$"), t)
    for t in (
        "/v2/databases",
        "/v2/databases/{id}",
        "/v2/databases/{id}/terminate",
        "/v2/databases/{id}/park",
        "/v2/databases/{id}/unpark",
        "/v2/databases/{id}/resize",
        "/v2/databases/{id}/keyspaces/{ks}",
        "/v2/databases/{id}/datacenters",
        "/v2/databases/{id}/datacenters/{dc}/terminate",
        "/v2/databases/{id}/access-list",
        "/v2/databases/{id}/resetPassword",
        "/v2/databases/{id}/engineType",
        "/v2/access-lists",
        "/v2/access-list/validate",
        "/v2/access-list/template",
        "/v2/databases/{id}/secureBundleURL",
        "/v2/databases/{id}/telemetry/metrics",
        "/v2/regions/serverless",
        "/v2/availableRegions",
        "/v2/currentOrg",
        "/v2/tokens",
        "/v2/clientIdSecrets",
        "/v2/clientIdSecrets/{client}",
        "/v2/organizations/roles",
        "/v2/organizations/roles/{role}",
        "/v2/organizations/users",
        "/v2/organizations/users/{user}",
        "/v2/organizations/users/{user}/roles",
        "/v2/organizations/private-link",
        "/v2/organizations/customDomains",
        "/v2/organizations/{org}/devops-acl",
        "/v2/organizations/{org}/telemetry/auditLogs",
        "/v2/kms",
        "/v2/peering/provider/{provider}/database/{id}",
        "/v2/organizations/clusters/{id}/private-link",
        "/v2/organizations/clusters/{id}/datacenters/{dc}/private-link",
        "/v2/organizations/clusters/{id}/datacenters/{dc}/allowed-principals",
        "/v2/organizations/clusters/{id}/datacenters/{dc}/endpoints",
        "/v2/organizations/clusters/{id}/datacenters/{dc}/endpoints/{endpoint}",
        "/v2/kms/classic",
        "/v2/kms/provider/{provider}/region/{region}",
        "/v2/kms/provider/{provider}/region/{region}/accounts",
        "/v2/kms/classic/provider/{provider}/region/{region}",
        "/v2/kms/classic/provider/{provider}/region/{region}/accounts",
        "/v2/kms/classic/provider/{provider}/accounts",
        "/v2/pcus",
        "/v2/pcus/{group}",
        "/v2/pcus/actions/get",
        "/v2/pcus/actions/get/{dc}",
        "/v2/pcus/types",
        "/v2/pcus/park/{group}",
        "/v2/pcus/unpark/{group}",
        "/v2/pcus/association/transfer",
        "/v2/pcus/association/{group}",
        "/v2/pcus/association/{group}/{dc}",
        "/v2/databases/{id}/snapshots",
        "/v2/databases/{id}/cloneFrom/{source}",
        "/v2/databases/{id}/cloneStatus/{operation}",
        "/v3/databases/{id}/cdc",
        "/v3/databases/{id}/keyspaces/{ks}/tables/{table}/cdc",
    )
)
# Literal paths first: /v2/organizations/roles must not read as /v2/organizations/{org}/….
_TEMPLATES = tuple(sorted(_TEMPLATES, key=lambda pt: pt[1].count("{")))

_SLACK_METHOD = re.compile(r"^[a-z]+(?:\.[a-zA-Z]+){1,3}$")
_KIND = re.compile(r"^[a-z_]{1,32}$")

# Seconds; Slack's deadline for an ack is 3 s.
ACK_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0)
CALL_BUCKETS = (0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
TICK_BUCKETS = (0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


def endpoint_template(path: str) -> str:
    """The path template of a DevOps API path (no ids, no query): a bounded label value."""
    path = path.split("?", 1)[0]
    for pattern, template in _TEMPLATES:
        if pattern.match(path):
            return template
    return "other"


def slack_method(url_or_method: str) -> str:
    """``https://slack.com/api/chat.postMessage`` → ``chat.postMessage`` (else "other")."""
    name = url_or_method.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]
    return name if _SLACK_METHOD.match(name) else "other"


def intent_label(permission: str | None) -> str:
    if permission is None:
        return "none"
    return permission if permission in SPECS else "other"


# ---------------------------------------------------------------------------- peers


@dataclass(frozen=True)
class Contact:
    """The last answer from a peer: when (``clock`` time), whether it was usable, and a
    short reason (an HTTP status, ``timed out``, a Slack error code) — never a secret."""

    at: float
    ok: bool
    detail: str


class PeerHealth:
    """Last contact with each peer ("slack", "astra"), from the calls the bot makes."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._last: dict[str, Contact] = {}

    def record(self, peer: str, ok: bool, detail: str) -> None:
        self._last[peer] = Contact(self.clock(), ok, detail)

    def last(self, peer: str) -> Contact | None:
        return self._last.get(peer)

    def fresh(self, peer: str, window_s: float) -> Contact | None:
        """The last contact if it is at most ``window_s`` old."""
        c = self._last.get(peer)
        if c is None or self.clock() - c.at > window_s:
            return None
        return c


# ---------------------------------------------------------------------------- metrics


#: Counters: the name after ``astra_bot_`` → (labels, help).
COUNTERS: dict[str, tuple[tuple[str, ...], str]] = {
    "commands": (
        ("intent", "outcome"),
        "Commands and clicks, by intent (the command's permission) and outcome (allowed, "
        "denied, failed, invalid, confirm, approve, cancelled, expired, form).",
    ),
    "astra_requests": (
        ("method", "endpoint", "status"),
        "DevOps API requests (each attempt), by method, path template and status (HTTP "
        "status, or timeout / unreachable).",
    ),
    "slack_api_requests": (
        ("method", "outcome"),
        "Slack Web API requests (each attempt), by method and outcome (ok, error, "
        "ratelimited, http_error, unreachable).",
    ),
    "slack_api_ratelimited": (
        ("method",),
        "Slack Web API answers 429 (rate limited), retried ones included.",
    ),
    "slack_refused": (
        ("method", "error"),
        "Messages Slack refused as malformed (invalid_blocks, msg_too_long, ...), by method "
        "(or response_url) and error; each was sent again as plain text.",
    ),
    "operations_finished": (
        ("kind", "outcome"),
        "Long Astra operations this process saw end, by kind and outcome (done, failed, "
        "timed_out, unknown).",
    ),
    "watcher_ticks": (("result",), "Watcher passes, by result (ok, failed)."),
    "notices_sent": ((), "Channel notices Slack accepted."),
    "notices_failed": ((), "Channel notices Slack refused (retried later)."),
}

#: Gauges: the name after ``astra_bot_`` → (labels, help).
GAUGES: dict[str, tuple[tuple[str, ...], str]] = {
    "operations_pending": (
        ("kind",),
        "Long Astra operations not finished yet (from the store, at scrape time).",
    ),
    "watcher_last_tick_timestamp_seconds": (
        (),
        "Unix time of the last watcher pass of this process that completed.",
    ),
    "watcher_lag_seconds": (
        (),
        "How overdue the most overdue pending operation is (from the store, at scrape time; "
        "0 when none is late).",
    ),
    "notices_pending": ((), "Channel notices waiting to be sent (from the store, at scrape time)."),
    "work": (
        ("state",),
        "Commands and clicks acked and not finished, in this process: state running (started; "
        "most wait on Astra or Slack) or queued (waiting for a slot; at scrape time).",
    ),
    "peer_up": (("peer",), "1 if the last answer of the peer (slack, astra) was usable."),
}

#: Histograms: the name after ``astra_bot_`` → (labels, buckets, help).
HISTOGRAMS: dict[str, tuple[tuple[str, ...], tuple[float, ...], str]] = {
    "ack_seconds": (
        ("kind",),
        ACK_BUCKETS,
        "Time from Bolt's dispatch of a Slack request to its ack.",
    ),
    "astra_request_seconds": (("method", "endpoint"), CALL_BUCKETS, "DevOps API request latency."),
    "watcher_tick_seconds": ((), TICK_BUCKETS, "Duration of one watcher pass."),
}


class Metrics:
    """Every metric of one bot process, in a registry of its own (the tables above)."""

    def __init__(
        self,
        *,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        self.registry = r = CollectorRegistry(auto_describe=True)
        self.peers = PeerHealth(clock)
        self.wall_clock = wall_clock
        self.counters = {
            name: Counter(f"astra_bot_{name}", text, labels, registry=r)
            for name, (labels, text) in COUNTERS.items()
        }
        self.gauges = {
            name: Gauge(f"astra_bot_{name}", text, labels, registry=r)
            for name, (labels, text) in GAUGES.items()
        }
        self.histograms = {
            name: Histogram(f"astra_bot_{name}", text, labels, buckets=buckets, registry=r)
            for name, (labels, buckets, text) in HISTOGRAMS.items()
        }
        self._kinds: set[str] = set()

    # ------------------------------------------------------------------ commands, acks

    def command(self, permission: str | None, decision: str) -> None:
        """One audit row written (a command or a click)."""
        self.counters["commands"].labels(
            intent_label(permission), OUTCOMES.get(decision, "other")
        ).inc()

    def ack(self, kind: str, seconds: float) -> None:
        kind = kind if kind in {"command", "action", "view", "event", "options"} else "other"
        self.histograms["ack_seconds"].labels(kind).observe(max(0.0, seconds))

    # ------------------------------------------------------------------ Astra

    def astra_call(self, method: str, path: str, status: str, seconds: float) -> None:
        """The Astra client's observer: one attempt, its status (``"200"``, ``"503"``,
        ``"timeout"``, ``"unreachable"``) and latency."""
        method = (
            method.upper()
            if method.upper() in {"GET", "POST", "PUT", "PATCH", "DELETE"}
            else "OTHER"
        )
        endpoint = endpoint_template(path)
        status = (
            status
            if (status.isdigit() and len(status) == 3) or status in {"timeout", "unreachable"}
            else "other"
        )
        self.counters["astra_requests"].labels(method, endpoint, status).inc()
        self.histograms["astra_request_seconds"].labels(method, endpoint).observe(max(0.0, seconds))
        code = int(status) if status.isdigit() else 0
        ok = 0 < code < 500 and code != 401
        detail = {401: "token rejected (401)", 0: status}.get(code, f"HTTP {status}")
        self._peer("astra", ok, detail)

    # ------------------------------------------------------------------ Slack

    def slack_answer(self, method: str, status: int, ok: bool | None, error: str | None) -> None:
        """One Slack Web API answer (every attempt: retried 429s too)."""
        name = slack_method(method)
        if status == 429:
            outcome = "ratelimited"
            self.counters["slack_api_ratelimited"].labels(name).inc()
        elif status >= 400:
            outcome = "http_error"
        else:
            outcome = "ok" if ok else "error"
        self.counters["slack_api_requests"].labels(name, outcome).inc()
        auth_broken = error in {
            "invalid_auth",
            "not_authed",
            "token_revoked",
            "token_expired",
            "account_inactive",
        }
        usable = status < 500 and not auth_broken
        self._peer("slack", usable, error if auth_broken and error else f"HTTP {status}")

    def slack_refusal(self, method: str, error: str) -> None:
        """A payload Slack refused as malformed; ``error`` is one of ``MALFORMED`` codes."""
        name = method if method == "response_url" else slack_method(method)
        self.counters["slack_refused"].labels(name, error if _KIND.match(error) else "other").inc()

    def slack_unreachable(self, method: str, reason: str) -> None:
        self.counters["slack_api_requests"].labels(slack_method(method), "unreachable").inc()
        self._peer("slack", False, reason)

    def _peer(self, peer: str, ok: bool, detail: str) -> None:
        self.peers.record(peer, ok, detail)
        self.gauges["peer_up"].labels(peer).set(1 if ok else 0)

    # ------------------------------------------------------------------ watcher, notices

    def watcher_tick(self, seconds: float, *, ok: bool = True) -> None:
        self.counters["watcher_ticks"].labels("ok" if ok else "failed").inc()
        if ok:
            self.histograms["watcher_tick_seconds"].observe(max(0.0, seconds))
            self.gauges["watcher_last_tick_timestamp_seconds"].set(self.wall_clock())

    def operation_finished(self, kind: str, outcome: str) -> None:
        kind = kind if _KIND.match(kind) else "other"
        outcome = outcome if outcome in {"done", "failed", "timed_out", "unknown"} else "other"
        self.counters["operations_finished"].labels(kind, outcome).inc()

    def notices(self, *, sent: int = 0, failed: int = 0) -> None:
        if sent:
            self.counters["notices_sent"].inc(sent)
        if failed:
            self.counters["notices_failed"].inc(failed)

    def set_work(self, running: int, queued: int) -> None:
        self.gauges["work"].labels("running").set(running)
        self.gauges["work"].labels("queued").set(queued)

    async def refresh_from_store(self, store: Store, now: float | None = None) -> None:
        """Gauges that describe the shared store (the same in every replica): pending
        operations by kind, pending notices, and the watcher's lag."""
        now = self.wall_clock() if now is None else now
        async with store.transaction(doing="reading the backlog for the metrics") as tx:
            pending = await tx.operations.open_counts()
            notices = await tx.notices.pending_count()
            due = await tx.operations.next_due_at()
        self.set_pending(pending)
        self.gauges["notices_pending"].set(notices)
        self.gauges["watcher_lag_seconds"].set(max(0.0, now - due) if due is not None else 0.0)

    def set_pending(self, by_kind: Mapping[str, int]) -> None:
        counts: dict[str, int] = {}
        for kind, n in by_kind.items():
            label = kind if _KIND.match(kind) else "other"
            counts[label] = counts.get(label, 0) + n
        self._kinds |= counts.keys()
        for kind in self._kinds:
            self.gauges["operations_pending"].labels(kind).set(counts.get(kind, 0))

    # ------------------------------------------------------------------ exposition

    def render(self) -> bytes:
        """The registry in Prometheus' text format."""
        return generate_latest(self.registry)

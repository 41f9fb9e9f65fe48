"""``AstraClient``: the thin async I/O adapter over :mod:`bot.astra.http`.

Contract:

- Every method builds its request with a pure function of :mod:`bot.astra.http`, sends it
  with one shared ``httpx.AsyncClient`` and deciphers the answer there. Every failure is
  an :class:`~bot.errors.AstraError` subclass (httpx errors are translated once, here,
  with ``raise … from exc``); nothing else escapes.
- Reads (GET) are retried on 429, 5xx and no answer: up to ``max_read_retries`` times,
  exponential backoff with full jitter, Retry-After honoured (capped at 30 s), waiting
  through the injected ``sleep``. Anything else — creates above all — is sent once.
- The token is sent as ``Authorization: Bearer …`` and appears in no message, repr or
  log line: httpx masks the header in its reprs, the bot logs no headers, and error text
  from the API is scrubbed of it.
- ``list_databases`` follows the cursor paging of GET /v2/databases (``limit`` ≤ 100,
  ``starting_after=<last id>`` while a page comes back full; NOTES.md §1a).
"""

from __future__ import annotations

from bot.astra.calls import DatabaseCalls, OrganizationCalls, TelemetryCalls
from bot.astra.calls_admin import AdminCalls
from bot.astra.calls_cdc import CdcCalls
from bot.astra.calls_network import NetworkCalls
from bot.astra.calls_pcu import PcuCalls, SnapshotCalls
from bot.astra.transport import NetworkWait, Observer

__all__ = ["AstraClient", "NetworkWait", "Observer"]


class AstraClient(
    DatabaseCalls,
    OrganizationCalls,
    TelemetryCalls,
    AdminCalls,
    NetworkCalls,
    PcuCalls,
    SnapshotCalls,
    CdcCalls,
):
    """Async client of the Astra DevOps API v2 for one organization's token."""

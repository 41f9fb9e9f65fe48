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

import asyncio
import contextlib
import contextvars
import logging
import random
import time
from collections.abc import Awaitable, Callable, Collection, Iterator, Mapping
from types import TracebackType
from typing import Any, Self

import httpx

from bot.astra import http as api
from bot.astra.models import (
    AccessList,
    AvailableRegion,
    CreateDatabase,
    CreatedToken,
    Database,
    Datacenter,
    Organization,
    Role,
    SecureBundle,
    ServerlessRegion,
    Token,
    User,
)
from bot.errors import AstraError
from bot.work import network_wait

__all__ = ["AstraClient", "Observer"]

#: Told of every attempt: ``(method, path, status, seconds)``; status is the HTTP status
#: (``"503"``), ``"timeout"`` or ``"unreachable"``. Metrics hook (bot/metrics.py).
Observer = Callable[[str, str, str, float], None]

log = logging.getLogger("bot.astra")

#: A guard against a server that ignores ``starting_after`` (100 pages × 100 databases).
_MAX_PAGES = 1000


class AstraClient:
    """Async client of the Astra DevOps API v2 for one organization's token."""

    def __init__(
        self,
        token: str,
        base_url: str = api.DEFAULT_BASE_URL,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: float = 10.0,
        max_read_retries: int = 4,
        backoff_base: float = 0.5,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        rand: Callable[[], float] = random.random,
        observer: Observer | None = None,
    ) -> None:
        token = token.strip()
        if token.lower().startswith("bearer "):
            token = token[7:].strip()
        self._secrets: tuple[str, ...] = (token,)
        self._base_url = base_url.rstrip("/")
        self._max_read_retries = max(0, max_read_retries)
        self._backoff_base = backoff_base
        self._sleep = sleep
        self._rand = rand
        self._observer = observer
        self._http = httpx.AsyncClient(
            base_url=self._base_url,
            transport=transport,
            timeout=httpx.Timeout(timeout),
            headers={
                "Authorization": f"Bearer {token}",
                "Accept": "application/json",
                "User-Agent": "astra-bot",
            },
            follow_redirects=False,
        )

        # The requests made on behalf of one command, for its audit row (see recording()).
        self._journal: contextvars.ContextVar[list[str] | None] = contextvars.ContextVar(
            "astra_journal", default=None)
        # list_databases under way, by arguments, with the requests each made (single flight)
        self._listing: dict[tuple[str, str | None, int, int | None],
                            tuple[asyncio.Task[list[Database]], list[str]]] = {}

    def __repr__(self) -> str:
        return f"AstraClient(base_url={self._base_url!r})"

    @contextlib.contextmanager
    def recording(self, calls: list[str] | None = None) -> Iterator[list[str]]:
        """Within this block (this task), every request is noted as ``METHOD /path → status``
        — no query, no body, nothing secret — so the audit can say what was asked of Astra.
        Into ``calls`` when given (a shared listing's callers hold that list already)."""
        calls = [] if calls is None else calls
        token = self._journal.set(calls)
        try:
            yield calls
        finally:
            self._journal.reset(token)

    def recorded(self) -> list[str]:
        return list(self._journal.get() or [])

    def _note(self, req: api.ApiRequest, outcome: str) -> None:
        journal = self._journal.get()
        if journal is not None:
            journal.append(f"{req.method} {req.path} → {outcome}")

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    # ----------------------------------------------------------------------------------
    # the one place that does I/O
    # ----------------------------------------------------------------------------------

    async def _send(self, req: api.ApiRequest, retries: int | None = None) -> api.ApiResponse:
        reads = self._max_read_retries if retries is None else max(0, retries)
        attempts = 1 + (reads if req.is_read else 0)
        attempt = 0
        while True:
            try:
                return await self._send_once(req)
            except AstraError as error:
                attempt += 1
                if attempt >= attempts or not api.is_retryable(error):
                    raise
                delay = api.retry_delay(
                    attempt - 1,
                    base=self._backoff_base,
                    rand=self._rand(),
                    retry_after=getattr(error, "retry_after", None),
                )
                log.info(
                    "astra %s %s: %s; retry %d/%d in %.2fs",
                    req.method, req.path, type(error).__name__, attempt, attempts - 1, delay,
                )
                async with network_wait():
                    await self._sleep(delay)

    def _observe(self, req: api.ApiRequest, status: str, started: float) -> None:
        if self._observer is not None:
            self._observer(req.method, req.path, status, time.monotonic() - started)

    async def _send_once(self, req: api.ApiRequest) -> api.ApiResponse:
        started = time.monotonic()
        try:
            async with network_wait():
                resp = await self._http.request(
                    req.method, req.path, params=list(req.params) or None, json=req.json
                )
        except httpx.TimeoutException as exc:
            self._observe(req, "timeout", started)
            self._note(req, "timed out")
            log.warning("astra %s %s: timed out", req.method, req.path)
            raise api.unavailable(req, "timed out") from exc
        except httpx.TransportError as exc:
            self._observe(req, "unreachable", started)
            self._note(req, "unreachable")
            log.warning("astra %s %s: %s", req.method, req.path, type(exc).__name__)
            raise api.unavailable(req, "connection failed") from exc
        self._observe(req, str(resp.status_code), started)
        self._note(req, str(resp.status_code))
        answer = api.ApiResponse(
            status=resp.status_code,
            headers={k.lower(): v for k, v in resp.headers.items()},
            body=resp.content,
        )
        log.debug(
            "astra %s %s → %d in %.0f ms",
            req.method, req.path, resp.status_code, (time.monotonic() - started) * 1000,
        )
        api.check(req, answer, secrets=self._secrets)
        return answer

    # ----------------------------------------------------------------------------------
    # databases
    # ----------------------------------------------------------------------------------

    async def list_databases(
        self,
        include: str = "nonterminated",
        provider: str | None = None,
        page_size: int = 100,
        *,
        retries: int | None = None,
        until_seen: Collection[str] | None = None,
    ) -> list[Database]:
        """Every page. ``retries`` overrides the client's read retries (the watcher, which
        has its own schedule, asks for fewer). With ``until_seen``, paging stops as soon as
        every one of those ids was listed (a full last page otherwise costs one more,
        empty, page to learn that it was the last).

        Calls with the same arguments while one is under way share it (single flight): a
        burst of ``db list`` or name look-ups in a large org costs Astra one listing, and
        the bot one parse, instead of one per command. Nothing is cached: a call that
        starts after the last one ended asks Astra again."""
        if until_seen is not None:
            return await self._list_pages(include, provider, page_size, retries, until_seen)
        key = (include, provider, page_size, retries)
        shared = self._listing.get(key)
        leader = shared is None
        if shared is None:
            calls: list[str] = []
            task = asyncio.get_running_loop().create_task(
                self._journaled(calls, self._list_pages(include, provider, page_size, retries,
                                                        None)))
            shared = (task, calls)
            self._listing[key] = shared
            task.add_done_callback(lambda t: self._listing.pop(key, None))
            task.add_done_callback(_retrieve)
        task, calls = shared
        try:
            async with network_wait():
                return list(await asyncio.shield(task))
        finally:
            journal = self._journal.get()
            if journal is not None:
                journal.extend(calls if leader else [f"{c} (shared)" for c in calls])

    async def _journaled(self, calls: list[str],
                         work: Awaitable[list[Database]]) -> list[Database]:
        with self.recording(calls):
            return await work

    async def _list_pages(self, include: str, provider: str | None, page_size: int,
                          retries: int | None,
                          until_seen: Collection[str] | None) -> list[Database]:
        missing = set(until_seen) if until_seen is not None else None
        limit = max(1, min(page_size, api.MAX_PAGE_SIZE))
        found: list[Database] = []
        seen: set[str] = set()
        cursor: str | None = None
        for _ in range(_MAX_PAGES):
            req = api.list_databases(include, provider, limit, cursor)
            page = api.parse_databases(req, await self._send(req, retries))
            fresh = [db for db in page if db.id not in seen]
            found.extend(fresh)
            seen.update(db.id for db in fresh)
            if missing is not None:
                missing.difference_update(db.id for db in fresh)
                if not missing:
                    break
            nxt = api.next_cursor(page, limit)
            if nxt is None or nxt == cursor or not fresh:
                break
            cursor = nxt
        return found

    async def get_database(self, db_id: str) -> Database:
        req = api.get_database(db_id)
        return api.parse_database(req, await self._send(req))

    async def create_database(self, spec: CreateDatabase) -> str:
        """Create a database; its id (from ``Location``). Sent exactly once."""
        req = api.create_database(spec)
        return api.created_database_id(req, await self._send(req))

    async def terminate_database(self, db_id: str) -> None:
        await self._send(api.terminate_database(db_id))

    async def park_database(self, db_id: str) -> None:
        await self._send(api.park_database(db_id))

    async def unpark_database(self, db_id: str) -> None:
        await self._send(api.unpark_database(db_id))

    async def resize_database(self, db_id: str, capacity_units: int) -> None:
        await self._send(api.resize_database(db_id, capacity_units))

    # keyspaces ------------------------------------------------------------------------

    async def create_keyspace(self, db_id: str, name: str) -> None:
        await self._send(api.create_keyspace(db_id, name))

    async def delete_keyspace(self, db_id: str, name: str) -> None:
        await self._send(api.delete_keyspace(db_id, name))

    # regions --------------------------------------------------------------------------

    async def list_datacenters(self, db_id: str, all: bool = False) -> list[Datacenter]:
        req = api.list_datacenters(db_id, all)
        return api.parse_datacenters(req, await self._send(req))

    async def add_datacenter(
        self,
        db_id: str,
        cloud_provider: str,
        region: str,
        tier: str = "serverless",
        capacity_units: int = 1,
    ) -> None:
        await self._send(api.add_datacenter(db_id, cloud_provider, region, tier, capacity_units))

    async def terminate_datacenter(self, db_id: str, datacenter_id: str) -> None:
        await self._send(api.terminate_datacenter(db_id, datacenter_id))

    async def list_serverless_regions(
        self, region_type: str = "all", filter_by_org: str | None = None
    ) -> list[ServerlessRegion]:
        req = api.list_serverless_regions(region_type, filter_by_org)
        return api.parse_serverless_regions(req, await self._send(req))

    async def list_available_regions(self) -> list[AvailableRegion]:
        req = api.list_available_regions()
        return api.parse_available_regions(req, await self._send(req))

    # access lists ---------------------------------------------------------------------

    async def get_access_list(self, db_id: str) -> AccessList:
        req = api.get_access_list(db_id)
        return api.parse_access_list(req, await self._send(req))

    async def add_access_list_addresses(
        self, db_id: str, addresses: list[tuple[str, str]]
    ) -> None:
        """Add ``(address, description)`` pairs, enabled."""
        await self._send(api.add_access_list_addresses(db_id, addresses))

    async def delete_access_list_addresses(self, db_id: str, addresses: list[str]) -> None:
        """Remove these addresses (an empty list is refused: the API would drop them all)."""
        await self._send(api.delete_access_list_addresses(db_id, addresses))

    async def get_devops_access_list(self, org_id: str) -> dict[str, Any]:
        req = api.get_devops_access_list(org_id)
        return api.parse_object(req, await self._send(req))

    # secure bundle, organization ------------------------------------------------------

    async def secure_bundle_urls(
        self, db_id: str, all_regions: bool = False
    ) -> list[SecureBundle]:
        req = api.secure_bundle_urls(db_id, all_regions)
        return api.parse_secure_bundles(req, await self._send(req))

    async def current_org(self) -> Organization:
        req = api.current_org()
        return api.parse_organization(req, await self._send(req))

    # tokens ---------------------------------------------------------------------------

    async def list_tokens(self) -> list[Token]:
        req = api.list_tokens()
        return api.parse_tokens(req, await self._send(req))

    async def create_token(
        self, roles: list[str], description: str | None = None
    ) -> CreatedToken:
        req = api.create_token(roles, description)
        return api.parse_created_token(req, await self._send(req))

    async def revoke_token(self, client_id: str) -> None:
        await self._send(api.revoke_token(client_id))

    # roles ----------------------------------------------------------------------------

    async def list_roles(self) -> list[Role]:
        req = api.list_roles()
        return api.parse_roles(req, await self._send(req))

    async def get_role(self, role_id: str) -> Role:
        req = api.get_role(role_id)
        return api.parse_role(req, await self._send(req))

    async def create_role(
        self,
        name: str,
        actions: list[str],
        resources: list[str],
        description: str | None = None,
    ) -> Role | str:
        """The created role, or only its id when Astra answers without a body."""
        req = api.create_role(name, actions, resources, description)
        return api.parse_created_role(req, await self._send(req))

    async def delete_role(self, role_id: str) -> None:
        await self._send(api.delete_role(role_id))

    # users ----------------------------------------------------------------------------

    async def list_users(self) -> list[User]:
        req = api.list_users()
        return api.parse_users(req, await self._send(req))

    async def invite_user(self, email: str, org_id: str, role_ids: list[str]) -> None:
        await self._send(api.invite_user(email, org_id, role_ids))

    async def remove_user(self, user_id: str) -> None:
        await self._send(api.remove_user(user_id))

    async def set_user_roles(self, user_id: str, role_ids: list[str]) -> None:
        await self._send(api.set_user_roles(user_id, role_ids))

    # telemetry ------------------------------------------------------------------------

    async def get_metrics_telemetry(self, db_id: str) -> dict[str, Any]:
        """``{kind: config}``; ``{}`` when nothing is configured. Holds credentials."""
        req = api.get_metrics_telemetry(db_id)
        return api.parse_object(req, await self._send(req))

    async def set_metrics_telemetry(
        self, db_id: str, kind: str, config: Mapping[str, Any]
    ) -> None:
        await self._send(api.set_metrics_telemetry(db_id, kind, config))

    async def get_audit_log_streaming(self, org_id: str) -> dict[str, Any]:
        req = api.get_audit_log_streaming(org_id)
        return api.parse_object(req, await self._send(req))

    async def set_audit_log_streaming(self, org_id: str, config: Mapping[str, Any]) -> None:
        await self._send(api.set_audit_log_streaming(org_id, config))

    async def delete_audit_log_streaming(self, org_id: str) -> None:
        await self._send(api.delete_audit_log_streaming(org_id))

    # read-only extras -----------------------------------------------------------------

    async def list_private_links(self) -> dict[str, Any]:
        req = api.list_private_links()
        return api.parse_object(req, await self._send(req))

    async def list_custom_domains(self) -> list[str]:
        req = api.list_custom_domains()
        return api.parse_custom_domains(req, await self._send(req))

    async def list_kms_keys(self) -> list[dict[str, Any]]:
        req = api.list_kms_keys()
        return api.parse_kms_keys(req, await self._send(req))

    async def get_vpc_peering(self, provider: str, db_id: str) -> dict[str, Any]:
        req = api.get_vpc_peering(provider, db_id)
        return api.parse_object(req, await self._send(req))


def _retrieve(task: asyncio.Task[Any]) -> None:
    """A shared listing whose every caller went away (cancelled) must not leave its error
    unretrieved (asyncio would log it as never retrieved)."""
    if not task.cancelled():
        task.exception()

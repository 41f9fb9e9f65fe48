"""The DevOps API calls of the Astra client, by API group: build, send, decipher."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Collection, Mapping
from typing import Any

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
from bot.astra.transport import Transport

#: A guard against a server that ignores ``starting_after`` (100 pages × 100 databases).
_MAX_PAGES = 1000


class DatabaseCalls(Transport):
    """Databases (the listing paged and shared), their keyspaces and regions."""

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
                self._journaled(
                    calls, self._list_pages(include, provider, page_size, retries, None)
                )
            )
            shared = (task, calls)
            self._listing[key] = shared
            task.add_done_callback(lambda t: self._listing.pop(key, None))
            task.add_done_callback(_retrieve)
        task, calls = shared
        try:
            # the leader's wait is on the request it caused; the others add none
            async with self._network_wait() if leader else self._shared_wait():
                return list(await asyncio.shield(task))
        finally:
            journal = self._journal.get()
            if journal is not None:
                journal.extend(calls if leader else [f"{c} (shared)" for c in calls])

    async def _journaled(self, calls: list[str], work: Awaitable[list[Database]]) -> list[Database]:
        with self.recording(calls):
            return await work

    async def _list_pages(
        self,
        include: str,
        provider: str | None,
        page_size: int,
        retries: int | None,
        until_seen: Collection[str] | None,
    ) -> list[Database]:
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
        return await self._ask(api.get_database(db_id), api.parse_database)

    async def create_database(self, spec: CreateDatabase) -> str:
        """Create a database; its id (from ``Location``). Sent exactly once."""
        return await self._ask(api.create_database(spec), api.created_database_id)

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
        return await self._ask(api.list_datacenters(db_id, all), api.parse_datacenters)

    async def add_datacenter(
        self,
        db_id: str,
        cloud_provider: str,
        region: str,
        tier: str = "serverless",
        capacity_units: int = 1,
    ) -> None:
        req = api.add_datacenter(db_id, cloud_provider, region, tier=tier, units=capacity_units)
        await self._send(req)

    async def terminate_datacenter(self, db_id: str, datacenter_id: str) -> None:
        await self._send(api.terminate_datacenter(db_id, datacenter_id))

    async def list_serverless_regions(
        self, region_type: str = "all", filter_by_org: str | None = None
    ) -> list[ServerlessRegion]:
        return await self._ask(
            api.list_serverless_regions(region_type, filter_by_org), api.parse_serverless_regions
        )

    async def list_available_regions(self) -> list[AvailableRegion]:
        return await self._ask(api.list_available_regions(), api.parse_available_regions)


class OrganizationCalls(Transport):
    """Access lists, secure bundles, the organization, its tokens, roles and users."""

    # access lists ---------------------------------------------------------------------

    async def get_access_list(self, db_id: str) -> AccessList:
        return await self._ask(api.get_access_list(db_id), api.parse_access_list)

    async def add_access_list_addresses(self, db_id: str, addresses: list[tuple[str, str]]) -> None:
        """Add ``(address, description)`` pairs, enabled."""
        await self._send(api.add_access_list_addresses(db_id, addresses))

    async def delete_access_list_addresses(self, db_id: str, addresses: list[str]) -> None:
        """Remove these addresses (an empty list is refused: the API would drop them all)."""
        await self._send(api.delete_access_list_addresses(db_id, addresses))

    async def get_devops_access_list(self, org_id: str) -> dict[str, Any]:
        return await self._ask(api.get_devops_access_list(org_id), api.parse_object)

    # secure bundle, organization ------------------------------------------------------

    async def secure_bundle_urls(self, db_id: str, all_regions: bool = False) -> list[SecureBundle]:
        return await self._ask(api.secure_bundle_urls(db_id, all_regions), api.parse_secure_bundles)

    async def current_org(self) -> Organization:
        return await self._ask(api.current_org(), api.parse_organization)

    # tokens ---------------------------------------------------------------------------

    async def list_tokens(self) -> list[Token]:
        return await self._ask(api.list_tokens(), api.parse_tokens)

    async def create_token(self, roles: list[str], description: str | None = None) -> CreatedToken:
        return await self._ask(api.create_token(roles, description), api.parse_created_token)

    async def revoke_token(self, client_id: str) -> None:
        await self._send(api.revoke_token(client_id))

    # roles ----------------------------------------------------------------------------

    async def list_roles(self) -> list[Role]:
        return await self._ask(api.list_roles(), api.parse_roles)

    async def get_role(self, role_id: str) -> Role:
        return await self._ask(api.get_role(role_id), api.parse_role)

    async def create_role(
        self,
        name: str,
        actions: list[str],
        resources: list[str],
        description: str | None = None,
    ) -> Role | str:
        """The created role, or only its id when Astra answers without a body."""
        return await self._ask(
            api.create_role(name, actions, resources, description), api.parse_created_role
        )

    async def delete_role(self, role_id: str) -> None:
        await self._send(api.delete_role(role_id))

    # users ----------------------------------------------------------------------------

    async def list_users(self) -> list[User]:
        return await self._ask(api.list_users(), api.parse_users)

    async def invite_user(self, email: str, org_id: str, role_ids: list[str]) -> None:
        await self._send(api.invite_user(email, org_id, role_ids))

    async def remove_user(self, user_id: str) -> None:
        await self._send(api.remove_user(user_id))

    async def set_user_roles(self, user_id: str, role_ids: list[str]) -> None:
        await self._send(api.set_user_roles(user_id, role_ids))


class TelemetryCalls(Transport):
    """Metrics export, audit-log streaming and the read-only extras."""

    # telemetry ------------------------------------------------------------------------

    async def get_metrics_telemetry(self, db_id: str) -> dict[str, Any]:
        """``{kind: config}``; ``{}`` when nothing is configured. Holds credentials."""
        return await self._ask(api.get_metrics_telemetry(db_id), api.parse_config)

    async def set_metrics_telemetry(self, db_id: str, kind: str, config: Mapping[str, Any]) -> None:
        await self._send(api.set_metrics_telemetry(db_id, kind, config))

    async def get_audit_log_streaming(self, org_id: str) -> dict[str, Any]:
        return await self._ask(api.get_audit_log_streaming(org_id), api.parse_config)

    async def set_audit_log_streaming(self, org_id: str, config: Mapping[str, Any]) -> None:
        await self._send(api.set_audit_log_streaming(org_id, config))

    async def delete_audit_log_streaming(self, org_id: str) -> None:
        await self._send(api.delete_audit_log_streaming(org_id))

    # read-only extras -----------------------------------------------------------------

    async def list_private_links(self) -> dict[str, Any]:
        return await self._ask(api.list_private_links(), api.parse_object)

    async def list_custom_domains(self) -> list[str]:
        return await self._ask(api.list_custom_domains(), api.parse_custom_domains)

    async def list_kms_keys(self) -> list[dict[str, Any]]:
        return await self._ask(api.list_kms_keys(), api.parse_kms_keys)

    async def get_vpc_peering(self, provider: str, db_id: str) -> dict[str, Any]:
        return await self._ask(api.get_vpc_peering(provider, db_id), api.parse_object)


def _retrieve(task: asyncio.Task[Any]) -> None:
    """A shared listing whose every caller went away (cancelled) must not leave its error
    unretrieved (asyncio would log it as never retrieved)."""
    if not task.cancelled():
        task.exception()

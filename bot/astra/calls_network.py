"""The DevOps API calls of private links, custom domains, customer keys and VPC peering.

A mixin of :class:`bot.astra.client.AstraClient` like those of :mod:`bot.astra.calls`
(kept apart so that neither module outgrows the house limit): build, send, decipher.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from bot.astra.http import domains, keys, peering, private_link
from bot.astra.http.private import parse_kms_keys
from bot.astra.models.keys import CloudAccount, CustomerKey
from bot.astra.models.peering import VpcConnection
from bot.astra.models.private_link import (
    PrivateLinkCluster,
    PrivateLinkDatacenter,
    PrivateLinkEndpoint,
    PrivateLinkService,
)
from bot.astra.transport import Transport


class NetworkCalls(Transport):
    """Private links of a database's datacenters, custom domains, KMS keys, VPC peering."""

    # private links --------------------------------------------------------------------

    async def list_cluster_private_links(self, db_id: str) -> PrivateLinkCluster:
        return await self._ask(
            private_link.list_cluster_private_links(db_id), private_link.parse_private_link_cluster
        )

    async def get_datacenter_private_link(self, db_id: str, dc_id: str) -> PrivateLinkDatacenter:
        return await self._ask(
            private_link.get_datacenter_private_link(db_id, dc_id),
            private_link.parse_private_link_datacenter,
        )

    async def allow_principals(
        self, db_id: str, dc_id: str, principals: Sequence[str], *, first: bool
    ) -> PrivateLinkService:
        """``first``: the datacenter has no private link yet, these principals set it up."""
        return await self._ask(
            private_link.allow_principals(db_id, dc_id, principals, first=first),
            private_link.parse_private_link_service,
        )

    async def remove_allowed_principal(self, db_id: str, dc_id: str, principal: str) -> None:
        await self._send(private_link.remove_allowed_principal(db_id, dc_id, principal))

    async def accept_private_endpoint(
        self, db_id: str, dc_id: str, endpoint_id: str, description: str = ""
    ) -> PrivateLinkEndpoint:
        return await self._ask(
            private_link.accept_private_endpoint(db_id, dc_id, endpoint_id, description),
            private_link.parse_private_endpoint,
        )

    async def get_private_endpoint(
        self, db_id: str, dc_id: str, endpoint_id: str
    ) -> PrivateLinkEndpoint:
        return await self._ask(
            private_link.get_private_endpoint(db_id, dc_id, endpoint_id),
            private_link.parse_private_endpoint,
        )

    async def describe_private_endpoint(
        self, db_id: str, dc_id: str, endpoint_id: str, description: str
    ) -> PrivateLinkEndpoint:
        return await self._ask(
            private_link.describe_private_endpoint(db_id, dc_id, endpoint_id, description),
            private_link.parse_private_endpoint,
        )

    async def reject_private_endpoint(self, db_id: str, dc_id: str, endpoint_id: str) -> None:
        await self._send(private_link.reject_private_endpoint(db_id, dc_id, endpoint_id))

    # custom domains -------------------------------------------------------------------

    async def set_custom_domains(self, names: Sequence[str]) -> None:
        """Replace the whole set (an empty list removes every custom domain)."""
        await self._send(domains.set_custom_domains(names))

    # customer keys --------------------------------------------------------------------

    async def create_customer_key(
        self,
        provider: str,
        region: str,
        key_id: str,
        *,
        classic: bool = False,
        org_id: str | None = None,
    ) -> None:
        await self._send(
            keys.create_customer_key(provider, region, key_id, classic=classic, org_id=org_id)
        )

    async def list_classic_kms_keys(self) -> list[dict[str, Any]]:
        """The classic twin of ``list_kms_keys``, read the same way (``ExternalKMSResponse``)."""
        return await self._ask(keys.list_classic_kms_keys(), parse_kms_keys)

    async def get_customer_key(
        self, provider: str, region: str, *, classic: bool = False
    ) -> CustomerKey:
        return await self._ask(
            keys.get_customer_key(provider, region, classic=classic), keys.parse_customer_key
        )

    async def list_key_cloud_accounts(
        self, provider: str, region: str, *, classic: bool = False
    ) -> list[CloudAccount]:
        return await self._ask(
            keys.list_key_cloud_accounts(provider, region, classic=classic),
            keys.parse_cloud_accounts,
        )

    async def assign_cloud_account(self, provider: str) -> None:
        await self._send(keys.assign_cloud_account(provider))

    # VPC peering ----------------------------------------------------------------------

    async def create_vpc_peering(
        self, provider: str, db_id: str, fields: Mapping[str, str]
    ) -> VpcConnection:
        return await self._ask(
            peering.create_vpc_peering(provider, db_id, fields), peering.parse_vpc_connection
        )

    async def delete_vpc_peering(self, provider: str, db_id: str) -> None:
        await self._send(peering.delete_vpc_peering(provider, db_id))

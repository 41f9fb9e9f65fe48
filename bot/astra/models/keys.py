"""PURE: customer keys (KMS) of an organization and the cloud accounts they must trust.

A key id is an ARN/resource name of the customer's cloud account: it is shown only to the
requester and kept out of every ``repr``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Final

from bot.astra.models.base import ApiModel

#: The cloud providers of the ``/v2/kms`` paths and ``ExternalKMS`` body keys (lower case).
KMS_PROVIDERS: Final[tuple[str, ...]] = ("aws", "gcp", "azure")


class CustomerKey(ApiModel):
    """One registered customer key, as ``GetParticularCustomerKey`` answers it nested:
    ``{"orgId", "<provider>": {"keyID", "region"}}`` (read by ``bot.astra.http.keys``); the
    field names also read ``ExternalKMSResponse``'s ``OrganizationID/CloudProvider/KeyID``."""

    organization_id: str | None = None
    cloud_provider: str | None = None
    key_id: str | None = None
    region: str | None = None

    def __repr_args__(self) -> Iterator[tuple[str | None, Any]]:
        yield "cloud_provider", self.cloud_provider
        yield "region", self.region


class CloudAccount(ApiModel):
    """An Astra cloud account to grant the key to (``CloudProviderAccountDetails``)."""

    organization_id: str | None = None
    provider_id: str = ""
    provider: str | None = None

    def __repr_args__(self) -> Iterator[tuple[str | None, Any]]:
        yield "provider", self.provider

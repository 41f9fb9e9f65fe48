"""PURE: private links of a database's datacenters: the service, its principals, endpoints."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Annotated, Any, Final

from pydantic import BeforeValidator, Field

from bot.astra.models.base import ApiModel, NullableList, _none_to_list

#: A custom domain (a suffix of private-link hostnames): a DNS name of labels of letters,
#: digits and inner hyphens, dot-separated (RFC 1123), at most 253 characters.
_LABEL: Final = r"(?!-)[A-Za-z0-9-]{1,63}(?<!-)"
DOMAIN_RE: Final = re.compile(rf"^{_LABEL}(\.{_LABEL})*\.?$")


def is_domain(value: str) -> bool:
    return len(value) <= 253 and bool(DOMAIN_RE.match(value))


#: ``PrivateLinkEndpoint.status`` values of the official document (an open set all the same).
ENDPOINT_STATUSES = ("Accepted", "Rejected")


class PrivateLinkEndpoint(ApiModel):
    """One endpoint of the customer's side of a private link (``PrivateLinkEndpoint``)."""

    endpoint_id: str = Field(alias="endpointID")
    description: str = ""
    link_id: str | None = Field(default=None, alias="linkID")
    status: str | None = None
    created_date_time: str | None = Field(default=None, alias="createdDateTime")


class PrivateLinkService(ApiModel):
    """The service end of a datacenter's private link and who may connect to it
    (``PrivateLinkCreateConfigOutput``). Principals are cloud ARNs/accounts: shown only to
    the requester, and kept out of the ``repr``."""

    service_name: str | None = None
    allowed_principals: NullableList = Field(default_factory=list)

    def __repr_args__(self) -> Iterator[tuple[str | None, Any]]:
        yield "service_name", self.service_name
        yield "principals", len(self.allowed_principals)


class PrivateLinkDatacenter(PrivateLinkService):
    """``GET …/datacenters/{dc}/private-link`` (``PrivateLinkDatacenterOutput``)."""

    datacenter_id: str | None = Field(default=None, alias="datacenterID")
    endpoints: Annotated[list[PrivateLinkEndpoint], BeforeValidator(_none_to_list)] = Field(
        default_factory=list
    )

    @property
    def configured(self) -> bool:
        """Has the service been set up (a service name, or anyone allowed to connect)?"""
        return bool(self.service_name or self.allowed_principals)


class PrivateLinkCluster(ApiModel):
    """``GET /v2/organizations/clusters/{db}/private-link`` (``PrivateLinkClusterOutput``)."""

    cluster_id: str | None = Field(default=None, alias="clusterID")
    datacenters: Annotated[list[PrivateLinkDatacenter], BeforeValidator(_none_to_list)] = Field(
        default_factory=list
    )

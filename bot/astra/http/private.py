"""PURE: read-only requests: private links, custom domains, KMS keys, VPC peering."""

from __future__ import annotations

from typing import Any, Final

from bot.astra.http.base import _ORG, ApiRequest, ApiResponse, Endpoint
from bot.astra.http.decode import decode_json
from bot.astra.http.errors import unreadable


def parse_custom_domains(req: ApiRequest, resp: ApiResponse) -> list[str]:
    data = decode_json(req, resp)
    if not isinstance(data, list):
        raise unreadable(req, resp.status)
    return [str(d) for d in data]


def parse_kms_keys(req: ApiRequest, resp: ApiResponse) -> list[dict[str, Any]]:
    data = decode_json(req, resp)
    if isinstance(data, dict):
        data = [data]
    if not isinstance(data, list):
        raise unreadable(req, resp.status)
    return [d for d in data if isinstance(d, dict)]


list_private_links: Final = Endpoint(
    "GET", f"{_ORG}/private-link", "list_private_links", "list private links"
)
list_custom_domains: Final = Endpoint(
    "GET", f"{_ORG}/customDomains", "list_custom_domains", "list custom domains"
)
list_kms_keys: Final = Endpoint("GET", "/v2/kms", "list_kms_keys", "list customer keys")
_VPC_PEERING: Final = Endpoint(
    "GET",
    "/v2/peering/provider/{provider}/database/{db_id}",
    "get_vpc_peering",
    "get the VPC peering of database `{db_id}`",
)


def get_vpc_peering(provider: str, db_id: str) -> ApiRequest:
    # path enum: aws, azure, gcp (lower case)
    return _VPC_PEERING(provider.lower(), db_id)

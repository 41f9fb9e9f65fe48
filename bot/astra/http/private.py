"""PURE: read-only requests: private links, custom domains, KMS keys, VPC peering."""

from __future__ import annotations

from typing import Any

from bot.astra.http.base import ApiRequest, ApiResponse, _seg
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


def list_private_links() -> ApiRequest:
    return ApiRequest(
        "GET", "/v2/organizations/private-link", "list_private_links", "list private links"
    )


def list_custom_domains() -> ApiRequest:
    return ApiRequest(
        "GET", "/v2/organizations/customDomains", "list_custom_domains", "list custom domains"
    )


def list_kms_keys() -> ApiRequest:
    return ApiRequest("GET", "/v2/kms", "list_kms_keys", "list customer keys")


def get_vpc_peering(provider: str, db_id: str) -> ApiRequest:
    # path enum: aws, azure, gcp (lower case)
    return ApiRequest(
        "GET",
        f"/v2/peering/provider/{_seg(provider.lower(), 'cloud provider')}/database/"
        f"{_seg(db_id, 'database id')}",
        "get_vpc_peering",
        f"get the VPC peering of database `{db_id}`",
    )

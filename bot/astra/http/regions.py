"""PURE: requests and answers of keyspaces, a database's regions and the regions on offer."""

from __future__ import annotations

from typing import Final

from bot.astra.http.base import ApiRequest, ApiResponse, _db, _seg
from bot.astra.http.decode import parse_list
from bot.astra.models import AvailableRegion, Datacenter, ServerlessRegion


def parse_datacenters(req: ApiRequest, resp: ApiResponse) -> list[Datacenter]:
    return parse_list(req, resp, Datacenter)


def parse_serverless_regions(req: ApiRequest, resp: ApiResponse) -> list[ServerlessRegion]:
    return parse_list(req, resp, ServerlessRegion)


def parse_available_regions(req: ApiRequest, resp: ApiResponse) -> list[AvailableRegion]:
    return parse_list(req, resp, AvailableRegion)


#: keyspace create is 201; drop is 202 ([GO], astrapy) or 204 ([DOC]; [GO] "none found")
_KEYSPACE_OK: Final = frozenset({201, 202, 204})


def create_keyspace(db_id: str, name: str) -> ApiRequest:
    return ApiRequest(
        "POST",
        f"{_db(db_id)}/keyspaces/{_seg(name, 'keyspace name')}",
        "create_keyspace",
        f"create keyspace `{name}` in database `{db_id}`",
        expect=_KEYSPACE_OK,
    )


def delete_keyspace(db_id: str, name: str) -> ApiRequest:
    return ApiRequest(
        "DELETE",
        f"{_db(db_id)}/keyspaces/{_seg(name, 'keyspace name')}",
        "delete_keyspace",
        f"delete keyspace `{name}` from database `{db_id}`",
        expect=_KEYSPACE_OK,
    )


def list_datacenters(db_id: str, all: bool = False) -> ApiRequest:
    return ApiRequest(
        "GET",
        f"{_db(db_id)}/datacenters",
        "list_datacenters",
        f"list the regions of database `{db_id}`",
        params=(("all", "true"),) if all else (),
    )


def add_datacenter(
    db_id: str,
    cloud_provider: str,
    region: str,
    tier: str = "serverless",
    capacity_units: int = 1,
) -> ApiRequest:
    # One region per call ("DevOps API only allows for adding 1 region at a time", NOTES §3).
    # The spec's Datacenter schema *requires* ``status`` even in this request body; the Go
    # client (generated from it, used by Terraform) always sends it, empty.
    body = [
        {
            "tier": tier,
            "cloudProvider": cloud_provider.upper(),
            "region": region,
            "capacityUnits": capacity_units,
            "status": "",
        }
    ]
    return ApiRequest(
        "POST",
        f"{_db(db_id)}/datacenters",
        "add_datacenter",
        f"add region `{region}` to database `{db_id}`",
        json=body,
        expect=frozenset({201, 202}),
    )


def terminate_datacenter(db_id: str, datacenter_id: str) -> ApiRequest:
    return ApiRequest(
        "POST",
        f"{_db(db_id)}/datacenters/{_seg(datacenter_id, 'datacenter id')}/terminate",
        "terminate_datacenter",
        f"remove region `{datacenter_id}` from database `{db_id}`",
        expect=frozenset({202}),
    )


def list_serverless_regions(
    region_type: str = "all", filter_by_org: str | None = None
) -> ApiRequest:
    params: list[tuple[str, str]] = []
    if region_type:
        params.append(("region-type", region_type))
    if filter_by_org:
        params.append(("filter-by-org", filter_by_org))
    return ApiRequest(
        "GET",
        "/v2/regions/serverless",
        "list_serverless_regions",
        "list serverless regions",
        params=tuple(params),
    )


def list_available_regions() -> ApiRequest:
    return ApiRequest(
        "GET", "/v2/availableRegions", "list_available_regions", "list available regions"
    )

"""PURE: requests and answers of keyspaces, a database's regions and the regions on offer."""

from __future__ import annotations

from typing import Final

from bot.astra.http.base import _DB, ApiRequest, ApiResponse, Endpoint
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
_KEYSPACE: Final = f"{_DB}/keyspaces/{{keyspace}}"

#: ``create_keyspace(db_id, name)``
create_keyspace: Final = Endpoint(
    "POST",
    _KEYSPACE,
    "create_keyspace",
    "create keyspace `{keyspace}` in database `{db_id}`",
    _KEYSPACE_OK,
)
#: ``delete_keyspace(db_id, name)``
delete_keyspace: Final = Endpoint(
    "DELETE",
    _KEYSPACE,
    "delete_keyspace",
    "delete keyspace `{keyspace}` from database `{db_id}`",
    _KEYSPACE_OK,
)
_LIST_DATACENTERS: Final = Endpoint(
    "GET", f"{_DB}/datacenters", "list_datacenters", "list the regions of database `{db_id}`"
)
#: ``terminate_datacenter(db_id, datacenter_id)``
terminate_datacenter: Final = Endpoint(
    "POST",
    f"{_DB}/datacenters/{{dc_id}}/terminate",
    "terminate_datacenter",
    "remove region `{dc_id}` from database `{db_id}`",
    frozenset({202}),
)
list_available_regions: Final = Endpoint(
    "GET", "/v2/availableRegions", "list_available_regions", "list available regions"
)
_SERVERLESS_REGIONS: Final = Endpoint(
    "GET", "/v2/regions/serverless", "list_serverless_regions", "list serverless regions"
)
_ADD_DATACENTER: Final = Endpoint(
    "POST",
    f"{_DB}/datacenters",
    "add_datacenter",
    "add region `{region}` to database `{db_id}`",
    frozenset({201, 202}),
)


def list_datacenters(db_id: str, all: bool = False) -> ApiRequest:
    return _LIST_DATACENTERS(db_id, params=(("all", "true"),) if all else ())


def add_datacenter(
    db_id: str, cloud_provider: str, region: str, *, tier: str = "serverless", units: int = 1
) -> ApiRequest:
    # One region per call ("DevOps API only allows for adding 1 region at a time", NOTES §3).
    # The spec's Datacenter schema *requires* ``status`` even in this request body; the Go
    # client (generated from it, used by Terraform) always sends it, empty.
    body = [
        {
            "tier": tier,
            "cloudProvider": cloud_provider.upper(),
            "region": region,
            "capacityUnits": units,
            "status": "",
        }
    ]
    return _ADD_DATACENTER(db_id, json=body, region=region)


def list_serverless_regions(
    region_type: str = "all", filter_by_org: str | None = None
) -> ApiRequest:
    asked = (("region-type", region_type), ("filter-by-org", filter_by_org or ""))
    return _SERVERLESS_REGIONS(params=tuple((k, v) for k, v in asked if v))

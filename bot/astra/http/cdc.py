"""PURE: requests and answers of change data capture, DevOps API v3: a database's CDC
configuration, enabling and updating it for tables and regions, removing tables, and one
table's status (official document: enableCDC, updateCDC, getCDC, deleteCDC, getCDCStatus).

``GetCDCResponse`` requires ``tables`` without declaring it among its properties: it is
read, when there, as in ``ListCDCResponse``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

from bot.astra.http.base import ApiRequest, ApiResponse, Endpoint, _seg
from bot.astra.http.decode import parse_list, parse_model
from bot.astra.models.cdc import CdcConfig, CdcRegion, CdcTable
from bot.errors import AstraBadRequest

_CDC: Final = "/v3/databases/{db_id}/cdc"

#: getCDC.
get_cdc: Final = Endpoint("GET", _CDC, "get_cdc", "get the CDC of database `{db_id}`")
#: enableCDC (201, no body).
_ENABLE: Final = Endpoint(
    "POST", _CDC, "enable_cdc", "enable CDC on database `{db_id}`", frozenset({201})
)
#: updateCDC (201, no body): the tables and regions given replace the configuration's.
_UPDATE: Final = Endpoint(
    "PUT", _CDC, "update_cdc", "update the CDC of database `{db_id}`", frozenset({201})
)
#: deleteCDC (204): a DELETE with a body naming the tables.
_DELETE: Final = Endpoint(
    "DELETE", _CDC, "delete_cdc", "disable CDC on database `{db_id}`", frozenset({204})
)
#: getCDCStatus.
get_cdc_table_status: Final = Endpoint(
    "GET",
    "/v3/databases/{db_id}/keyspaces/{keyspace}/tables/{table}/cdc",
    "get_cdc_table_status",
    "get the CDC status of table `{keyspace}.{table}` of database `{db_id}`",
)


def _tables(tables: Sequence[CdcTable]) -> list[dict[str, str]]:
    if not tables:
        raise AstraBadRequest("Name at least one table (keyspace.table).", status_code=None)
    for t in tables:
        _seg(t.keyspace_name, "keyspace name")
        _seg(t.table_name, "table name")
    unique = dict.fromkeys((t.keyspace_name.strip(), t.table_name.strip()) for t in tables)
    return [{"keyspaceName": ks, "tableName": name} for ks, name in unique]


def _body(database_name: str, tables: Sequence[CdcTable], regions: Sequence[CdcRegion]) -> Any:
    if not database_name.strip():
        raise AstraBadRequest("Give the database's name.", status_code=None)
    if not regions:
        raise AstraBadRequest("Name at least one region for CDC.", status_code=None)
    for r in regions:
        fields = (r.datacenter_id, r.datacenter_region, r.streaming_cluster_name)
        if not all(v.strip() for v in (*fields, r.streaming_tenant_name)):
            raise AstraBadRequest(
                "Each CDC region needs its datacenter, region, streaming cluster and tenant.",
                status_code=None,
            )
    return {
        "databaseName": database_name.strip(),
        "tables": _tables(tables),
        "regions": [
            r.model_dump(by_alias=True, include=set(CdcRegion.model_fields)) for r in regions
        ],
    }


def enable_cdc(
    db_id: str, database_name: str, tables: Sequence[CdcTable], regions: Sequence[CdcRegion]
) -> ApiRequest:
    return _ENABLE(db_id, json=_body(database_name, tables, regions))


def update_cdc(
    db_id: str, database_name: str, tables: Sequence[CdcTable], regions: Sequence[CdcRegion]
) -> ApiRequest:
    return _UPDATE(db_id, json=_body(database_name, tables, regions))


def delete_cdc(db_id: str, tables: Sequence[CdcTable]) -> ApiRequest:
    _seg(db_id, "database id")
    return _DELETE(db_id, json={"databaseID": db_id.strip(), "tables": _tables(tables)})


def parse_cdc(req: ApiRequest, resp: ApiResponse) -> CdcConfig:
    return parse_model(req, resp, CdcConfig)


def parse_cdc_statuses(req: ApiRequest, resp: ApiResponse) -> list[CdcConfig]:
    return parse_list(req, resp, CdcConfig)

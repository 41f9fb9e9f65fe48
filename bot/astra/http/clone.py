"""PURE: requests and answers of a database's snapshots and of a clone from one of them
(official document, tag ``Clone``).

``listSnapshots`` has no answer schema in the document (200 "OK", no content): the
answer is read as astra-db-ts reads it, ``{"snapshots": [{"id", "time"}]}``
(src/administration/astra-db-clone-admin.ts ``listSnapshots``)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Final

from bot.astra.http.base import _DB, ApiRequest, ApiResponse, Endpoint, Params
from bot.astra.http.decode import parse_list, parse_model
from bot.astra.models.pcu import CloneStatus, Snapshot
from bot.errors import AstraBadRequest

#: listSnapshots.
_SNAPSHOTS: Final = Endpoint(
    "GET", f"{_DB}/snapshots", "list_snapshots", "list the snapshots of database `{db_id}`"
)
#: cloneFromDB: the target database (it exists) takes the data of the source's snapshot.
_CLONE: Final = Endpoint(
    "POST",
    f"{_DB}/cloneFrom/{{source_id}}",
    "clone_database",
    "clone database `{source_id}` into `{db_id}`",
)
#: cloneStatus.
clone_status: Final = Endpoint(
    "GET",
    f"{_DB}/cloneStatus/{{operation_id}}",
    "clone_status",
    "get clone operation `{operation_id}` of database `{db_id}`",
)


def _value(value: str, what: str) -> str:
    """A query value: any non-empty text (httpx encodes it), else refused."""
    clean = value.strip() if isinstance(value, str) else ""
    if not clean:
        raise AstraBadRequest(f"`{value}` is not a valid {what}.", status_code=None)
    return clean


def _rfc3339(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise AstraBadRequest("Give snapshot times with their time zone.", status_code=None)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def list_snapshots(
    db_id: str,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    source_region: str | None = None,
) -> ApiRequest:
    """``from``/``to`` bound the snapshots' times (RFC3339, the document)."""
    if since is not None and until is not None and since > until:
        raise AstraBadRequest("The start of the range is after its end.", status_code=None)
    params: Params = ()
    if since is not None:
        params += (("from", _rfc3339(since)),)
    if until is not None:
        params += (("to", _rfc3339(until)),)
    if source_region is not None:
        params += (("sourceRegion", _value(source_region, "region")),)
    return _SNAPSHOTS(db_id, params=params)


def clone_database(
    target_id: str, source_id: str, snapshot_id: str, *, source_region: str | None = None
) -> ApiRequest:
    """``snapshotID`` is required by the document; ``sourceRegion`` picks a secondary
    region of a multi-region source."""
    if target_id.strip() == source_id.strip():
        raise AstraBadRequest("A database cannot be cloned into itself.", status_code=None)
    params: Params = (("snapshotID", _value(snapshot_id, "snapshot id")),)
    if source_region is not None:
        params += (("sourceRegion", _value(source_region, "region")),)
    return _CLONE(target_id, source_id, params=params)


def parse_snapshots(req: ApiRequest, resp: ApiResponse) -> list[Snapshot]:
    return parse_list(req, resp, Snapshot, key="snapshots")


def parse_clone_status(req: ApiRequest, resp: ApiResponse) -> CloneStatus:
    return parse_model(req, resp, CloneStatus)

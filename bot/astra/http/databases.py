"""PURE: requests and answers of databases: list, get, create, terminate, park, resize, bundles."""

from __future__ import annotations

from typing import Final

from pydantic import ValidationError

from bot.astra.http.base import _DB, MAX_PAGE_SIZE, ApiRequest, ApiResponse, Endpoint, _bool
from bot.astra.http.decode import decode_json, parse_list, parse_model
from bot.astra.http.errors import unreadable
from bot.astra.models import CreateDatabase, Database, SecureBundle


def parse_database(req: ApiRequest, resp: ApiResponse) -> Database:
    return parse_model(req, resp, Database)


def parse_databases(req: ApiRequest, resp: ApiResponse) -> list[Database]:
    return parse_list(req, resp, Database)


def parse_secure_bundles(req: ApiRequest, resp: ApiResponse) -> list[SecureBundle]:
    """The official spec answers ``CredsURL`` or an array of them; Go's an array."""
    data = decode_json(req, resp)
    if isinstance(data, dict):
        data = [data]
    if not isinstance(data, list):
        raise unreadable(req, resp.status)
    try:
        return [SecureBundle.model_validate(entry) for entry in data]
    except ValidationError as exc:
        raise unreadable(req, resp.status) from exc


def list_databases(
    include: str = "nonterminated",
    provider: str | None = None,
    limit: int = MAX_PAGE_SIZE,
    starting_after: str | None = None,
) -> ApiRequest:
    params: list[tuple[str, str]] = [("include", include.lower())]
    if provider:
        # official spec enum: ALL, GCP, AWS, AZURE
        params.append(("provider", provider.upper()))
    params.append(("limit", str(max(1, min(limit, MAX_PAGE_SIZE)))))
    if starting_after:
        params.append(("starting_after", starting_after))
    return ApiRequest(
        "GET", "/v2/databases", "list_databases", "list databases", params=tuple(params)
    )


get_database: Final = Endpoint("GET", _DB, "get_database", "get database `{db_id}`")


def create_database(spec: CreateDatabase) -> ApiRequest:
    return ApiRequest(
        "POST",
        "/v2/databases",
        "create_database",
        f"create database `{spec.name}`",
        json=spec.to_json(),
        expect=frozenset({201}),
    )


_ACCEPTED: Final = frozenset({202})
terminate_database: Final = Endpoint(
    "POST", f"{_DB}/terminate", "terminate_database", "terminate database `{db_id}`", _ACCEPTED
)
#: [GO] only: POST …/park → 202 (NOTES.md §1a)
park_database: Final = Endpoint(
    "POST", f"{_DB}/park", "park_database", "park database `{db_id}`", _ACCEPTED
)
unpark_database: Final = Endpoint(
    "POST", f"{_DB}/unpark", "unpark_database", "unpark database `{db_id}`", _ACCEPTED
)
_RESIZE: Final = Endpoint(
    "POST",
    f"{_DB}/resize",
    "resize_database",
    "resize database `{db_id}` to {units} capacity units",
    _ACCEPTED,
)
_SECURE_BUNDLE: Final = Endpoint(
    "POST",
    f"{_DB}/secureBundleURL",
    "secure_bundle_urls",
    "get a secure connect bundle for database `{db_id}`",
)


def resize_database(db_id: str, capacity_units: int) -> ApiRequest:
    return _RESIZE(db_id, json={"capacityUnits": capacity_units}, units=str(capacity_units))


def secure_bundle_urls(db_id: str, all_regions: bool = False) -> ApiRequest:
    return _SECURE_BUNDLE(db_id, params=(("all", _bool(all_regions)),))

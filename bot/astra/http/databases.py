"""PURE: requests and answers of databases: list, get, create, terminate, park, resize, bundles."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from bot.astra.http.base import MAX_PAGE_SIZE, ApiRequest, ApiResponse, _bool, _db
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


def get_database(db_id: str) -> ApiRequest:
    return ApiRequest("GET", _db(db_id), "get_database", f"get database `{db_id}`")


def create_database(spec: CreateDatabase) -> ApiRequest:
    return ApiRequest(
        "POST",
        "/v2/databases",
        "create_database",
        f"create database `{spec.name}`",
        json=spec.to_json(),
        expect=frozenset({201}),
    )


def _db_action(db_id: str, action: str, verb: str, body: Any = None) -> ApiRequest:
    return ApiRequest(
        "POST",
        f"{_db(db_id)}/{verb}",
        action,
        f"{action.split('_')[0]} database `{db_id}`",
        json=body,
        expect=frozenset({202}),
    )


def terminate_database(db_id: str) -> ApiRequest:
    return _db_action(db_id, "terminate_database", "terminate")


def park_database(db_id: str) -> ApiRequest:
    # [GO] only: POST …/park → 202 (NOTES.md §1a)
    return _db_action(db_id, "park_database", "park")


def unpark_database(db_id: str) -> ApiRequest:
    return _db_action(db_id, "unpark_database", "unpark")


def resize_database(db_id: str, capacity_units: int) -> ApiRequest:
    req = _db_action(db_id, "resize_database", "resize", {"capacityUnits": capacity_units})
    return ApiRequest(
        req.method,
        req.path,
        req.action,
        f"resize database `{db_id}` to {capacity_units} capacity units",
        json=req.json,
        expect=req.expect,
    )


def secure_bundle_urls(db_id: str, all_regions: bool = False) -> ApiRequest:
    return ApiRequest(
        "POST",
        f"{_db(db_id)}/secureBundleURL",
        "secure_bundle_urls",
        f"get a secure connect bundle for database `{db_id}`",
        params=(("all", _bool(all_regions)),),
    )

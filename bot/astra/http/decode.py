"""PURE: bodies read once: JSON, models, lists, the Location id; unreadable is never nothing."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from bot.astra.http.base import ApiRequest, ApiResponse
from bot.astra.http.errors import unreadable
from bot.astra.models import Database
from bot.errors import AstraError

M = TypeVar("M", bound=BaseModel)


def decode_json(req: ApiRequest, resp: ApiResponse) -> Any:
    """The JSON body. An empty body, ``null`` or text that is not JSON is AstraUnreadable:
    an answer that says nothing is never taken to mean "no databases" (the watcher would
    announce TERMINATED for every database it follows)."""
    if not resp.body.strip():
        raise unreadable(req, resp.status, "an empty body")
    try:
        data = json.loads(resp.body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise unreadable(req, resp.status, "not JSON") from exc
    if data is None:
        raise unreadable(req, resp.status, "null")
    return data


def parse_model(req: ApiRequest, resp: ApiResponse, model: type[M]) -> M:
    data = decode_json(req, resp)
    if isinstance(data, list) and len(data) == 1:
        # some "get one" schemas are written as arrays (spec: getOrganizationRole)
        data = data[0]
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise unreadable(req, resp.status) from exc


def parse_list(
    req: ApiRequest, resp: ApiResponse, model: type[M], *, key: str | None = None
) -> list[M]:
    """A JSON array of ``model``; also an object holding it under ``key`` (any casing)."""
    data = decode_json(req, resp)
    if isinstance(data, dict) and key is not None:
        folded = {str(k).lower(): v for k, v in data.items()}
        if key.lower() not in folded:
            raise unreadable(req, resp.status, f"an object without {key}")
        data = folded[key.lower()]
        if data is None:
            return []  # the field is there and says "none" (Go marshals a nil slice so)
    if not isinstance(data, list):
        raise unreadable(req, resp.status, "not a list")
    # the official spec's getOrganizationRoles schema nests arrays: flatten one level
    flat: list[Any] = []
    for entry in data:
        flat.extend(entry if isinstance(entry, list) else [entry])
    try:
        return [model.model_validate(entry) for entry in flat]
    except ValidationError as exc:
        raise unreadable(req, resp.status) from exc


def parse_object(req: ApiRequest, resp: ApiResponse) -> dict[str, Any]:
    data = decode_json(req, resp)
    if not isinstance(data, dict):
        raise unreadable(req, resp.status)
    return data


def location_id(resp: ApiResponse) -> str | None:
    """The id in a ``Location`` header: a bare id (NOTES.md §3) or a URL ending in it."""
    value = (resp.header("location") or "").strip()
    if not value:
        return None
    return value.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1] or None


def created_database_id(req: ApiRequest, resp: ApiResponse) -> str:
    """201 Created with ``Location: <database id>``; no body (NOTES.md §3)."""
    db_id = location_id(resp)
    if db_id is None:
        raise AstraError(
            f"Astra accepted the request to {req.operation} but did not say the new database's id.",
            status_code=resp.status,
            operation=req.operation,
            hint="Look for it with `/astra db list` before trying again.",
        )
    return db_id


def next_cursor(page: Sequence[Database], limit: int) -> str | None:
    """``starting_after`` for the next page: the last id while pages come back full."""
    if len(page) < limit or not page:
        return None
    return page[-1].id

"""The HTTP meaning of the Astra DevOps API v2, as pure functions (no I/O).

In the manner of gidgethub's ``sansio``: every API operation is a *request builder*
returning an :class:`ApiRequest` (method, path, query params, JSON body, the statuses
that mean success, and a short ``operation`` text naming what is done, for messages),
and responses are *deciphered* from an :class:`ApiResponse` (status, lower-cased headers,
body bytes) into models or a typed :class:`~bot.errors.AstraError`. The I/O adapter
(:mod:`bot.astra.client`) only sends what is built here and hands back what came.

Error mapping (:func:`error_for`)::

    400 AstraBadRequest      401 AstraUnauthorized   403 AstraForbidden
    404 AstraNotFound        409 AstraConflict       422 AstraUnprocessable
    429 AstraRateLimited (retry_after from Retry-After: seconds or an HTTP date)
    5xx AstraServerError (status_code = the actual status)
    no answer (timeout, connection) → AstraUnavailable (:func:`unavailable`)
    an unexpected 1xx/2xx/3xx → AstraError
    an expected status whose body cannot be read (empty, ``null``, not JSON, the wrong
    JSON type: a non-list where a list is due) → AstraUnreadable (:func:`unreadable`),
    decided once, in :func:`decode_json` and the parsers below it: such an answer is
    never read as "nothing" (an empty org would make the watcher announce TERMINATED)

The error body is ``{"errors":[{"ID": int, "message": str}]}`` (NOTES.md §4); ``id`` is
read too, and a missing or non-JSON body is tolerated. Messages name the operation and,
for 401/403, the bot's token and the Astra permission it needs (:data:`PERMISSIONS`).
API text is redacted (:func:`bot.redact.redact`: the bot's token in any form or encoding,
and every secret shape) before anything else sees it.

Retry policy (:func:`is_retryable`, :func:`retry_delay`): reads (GET) are retried on 429,
5xx (not 501) and no-answer, with exponential backoff and full jitter, honouring
Retry-After up to a cap. Writes are never retried: a create is never sent twice (DESIGN §4).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, Final, TypeVar
from urllib.parse import quote

from pydantic import BaseModel, ValidationError

from bot.astra.models import (
    AccessList,
    AvailableRegion,
    CreateDatabase,
    CreatedToken,
    Database,
    Datacenter,
    Organization,
    OrganizationUsers,
    Role,
    SecureBundle,
    ServerlessRegion,
    Token,
    User,
    canonical_telemetry_kind,
)
from bot.errors import (
    ApiErrorItem,
    AstraBadRequest,
    AstraConflict,
    AstraError,
    AstraForbidden,
    AstraNotFound,
    AstraRateLimited,
    AstraServerError,
    AstraUnauthorized,
    AstraUnavailable,
    AstraUnprocessable,
    AstraUnreadable,
)
from bot.redact import redact

M = TypeVar("M", bound=BaseModel)

DEFAULT_BASE_URL: Final = "https://api.astra.datastax.com"
#: Server cap of ``limit`` on GET /v2/databases (spec: max 100; astra-cli#213).
MAX_PAGE_SIZE: Final = 100
#: Longest wait honoured from a Retry-After header, seconds.
RETRY_AFTER_CAP: Final = 30.0

#: Astra permission (role "action") each operation needs, for 401/403 messages. From the
#: official spec's per-operation ``security`` scopes and the PolicyAction enum; region and
#: access-list actions as real roles spell them (fixtures Roles.json).
PERMISSIONS: Final[Mapping[str, str]] = {
    "list_databases": "org-db-view",
    "get_database": "org-db-view",
    "create_database": "org-db-create",
    "terminate_database": "org-db-terminate",
    "park_database": "org-db-suspend",
    "unpark_database": "org-db-suspend",
    "resize_database": "org-db-expand",
    "create_keyspace": "db-keyspace-create",
    "delete_keyspace": "db-keyspace-drop",
    "list_datacenters": "org-db-view",
    "add_datacenter": "db-manage-region",
    "terminate_datacenter": "db-manage-region",
    "list_serverless_regions": "org-db-create",
    "list_available_regions": "org-db-create",
    "get_access_list": "accesslist-read",
    "add_access_list_addresses": "accesslist-write",
    "delete_access_list_addresses": "accesslist-write",
    "get_devops_access_list": "org-read",
    "secure_bundle_urls": "db-cql",
    "current_org": "org-read",
    "list_tokens": "org-token-read",
    "create_token": "org-token-write",
    "revoke_token": "org-token-write",
    "list_roles": "org-role-read",
    "get_role": "org-role-read",
    "create_role": "org-role-write",
    "delete_role": "org-role-delete",
    "list_users": "org-user-read",
    "invite_user": "org-user-write",
    "remove_user": "org-user-write",
    "set_user_roles": "org-user-write",
    "get_metrics_telemetry": "db-manage-thirdpartymetrics",
    "set_metrics_telemetry": "db-manage-thirdpartymetrics",
    "get_audit_log_streaming": "org-audits-read",
    "set_audit_log_streaming": "org-audits-read",
    "delete_audit_log_streaming": "org-audits-read",
    "list_private_links": "db-manage-privateendpoint",
    "list_custom_domains": "db-manage-privateendpoint",
    "list_kms_keys": "org-cmk-read",
    "get_vpc_peering": "org-db-readpeering",
}

Params = tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class ApiRequest:
    """One DevOps API call to make. ``path`` is relative to the base URL."""

    method: str
    path: str
    action: str
    operation: str
    params: Params = ()
    json: Any = None
    expect: frozenset[int] = frozenset({200})

    @property
    def is_read(self) -> bool:
        """Reads (GET) may be retried; nothing else ever is."""
        return self.method == "GET"

    @property
    def permission(self) -> str | None:
        return PERMISSIONS.get(self.action)


@dataclass(frozen=True, slots=True)
class ApiResponse:
    """What came back: status, headers with lower-cased names, raw body."""

    status: int
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes = b""

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


# --------------------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------------------

_MAX_API_TEXT: Final = 200


def scrub(text: str, secrets: Iterable[str] = ()) -> str:
    """API text without the bot's token (in any form or encoding) nor any other secret,
    then clipped: redacted first, so that a clip cannot leave part of a token behind."""
    # (a bounded prefix is redacted: a token is far shorter than the margin kept)
    return redact(text[: 5 * _MAX_API_TEXT], secrets)[:_MAX_API_TEXT]


def parse_error_items(body: bytes, secrets: Iterable[str] = ()) -> list[ApiErrorItem]:
    """``{"errors":[{"ID":…,"message":…}]}`` → items; tolerant of ``id``, junk, no body."""
    if not body:
        return []
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        text = body.decode("utf-8", "replace").strip()
        # a proxy's HTML page is no message for a Slack user
        if not text or text.startswith("<"):
            return []
        return [ApiErrorItem(id=None, message=scrub(text, secrets))]
    raw: Any = data.get("errors") if isinstance(data, dict) else data
    if isinstance(data, dict) and raw is None and "message" in data:
        raw = [data]
    if not isinstance(raw, list):
        return []
    items: list[ApiErrorItem] = []
    for entry in raw:
        if not isinstance(entry, dict):
            continue
        folded = {str(k).lower(): v for k, v in entry.items()}
        ident = folded.get("id")
        if not isinstance(ident, int | str) or isinstance(ident, bool):
            ident = None
        message = folded.get("message") or folded.get("description") or ""
        items.append(ApiErrorItem(id=ident, message=scrub(str(message), secrets)))
    return items


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """``Retry-After``: delay-seconds or an HTTP date (RFC 9110 §10.2.3) → seconds ≥ 0."""
    if value is None or not value.strip():
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        pass
    else:
        return max(seconds, 0.0) if seconds == seconds else None  # NaN
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    now = now or datetime.now(UTC)
    return max((when - now).total_seconds(), 0.0)


_EXISTS_RE: Final = re.compile(r"\balready (exists?|has|in use|present)\b", re.IGNORECASE)


def _astra_said(items: Sequence[ApiErrorItem]) -> str:
    texts = [i.message.strip().rstrip(".") for i in items if i.message.strip()]
    if not texts:
        return ""
    return " Astra said: “" + "; ".join(texts[:3]) + ".”"


def error_for(
    req: ApiRequest,
    resp: ApiResponse,
    *,
    secrets: Iterable[str] = (),
    now: datetime | None = None,
) -> AstraError:
    """The typed error for an answer that is not one of ``req.expect``."""
    status = resp.status
    secrets = tuple(secrets)
    items = parse_error_items(resp.body, secrets)
    said = _astra_said(items)
    op = req.operation
    common: dict[str, Any] = {"status_code": status, "errors": items, "operation": op}
    perm = req.permission
    # for 400/422 Astra's own words are the reason, when it gives some
    reason = "; ".join(i.message.strip().rstrip(".") for i in items[:3] if i.message.strip())
    if status == 400:
        return AstraBadRequest(
            f"Astra refused to {op}: {reason or 'the request was not valid'} (400).", **common
        )
    if status == 401:
        return AstraUnauthorized(
            f"Astra refused to {op}: the bot's Astra token is invalid or expired (401).{said}",
            **common,
        )
    if status == 403:
        need = f"the `{perm}` permission" if perm else "the permission for this"
        return AstraForbidden(
            f"Astra refused to {op}: the bot's Astra token lacks {need} (403).{said}",
            hint=(
                f"An Astra admin should add `{perm}` to the role of the bot's token."
                if perm
                else None
            ),
            **common,
        )
    if status == 404:
        return AstraNotFound(f"Astra could not {op}: it was not found (404).{said}", **common)
    if status == 409:
        if any(_EXISTS_RE.search(i.message) for i in items):
            # "Keyspace x already exists in the database.": a clash, not a state to wait out
            return AstraConflict(f"Astra refused to {op}: it already exists (409).{said}",
                                 exists=True, **common)
        if req.path.startswith("/v2/databases/"):
            return AstraConflict(
                f"Astra refused to {op}: the database is not in a valid state for this "
                f"operation (409).{said}",
                **common,
            )
        # outside databases a 409 is a clash (a role or address that exists already)
        return AstraConflict(
            f"Astra refused to {op}: it conflicts with what exists already (409).{said}",
            hint="Check the current state (list it) and try again.",
            **common,
        )
    if status == 422:
        return AstraUnprocessable(
            f"Astra refused to {op}: {reason or 'it could not process the values given'} (422).",
            **common,
        )
    if status == 429:
        retry_after = parse_retry_after(resp.header("retry-after"), now)
        wait = f" Try again in {retry_after:.0f} s." if retry_after else ""
        return AstraRateLimited(
            f"Astra is rate-limiting the bot and refused to {op} (429).{wait}",
            retry_after=retry_after,
            **common,
        )
    if status >= 500:
        return AstraServerError(
            f"Astra had an internal error and could not {op} ({status}).{said}", **common
        )
    if 400 <= status < 500:
        return AstraBadRequest(f"Astra refused to {op} ({status}).{said}", **common)
    return AstraError(f"Astra gave an unexpected answer to {op} ({status}).", **common)


def unavailable(req: ApiRequest, reason: str) -> AstraUnavailable:
    """The error for no HTTP answer at all; ``reason`` is e.g. "timed out"."""
    return AstraUnavailable(
        f"Astra could not be reached to {req.operation} ({reason}).", operation=req.operation
    )


def unreadable(req: ApiRequest, status: int, what: str = "not the expected shape"
               ) -> AstraUnreadable:
    """An answer with a success status that cannot be read: an error, never "nothing".
    For a read nothing happened; a change may have been made."""
    if req.is_read:
        outcome = "nothing was changed"
    else:
        outcome = "it may have been done: check before trying again"
    return AstraUnreadable(
        f"Astra answered the request to {req.operation} with something the bot could not "
        f"read ({what}, HTTP {status}); {outcome}.",
        status_code=status,
        operation=req.operation,
    )


def check(
    req: ApiRequest,
    resp: ApiResponse,
    *,
    secrets: Iterable[str] = (),
    now: datetime | None = None,
) -> None:
    """Raise the typed error unless ``resp.status`` is one of ``req.expect``."""
    if resp.status not in req.expect:
        raise error_for(req, resp, secrets=secrets, now=now)


def is_retryable(error: AstraError) -> bool:
    """429, 5xx except 501 (it will not start working), and no answer at all."""
    if isinstance(error, AstraRateLimited | AstraUnavailable):
        return True
    return isinstance(error, AstraServerError) and error.status_code != 501


def retry_delay(
    attempt: int,
    *,
    base: float,
    rand: float,
    retry_after: float | None = None,
    cap: float = RETRY_AFTER_CAP,
) -> float:
    """Seconds to wait before retry number ``attempt`` (0-based).

    Retry-After wins when given (capped); otherwise exponential backoff with full jitter
    (``rand`` in [0, 1) scales ``base * 2**attempt``, capped).
    """
    if retry_after is not None:
        return min(max(retry_after, 0.0), cap)
    return max(rand, 0.0) * min(cap, base * 2.0**attempt)


# --------------------------------------------------------------------------------------
# Deciphering bodies
# --------------------------------------------------------------------------------------


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
            f"Astra accepted the request to {req.operation} but did not say the new "
            "database's id.",
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


def parse_database(req: ApiRequest, resp: ApiResponse) -> Database:
    return parse_model(req, resp, Database)


def parse_databases(req: ApiRequest, resp: ApiResponse) -> list[Database]:
    return parse_list(req, resp, Database)


def parse_datacenters(req: ApiRequest, resp: ApiResponse) -> list[Datacenter]:
    return parse_list(req, resp, Datacenter)


def parse_serverless_regions(req: ApiRequest, resp: ApiResponse) -> list[ServerlessRegion]:
    return parse_list(req, resp, ServerlessRegion)


def parse_available_regions(req: ApiRequest, resp: ApiResponse) -> list[AvailableRegion]:
    return parse_list(req, resp, AvailableRegion)


def parse_access_list(req: ApiRequest, resp: ApiResponse) -> AccessList:
    data = decode_json(req, resp)
    if not isinstance(data, dict):
        raise unreadable(req, resp.status, "not an access list")
    try:
        return AccessList.model_validate(data)
    except ValidationError as exc:
        raise unreadable(req, resp.status) from exc


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


def parse_organization(req: ApiRequest, resp: ApiResponse) -> Organization:
    return parse_model(req, resp, Organization)


def parse_tokens(req: ApiRequest, resp: ApiResponse) -> list[Token]:
    """``ClientRoleList`` ``{"clients": [...]}``, or a bare array (fixture IamTokens.json)."""
    return parse_list(req, resp, Token, key="clients")


def parse_created_token(req: ApiRequest, resp: ApiResponse) -> CreatedToken:
    return parse_model(req, resp, CreatedToken)


def parse_roles(req: ApiRequest, resp: ApiResponse) -> list[Role]:
    return parse_list(req, resp, Role, key="roles")


def parse_role(req: ApiRequest, resp: ApiResponse) -> Role:
    return parse_model(req, resp, Role)


def parse_created_role(req: ApiRequest, resp: ApiResponse) -> Role | str:
    """201 with the ``Role`` (spec) — or, failing a body, the id in ``Location``."""
    data = decode_json(req, resp) if resp.body.strip() else None
    if isinstance(data, dict) and data:
        try:
            return Role.model_validate(data)
        except ValidationError as exc:
            raise unreadable(req, resp.status) from exc
    role_id = location_id(resp)
    if role_id is None:
        raise unreadable(req, resp.status, "no body and no Location")
    return role_id


def parse_users(req: ApiRequest, resp: ApiResponse) -> list[User]:
    data = decode_json(req, resp)
    if not isinstance(data, list | dict):
        raise unreadable(req, resp.status, "not a list of users")
    try:
        if isinstance(data, list):
            return [User.model_validate(entry) for entry in data]
        return OrganizationUsers.model_validate(data).users
    except ValidationError as exc:
        raise unreadable(req, resp.status) from exc


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


# --------------------------------------------------------------------------------------
# Building requests
# --------------------------------------------------------------------------------------


def _seg(value: str, what: str) -> str:
    """One path segment, percent-encoded; ids that would change the path are refused."""
    if not isinstance(value, str) or not value.strip() or value.strip() in {".", ".."}:
        raise AstraBadRequest(f"`{value}` is not a valid {what}.", status_code=None)
    return quote(value.strip(), safe="")


def _bool(value: bool) -> str:
    return "true" if value else "false"


def _db(db_id: str) -> str:
    return f"/v2/databases/{_seg(db_id, 'database id')}"


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
    return ApiRequest("GET", "/v2/databases", "list_databases", "list databases",
                      params=tuple(params))


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
    return ApiRequest("GET", "/v2/regions/serverless", "list_serverless_regions",
                      "list serverless regions", params=tuple(params))


def list_available_regions() -> ApiRequest:
    return ApiRequest("GET", "/v2/availableRegions", "list_available_regions",
                      "list available regions")


def get_access_list(db_id: str) -> ApiRequest:
    return ApiRequest("GET", f"{_db(db_id)}/access-list", "get_access_list",
                      f"get the access list of database `{db_id}`")


def add_access_list_addresses(db_id: str, addresses: Sequence[tuple[str, str]]) -> ApiRequest:
    # AddressRequest requires address, enabled and description (official spec)
    body = [{"address": a, "enabled": True, "description": d} for a, d in addresses]
    if not body:
        raise AstraBadRequest("Give at least one address to add.", status_code=None)
    return ApiRequest(
        "POST",
        f"{_db(db_id)}/access-list",
        "add_access_list_addresses",
        f"add {', '.join(f'`{a}`' for a, _ in addresses)} to the access list of database "
        f"`{db_id}`",
        json=body,
        expect=frozenset({200, 201, 204}),
    )


def delete_access_list_addresses(db_id: str, addresses: Sequence[str]) -> ApiRequest:
    # Without ``addresses`` the API deletes the *whole* list (spec summary): never send that.
    if not addresses:
        raise AstraBadRequest("Give at least one address to remove.", status_code=None)
    return ApiRequest(
        "DELETE",
        f"{_db(db_id)}/access-list",
        "delete_access_list_addresses",
        f"remove {', '.join(f'`{a}`' for a in addresses)} from the access list of database "
        f"`{db_id}`",
        params=tuple(("addresses", a) for a in addresses),
        expect=frozenset({200, 202, 204}),
    )


def get_devops_access_list(org_id: str) -> ApiRequest:
    return ApiRequest(
        "GET",
        f"/v2/organizations/{_seg(org_id, 'organization id')}/devops-acl",
        "get_devops_access_list",
        "get the DevOps API access list",
    )


def secure_bundle_urls(db_id: str, all_regions: bool = False) -> ApiRequest:
    return ApiRequest(
        "POST",
        f"{_db(db_id)}/secureBundleURL",
        "secure_bundle_urls",
        f"get a secure connect bundle for database `{db_id}`",
        params=(("all", _bool(all_regions)),),
    )


def current_org() -> ApiRequest:
    return ApiRequest("GET", "/v2/currentOrg", "current_org", "get the current organization")


def list_tokens() -> ApiRequest:
    return ApiRequest("GET", "/v2/tokens", "list_tokens", "list tokens")


def create_token(roles: Sequence[str], description: str | None = None) -> ApiRequest:
    body: dict[str, Any] = {"roles": list(roles)}
    if description:
        body["description"] = description
    return ApiRequest("POST", "/v2/tokens", "create_token", "create a token", json=body)


def revoke_token(client_id: str) -> ApiRequest:
    # NOTES.md Errata: DELETE /v2/tokens is malformed in the official document
    return ApiRequest(
        "DELETE",
        f"/v2/clientIdSecrets/{_seg(client_id, 'client id')}",
        "revoke_token",
        f"revoke token `{client_id}`",
        expect=frozenset({200, 204}),
    )


def list_roles() -> ApiRequest:
    return ApiRequest("GET", "/v2/organizations/roles", "list_roles", "list roles")


def get_role(role_id: str) -> ApiRequest:
    return ApiRequest("GET", f"/v2/organizations/roles/{_seg(role_id, 'role id')}",
                      "get_role", f"get role `{role_id}`")


def create_role(
    name: str,
    actions: Sequence[str],
    resources: Sequence[str],
    description: str | None = None,
) -> ApiRequest:
    # CreateRoleRequest{name, policy{description, actions, resources, effect}}: all required
    body = {
        "name": name,
        "policy": {
            "description": description or name,
            "actions": list(actions),
            "resources": list(resources),
            "effect": "allow",
        },
    }
    return ApiRequest("POST", "/v2/organizations/roles", "create_role",
                      f"create role `{name}`", json=body, expect=frozenset({200, 201}))


def delete_role(role_id: str) -> ApiRequest:
    return ApiRequest(
        "DELETE",
        f"/v2/organizations/roles/{_seg(role_id, 'role id')}",
        "delete_role",
        f"delete role `{role_id}`",
        expect=frozenset({200, 204}),
    )


def list_users() -> ApiRequest:
    return ApiRequest("GET", "/v2/organizations/users", "list_users", "list users")


def invite_user(email: str, org_id: str, role_ids: Sequence[str]) -> ApiRequest:
    # UserInvite{email, orgID, roles}
    return ApiRequest(
        "PUT",
        "/v2/organizations/users",
        "invite_user",
        f"invite `{email}`",
        json={"email": email, "orgID": org_id, "roles": list(role_ids)},
        expect=frozenset({200, 201, 204}),
    )


def remove_user(user_id: str) -> ApiRequest:
    return ApiRequest(
        "DELETE",
        f"/v2/organizations/users/{_seg(user_id, 'user id')}",
        "remove_user",
        f"remove user `{user_id}`",
        expect=frozenset({200, 204}),
    )


def set_user_roles(user_id: str, role_ids: Sequence[str]) -> ApiRequest:
    return ApiRequest(
        "PUT",
        f"/v2/organizations/users/{_seg(user_id, 'user id')}/roles",
        "set_user_roles",
        f"set the roles of user `{user_id}`",
        json={"roles": list(role_ids)},
        expect=frozenset({200, 204}),
    )


def get_metrics_telemetry(db_id: str) -> ApiRequest:
    return ApiRequest("GET", f"{_db(db_id)}/telemetry/metrics", "get_metrics_telemetry",
                      f"get the metrics export of database `{db_id}`")


def set_metrics_telemetry(db_id: str, kind: str, config: Mapping[str, Any]) -> ApiRequest:
    canon = canonical_telemetry_kind(kind)
    if canon is None:
        raise AstraBadRequest(
            f"`{kind}` is not a metrics destination Astra knows; use one of "
            "prometheus_remote, Datadog, splunk, kafka, pulsar, cloudwatch.",
            status_code=None,
        )
    # configureTelemetry: one keyed block, replaces any existing config (NOTES.md §1e)
    return ApiRequest(
        "POST",
        f"{_db(db_id)}/telemetry/metrics",
        "set_metrics_telemetry",
        f"export the metrics of database `{db_id}` to {canon}",
        json={canon: dict(config)},
        expect=frozenset({200, 202, 204}),
    )


def _audit(org_id: str) -> str:
    return f"/v2/organizations/{_seg(org_id, 'organization id')}/telemetry/auditLogs"


def get_audit_log_streaming(org_id: str) -> ApiRequest:
    return ApiRequest("GET", _audit(org_id), "get_audit_log_streaming",
                      "get the audit-log streaming config")


def set_audit_log_streaming(org_id: str, config: Mapping[str, Any]) -> ApiRequest:
    return ApiRequest("POST", _audit(org_id), "set_audit_log_streaming",
                      "set the audit-log streaming config", json=dict(config),
                      expect=frozenset({200, 202, 204}))


def delete_audit_log_streaming(org_id: str) -> ApiRequest:
    return ApiRequest("DELETE", _audit(org_id), "delete_audit_log_streaming",
                      "delete the audit-log streaming config", expect=frozenset({200, 202, 204}))


def list_private_links() -> ApiRequest:
    return ApiRequest("GET", "/v2/organizations/private-link", "list_private_links",
                      "list private links")


def list_custom_domains() -> ApiRequest:
    return ApiRequest("GET", "/v2/organizations/customDomains", "list_custom_domains",
                      "list custom domains")


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


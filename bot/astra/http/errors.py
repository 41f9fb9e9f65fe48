"""PURE: a failed answer as a typed AstraError (API text redacted); the retry policy."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, Final

from bot.astra.http.base import RETRY_AFTER_CAP, ApiRequest, ApiResponse
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


@dataclass(frozen=True, slots=True)
class _Refusal:
    """What the message of one refused request is made of."""

    req: ApiRequest
    resp: ApiResponse
    items: list[ApiErrorItem]
    said: str  # " Astra said: “…”", or nothing
    reason: str  # Astra's own words, the reason of a 400 or a 422 when it gives some
    common: dict[str, Any]  # status_code, errors, operation
    now: datetime | None

    @property
    def op(self) -> str:
        return self.req.operation


def _bad_request(r: _Refusal) -> AstraError:
    return AstraBadRequest(
        f"Astra refused to {r.op}: {r.reason or 'the request was not valid'} (400).", **r.common
    )


def _unauthorized(r: _Refusal) -> AstraError:
    return AstraUnauthorized(
        f"Astra refused to {r.op}: the bot's Astra token is invalid or expired (401).{r.said}",
        **r.common,
    )


def _forbidden(r: _Refusal) -> AstraError:
    perm = r.req.permission
    need = f"the `{perm}` permission" if perm else "the permission for this"
    return AstraForbidden(
        f"Astra refused to {r.op}: the bot's Astra token lacks {need} (403).{r.said}",
        hint=(
            f"An Astra admin should add `{perm}` to the role of the bot's token." if perm else None
        ),
        **r.common,
    )


def _not_found(r: _Refusal) -> AstraError:
    return AstraNotFound(f"Astra could not {r.op}: it was not found (404).{r.said}", **r.common)


def _conflict(r: _Refusal) -> AstraError:
    if any(_EXISTS_RE.search(i.message) for i in r.items):
        # "Keyspace x already exists in the database.": a clash, not a state to wait out
        return AstraConflict(
            f"Astra refused to {r.op}: it already exists (409).{r.said}", exists=True, **r.common
        )
    if r.req.path.startswith("/v2/databases/"):
        return AstraConflict(
            f"Astra refused to {r.op}: the database is not in a valid state for this "
            f"operation (409).{r.said}",
            **r.common,
        )
    # outside databases a 409 is a clash (a role or address that exists already)
    return AstraConflict(
        f"Astra refused to {r.op}: it conflicts with what exists already (409).{r.said}",
        hint="Check the current state (list it) and try again.",
        **r.common,
    )


def _unprocessable(r: _Refusal) -> AstraError:
    return AstraUnprocessable(
        f"Astra refused to {r.op}: {r.reason or 'it could not process the values given'} (422).",
        **r.common,
    )


def _rate_limited(r: _Refusal) -> AstraError:
    retry_after = parse_retry_after(r.resp.header("retry-after"), r.now)
    wait = f" Try again in {retry_after:.0f} s." if retry_after else ""
    return AstraRateLimited(
        f"Astra is rate-limiting the bot and refused to {r.op} (429).{wait}",
        retry_after=retry_after,
        **r.common,
    )


#: The statuses that have a meaning of their own (the table in this package's docstring).
_BY_STATUS: Final[Mapping[int, Callable[[_Refusal], AstraError]]] = {
    400: _bad_request,
    401: _unauthorized,
    403: _forbidden,
    404: _not_found,
    409: _conflict,
    422: _unprocessable,
    429: _rate_limited,
}


def error_for(
    req: ApiRequest,
    resp: ApiResponse,
    *,
    secrets: Iterable[str] = (),
    now: datetime | None = None,
) -> AstraError:
    """The typed error for an answer that is not one of ``req.expect``."""
    status = resp.status
    items = parse_error_items(resp.body, tuple(secrets))
    said = _astra_said(items)
    op = req.operation
    common: dict[str, Any] = {"status_code": status, "errors": items, "operation": op}
    # for 400/422 Astra's own words are the reason, when it gives some
    reason = "; ".join(i.message.strip().rstrip(".") for i in items[:3] if i.message.strip())
    mapped = _BY_STATUS.get(status)
    if mapped is not None:
        return mapped(_Refusal(req, resp, items, said, reason, common, now))
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


def unreadable(
    req: ApiRequest, status: int, what: str = "not the expected shape"
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


def check(req: ApiRequest, resp: ApiResponse, **context: Any) -> None:
    """Raise the typed error (:func:`error_for` with ``context``: ``secrets``, ``now``)
    unless ``resp.status`` is one of ``req.expect``."""
    if resp.status not in req.expect:
        raise error_for(req, resp, **context)


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

"""The emulator's answer shapes: the Astra error body, empty answers, the request body."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Final

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from bot.astra.emulator.catalogue import ERR_INVALID_TOKEN

Handler = Callable[[Request, Any], Awaitable[Response]]


def _error(status: int, message: str, *, headers: Mapping[str, str] | None = None) -> Response:
    ident = ERR_INVALID_TOKEN if status == 401 else 1_000_000 + status
    return JSONResponse(
        {"errors": [{"ID": ident, "message": message}]}, status_code=status, headers=headers
    )


def _empty(status: int, headers: Mapping[str, str] | None = None) -> Response:
    return Response(status_code=status, headers=headers)


class _Invalid:
    """Marks a request body that is not JSON."""


_INVALID: Final = _Invalid()


async def _json_body(request: Request) -> Any:
    try:
        return await request.json()
    except ValueError:
        return None

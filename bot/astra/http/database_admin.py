"""PURE: a classic database's password reset, and a serverless database's engine type.

``resetPassword`` takes ``UserPassword`` ``{username, password}`` and answers 202 (409 when
the database is not in a state for it). The password travels only in this body: the
request's ``json`` is kept out of its repr (:class:`~bot.astra.http.base.ApiRequest`), the
transport logs no bodies, and an answer that echoed it is scrubbed of it (``secrets``).
``updateEngineType`` takes ``EngineType`` ``{engineType}``
and answers 202; the document: "only applicable to Astra DB Serverless databases".
"""

from __future__ import annotations

from dataclasses import replace
from typing import Final

from bot.astra.http.base import _DB, _WRITE_OK, ApiRequest, Endpoint
from bot.astra.models.admin import ENGINE_TYPES
from bot.errors import AstraBadRequest

#: The document: "New password (min 6 characters)".
MIN_PASSWORD_LEN: Final = 6


_RESET_SAYS: Final = "reset the password of `{username}` on database `{db_id}`"
_ENGINE_SAYS: Final = "set the engine type of database `{db_id}` to `{engine}`"
_RESET: Final = Endpoint("POST", f"{_DB}/resetPassword", "reset_password", _RESET_SAYS, _WRITE_OK)
_ENGINE: Final = Endpoint("PUT", f"{_DB}/engineType", "update_engine_type", _ENGINE_SAYS, _WRITE_OK)


def reset_password(db_id: str, username: str, password: str) -> ApiRequest:
    if not username.strip():
        raise AstraBadRequest("Name the database user whose password to reset.", status_code=None)
    if len(password) < MIN_PASSWORD_LEN:
        raise AstraBadRequest(
            f"A database password has at least {MIN_PASSWORD_LEN} characters.", status_code=None
        )
    req = _RESET(db_id, json={"username": username, "password": password}, username=username)
    return replace(req, secrets=(password,))


def update_engine_type(db_id: str, engine_type: str) -> ApiRequest:
    if engine_type not in ENGINE_TYPES:
        raise AstraBadRequest(
            f"`{engine_type}` is not an engine type: use {' or '.join(ENGINE_TYPES)}.",
            status_code=None,
        )
    return _ENGINE(db_id, json={"engineType": engine_type}, engine=engine_type)

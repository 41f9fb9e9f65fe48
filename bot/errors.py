"""The one error hierarchy of astra-bot.

Every error the bot raises on purpose derives from :class:`BotError` and carries a
``user_message``: a sentence fit to be shown to a Slack user (no stack trace, no secret),
plus an optional ``hint`` saying what to do next. Foreign exceptions (httpx, SQLAlchemy,
slack_sdk) are translated once, where they happen, with ``raise … from exc``.

    BotError
    ├── ConfigError            a setting is missing or malformed (startup, doctor)
    ├── UsageError             a command does not parse; carries "did you mean" suggestions
    ├── NotFound               a database/keyspace/region/… named by the user does not exist
    ├── Ambiguous              a database name matches several databases (lists them)
    ├── ConfirmationError      a confirmation is expired, already used, or not yours
    ├── StoreError             the bot's own database failed
    ├── SlackError             the Slack Web API failed
    └── AstraError             the DevOps API answered with an error, or could not be reached
        ├── AstraBadRequest        400
        ├── AstraUnauthorized      401 (the bot's token is invalid or expired)
        ├── AstraForbidden         403 (the bot's token lacks a permission)
        ├── AstraNotFound          404
        ├── AstraConflict          409 (not in a valid state; or ``exists`` already)
        ├── AstraUnprocessable     422
        ├── AstraRateLimited       429 (carries retry_after)
        ├── AstraServerError       5xx
        ├── AstraUnavailable       timeout / connection error (no HTTP answer)
        └── AstraUnreadable        a success status with a body the bot cannot read (empty,
                                   ``null``, the wrong JSON type, not JSON): never "nothing"
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypedDict, Unpack


class BotError(Exception):
    """Base of every error the bot means to show a user."""

    def __init__(self, user_message: str, *, hint: str | None = None) -> None:
        super().__init__(user_message)
        self.user_message = user_message
        self.hint = hint

    def __str__(self) -> str:
        return self.user_message if not self.hint else f"{self.user_message} {self.hint}"


class ConfigError(BotError):
    """A setting is missing or malformed."""


class UsageError(BotError):
    """The command text does not parse. ``usage`` is the command's synopsis when known."""

    def __init__(
        self,
        user_message: str,
        *,
        usage: str | None = None,
        suggestions: Sequence[str] = (),
        hint: str | None = None,
    ) -> None:
        super().__init__(user_message, hint=hint)
        self.usage = usage
        self.suggestions = tuple(suggestions)


class NotFound(BotError):
    """Something the user named does not exist."""


@dataclass(frozen=True)
class Candidate:
    id: str
    name: str
    status: str
    region: str


class Ambiguous(BotError):
    """A database name matches more than one database."""

    def __init__(self, name: str, candidates: Sequence[Candidate]) -> None:
        # the candidates are shown once, by the renderer, one per line
        super().__init__(
            f"`{name}` matches {len(candidates)} databases.",
            hint="Use the database id instead of its name.",
        )
        self.name = name
        self.candidates = tuple(candidates)


class ConfirmationError(BotError):
    """A confirmation cannot be used (expired, already decided, unknown)."""


class StoreError(BotError):
    """The bot's own database failed."""


class SlackError(BotError):
    """The Slack Web API failed."""


@dataclass(frozen=True)
class ApiErrorItem:
    """One entry of the DevOps API error body ``{"errors":[{"ID": 123, "message": "…"}]}``."""

    id: int | str | None
    message: str


class AstraDetails(TypedDict, total=False):
    """What every :class:`AstraError` may carry besides its message (its keywords)."""

    status_code: int | None
    errors: Sequence[ApiErrorItem]
    operation: str | None
    hint: str | None


class AstraError(BotError):
    """The DevOps API answered with an error, or could not be reached."""

    status_code: int | None = None
    default_hint: str | None = None

    def __init__(
        self,
        user_message: str,
        *,
        status_code: int | None = None,
        errors: Sequence[ApiErrorItem] = (),
        operation: str | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(user_message, hint=hint if hint is not None else self.default_hint)
        if status_code is not None:
            self.status_code = status_code
        self.errors = tuple(errors)
        self.operation = operation


class AstraBadRequest(AstraError):
    status_code = 400
    default_hint = "Check the values you gave; `/astra help` shows the usage."


class AstraUnauthorized(AstraError):
    status_code = 401
    default_hint = (
        "The bot's Astra token is invalid or expired: an admin should set a valid "
        "`ASTRA_DB_APPLICATION_TOKEN` (AstraCS:…)."
    )


class AstraForbidden(AstraError):
    status_code = 403
    default_hint = (
        "The bot's Astra token lacks this permission: give its role the permission named."
    )


class AstraNotFound(AstraError):
    status_code = 404


class AstraConflict(AstraError):
    """409: the database is not in a valid state, or (``exists``) what was asked for exists
    already — a keyspace, a region, a role — which no waiting changes."""

    status_code = 409
    default_hint = "Wait until the database is ACTIVE, then try again."

    def __init__(
        self, user_message: str, *, exists: bool = False, **details: Unpack[AstraDetails]
    ) -> None:
        super().__init__(user_message, **details)
        self.exists = exists
        if exists and details.get("hint") is None:
            self.hint = None  # no waiting makes it go away


class AstraUnprocessable(AstraError):
    status_code = 422
    default_hint = "Astra could not process these values; check names and options."


class AstraRateLimited(AstraError):
    status_code = 429
    default_hint = "Astra is rate-limiting the bot; try again in a moment."

    def __init__(
        self,
        user_message: str,
        *,
        retry_after: float | None = None,
        **details: Unpack[AstraDetails],
    ) -> None:
        super().__init__(user_message, **details)
        self.retry_after = retry_after


class AstraServerError(AstraError):
    status_code = 500
    default_hint = "Astra had an internal error; try again later."


class AstraUnavailable(AstraError):
    default_hint = "Astra could not be reached; try again later."


class AstraUnreadable(AstraError):
    """Astra answered with a success status but a body the bot could not read."""

    default_hint = "Try again; if it keeps happening the Astra API may have changed."

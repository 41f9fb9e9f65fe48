"""The closed vocabularies of the store's rows: what an operation is and where it stands.

Values are the strings already stored (no data migration); being ``StrEnum``s, they compare
equal to those strings, so a row read back as ``str`` and an enum member are the same value.
"""

from __future__ import annotations

from enum import StrEnum


class OperationKind(StrEnum):
    """What a followed operation does to a database (``operations.kind``)."""

    CREATE = "create"
    TERMINATE = "terminate"
    PARK = "park"
    UNPARK = "unpark"
    RESIZE = "resize"
    KEYSPACE_CREATE = "keyspace_create"
    KEYSPACE_DELETE = "keyspace_delete"
    REGION_ADD = "region_add"
    REGION_REMOVE = "region_remove"


class OperationState(StrEnum):
    """Where an operation stands (``operations.state``).

    ``SENDING`` is written before an Astra call whose outcome is not yet known (a create the
    watcher reconciles by name, bot/watcher/reconcile.py); ``RETRYING`` marks a terminate
    Astra refused (409) while the database was busy, which the watcher sends again once the
    database can take it. Both end in ``PENDING`` once Astra took the request.
    """

    SENDING = "sending"
    RETRYING = "retrying"
    PENDING = "pending"
    DONE = "done"
    FAILED = "failed"
    TIMED_OUT = "timed_out"
    UNKNOWN = "unknown"

    @property
    def is_open(self) -> bool:
        """Still followed by the watcher."""
        return self in OPEN_STATES


#: The states of an operation still followed; every query for unfinished operations uses it.
OPEN_STATES: tuple[OperationState, ...] = (
    OperationState.PENDING,
    OperationState.SENDING,
    OperationState.RETRYING,
)

#: The states of an operation whose request Astra has not (yet) taken.
UNSENT_STATES: tuple[OperationState, ...] = (OperationState.SENDING, OperationState.RETRYING)


class NoticeState(StrEnum):
    """Where an outbox notice stands (``notices.state``)."""

    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


class ConfirmationState(StrEnum):
    """Where a confirmation stands (``confirmations.state``); it leaves PENDING once."""

    PENDING = "pending"
    CONFIRMED = "confirmed"
    CANCELLED = "cancelled"
    EXPIRED = "expired"

"""SQLAlchemy 2 models of the bot's own store (SQLite or PostgreSQL).

Times are UNIX epoch seconds (float, UTC) everywhere: they compare the same way in SQLite
and PostgreSQL and need no timezone handling. Nothing secret is stored here: no Astra token,
no token secret, no bundle URL (DESIGN §3).

Operations, confirmations and subscriptions carry the Astra organization id (DESIGN §5);
a binding may be scoped to one configured org by name, a channel uses one org by name
(``org use``), and an audit row names the org its command ran in.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    ColumnElement,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from bot.store.enums import OPEN_STATES, ConfirmationState, NoticeState, OperationState

# A naming convention so that Alembic can name (and later alter or drop) constraints the
# same way on every backend.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Stamped:
    """Columns of a row someone made on purpose: who (a Slack user id, or ``cli``) and when."""

    created_by: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[float] = mapped_column(Float)


class RoleBinding(Stamped, Base):
    """A role granted to a Slack user, usergroup or channel, optionally scoped by a glob."""

    __tablename__ = "role_bindings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    subject_type: Mapped[str] = mapped_column(String(16))  # user | usergroup | channel
    subject_id: Mapped[str] = mapped_column(String(32), index=True)
    role: Mapped[str] = mapped_column(String(64))
    db_glob: Mapped[str] = mapped_column(String(128), default="")  # "" = every database
    #: the configured org (by name) the binding holds in; None = every org (DESIGN §3)
    org: Mapped[str | None] = mapped_column(String(32), nullable=True)


# One binding per subject, role, glob and org scope. An expression index, because "every
# org" is NULL and NULLs never collide in a plain unique constraint: granting the same
# unscoped role twice must still be a no-op (INSERT … ON CONFLICT DO NOTHING).
Index(
    "uq_role_bindings_scope",
    RoleBinding.subject_type,
    RoleBinding.subject_id,
    RoleBinding.role,
    RoleBinding.db_glob,
    func.coalesce(RoleBinding.org, ""),
    unique=True,
)


class CustomRole(Stamped, Base):
    __tablename__ = "custom_roles"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    permissions: Mapped[str] = mapped_column(Text)  # space-separated permission patterns


class ChannelGuard(Stamped, Base):
    __tablename__ = "channel_guards"

    channel_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    role: Mapped[str] = mapped_column(String(64))


class ProtectedGlob(Stamped, Base):
    __tablename__ = "protected_globs"

    glob: Mapped[str] = mapped_column(String(128), primary_key=True)


class RulesVersion(Base):
    """One row whose ``version`` changes with every write to the four tables above, bumped
    by triggers in the store itself (migration 0002), whoever writes: this process, another
    replica, ``astra-bot perm import`` or an operator's SQL. A process re-reads the rules
    only when it changes (one small SELECT per command instead of four)."""

    __tablename__ = "rules_version"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    version: Mapped[int] = mapped_column(Integer, default=0)


class Operation(Base):
    """A long Astra operation the watcher follows to its end (DESIGN §4)."""

    __tablename__ = "operations"
    __table_args__ = (Index("ix_operations_due", "state", "next_check_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    org_id: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(32))  # an OperationKind
    database_id: Mapped[str] = mapped_column(String(64), index=True)
    database_name: Mapped[str] = mapped_column(String(128))
    target_status: Mapped[str] = mapped_column(String(32))
    state: Mapped[str] = mapped_column(String(16), default=OperationState.PENDING)
    last_status: Mapped[str | None] = mapped_column(String(32), nullable=True)
    channel_id: Mapped[str] = mapped_column(String(32))
    thread_ts: Mapped[str | None] = mapped_column(String(32), nullable=True)
    message_ts: Mapped[str | None] = mapped_column(String(32), nullable=True)
    requester_id: Mapped[str] = mapped_column(String(32))
    correlation_id: Mapped[str] = mapped_column(String(36))
    detail: Mapped[str] = mapped_column(Text, default="{}")  # JSON: region, keyspace, …
    created_at: Mapped[float] = mapped_column(Float)
    updated_at: Mapped[float] = mapped_column(Float)
    deadline_at: Mapped[float] = mapped_column(Float)
    next_check_at: Mapped[float] = mapped_column(Float)
    finished_at: Mapped[float | None] = mapped_column(Float, nullable=True)
    lease_owner: Mapped[str | None] = mapped_column(String(64), nullable=True)
    lease_until: Mapped[float | None] = mapped_column(Float, nullable=True)


def open_operation() -> ColumnElement[bool]:
    return Operation.state.in_(OPEN_STATES)


class Notice(Base):
    """Outbox of channel messages: written with the state change, delivered once."""

    __tablename__ = "notices"
    __table_args__ = (Index("ix_notices_due", "state", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    dedupe_key: Mapped[str] = mapped_column(String(128), unique=True)
    org_id: Mapped[str] = mapped_column(String(64))
    channel_id: Mapped[str] = mapped_column(String(32))
    thread_ts: Mapped[str | None] = mapped_column(String(32), nullable=True)
    broadcast: Mapped[bool] = mapped_column(Boolean, default=False)
    text: Mapped[str] = mapped_column(Text)
    blocks: Mapped[str] = mapped_column(Text, default="[]")  # JSON
    state: Mapped[str] = mapped_column(String(16), default=NoticeState.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(String(255), nullable=True)
    created_at: Mapped[float] = mapped_column(Float)
    next_attempt_at: Mapped[float] = mapped_column(Float)
    sent_at: Mapped[float | None] = mapped_column(Float, nullable=True)
    message_ts: Mapped[str | None] = mapped_column(String(32), nullable=True)
    lease_owner: Mapped[str | None] = mapped_column(String(64), nullable=True)
    lease_until: Mapped[float | None] = mapped_column(Float, nullable=True)


class Confirmation(Base):
    """A pending destructive command; single-use (state changes atomically once)."""

    __tablename__ = "confirmations"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    org_id: Mapped[str] = mapped_column(String(64))
    command: Mapped[str] = mapped_column(Text)  # canonical command text, re-parsed on confirm
    permission: Mapped[str] = mapped_column(String(64))
    database_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    database_name: Mapped[str | None] = mapped_column(String(128), nullable=True)
    requester_id: Mapped[str] = mapped_column(String(32))
    channel_id: Mapped[str] = mapped_column(String(32))
    thread_ts: Mapped[str | None] = mapped_column(String(32), nullable=True)
    message_ts: Mapped[str | None] = mapped_column(String(32), nullable=True)
    needs_approval: Mapped[bool] = mapped_column(Boolean, default=False)
    state: Mapped[str] = mapped_column(String(16), default=ConfirmationState.PENDING)
    correlation_id: Mapped[str] = mapped_column(String(36))
    created_at: Mapped[float] = mapped_column(Float)
    expires_at: Mapped[float] = mapped_column(Float)
    decided_by: Mapped[str | None] = mapped_column(String(32), nullable=True)
    decided_at: Mapped[float | None] = mapped_column(Float, nullable=True)


class Subscription(Stamped, Base):
    """`/astra watch`: a channel told of every status change of a database (or all)."""

    __tablename__ = "subscriptions"
    __table_args__ = (UniqueConstraint("channel_id", "database_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    org_id: Mapped[str] = mapped_column(String(64))
    channel_id: Mapped[str] = mapped_column(String(32))
    database_id: Mapped[str] = mapped_column(String(64))  # "*" = every database
    database_name: Mapped[str] = mapped_column(String(128))
    last_statuses: Mapped[str] = mapped_column(Text, default="{}")  # JSON db id -> status


class AuditEntry(Base):
    """Append-only: every command, decision and outcome. Secrets are redacted before."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[float] = mapped_column(Float, index=True)
    correlation_id: Mapped[str] = mapped_column(String(36), index=True)
    org_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    actor_id: Mapped[str] = mapped_column(String(32), index=True)
    channel_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    source: Mapped[str] = mapped_column(String(16))  # command | click | cli | watcher
    command: Mapped[str] = mapped_column(Text)
    permission: Mapped[str | None] = mapped_column(String(64), nullable=True)
    database: Mapped[str | None] = mapped_column(String(128), nullable=True)
    decision: Mapped[str] = mapped_column(String(16))  # allow|deny|confirm|approve|error|…
    reason: Mapped[str] = mapped_column(Text, default="")
    astra_request: Mapped[str | None] = mapped_column(Text, nullable=True)
    outcome: Mapped[str] = mapped_column(Text, default="")
    duration_ms: Mapped[int | None] = mapped_column(Integer, nullable=True)
    #: the configured org (by name) the command ran in; None before several orgs existed
    org: Mapped[str | None] = mapped_column(String(32), nullable=True)


class SeenEvent(Base):
    """Slack deliveries already handled, by key: an Events API event id, or the hash of a
    signed request's timestamp and signature (replays and retries run once). The column
    keeps its first name, ``event_id``."""

    __tablename__ = "seen_events"

    event_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    seen_at: Mapped[float] = mapped_column(Float, index=True)


class ChannelOrg(Base):
    """The org a channel's commands go to (`/astra org use`); a channel without a row uses
    ``ASTRA_BOT_DEFAULT_ORG``. The org is kept by its configured name: what `--org` takes."""

    __tablename__ = "channel_orgs"

    channel_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    org: Mapped[str] = mapped_column(String(32))
    set_by: Mapped[str] = mapped_column(String(32))
    set_at: Mapped[float] = mapped_column(Float)

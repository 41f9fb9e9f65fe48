"""PURE: the values Astra is known to send: statuses, actions, clouds, permissions."""

from __future__ import annotations

from typing import Final


class DbStatus:
    """Known database statuses, as string constants (not an Enum: the set is open)."""

    ACTIVE: Final = "ACTIVE"
    ASSOCIATING: Final = "ASSOCIATING"
    DECOMMISSIONING: Final = "DECOMMISSIONING"
    DEGRADED: Final = "DEGRADED"
    ERROR: Final = "ERROR"
    HIBERNATED: Final = "HIBERNATED"
    HIBERNATING: Final = "HIBERNATING"
    INITIALIZING: Final = "INITIALIZING"
    MAINTENANCE: Final = "MAINTENANCE"
    PARKED: Final = "PARKED"
    PARKING: Final = "PARKING"
    PENDING: Final = "PENDING"
    PLACING: Final = "PLACING"
    PREPARED: Final = "PREPARED"
    PREPARING: Final = "PREPARING"
    RESIZING: Final = "RESIZING"
    RESUMING: Final = "RESUMING"
    SUSPENDED: Final = "SUSPENDED"
    SYNCHRONIZING: Final = "SYNCHRONIZING"
    TERMINATED: Final = "TERMINATED"
    TERMINATING: Final = "TERMINATING"
    UNKNOWN: Final = "UNKNOWN"
    UNPARKING: Final = "UNPARKING"


KNOWN_STATUSES: Final[frozenset[str]] = frozenset(
    v for k, v in vars(DbStatus).items() if k.isupper() and isinstance(v, str)
)


#: Statuses that are on the way to another one (NOTES.md §5, "Suggested bot policy").
TRANSITIONAL_STATUSES: Final[frozenset[str]] = frozenset(
    {
        "PENDING",
        "PREPARING",
        "PREPARED",
        "INITIALIZING",
        "ASSOCIATING",
        "PLACING",
        "MAINTENANCE",
        "RESIZING",
        "PARKING",
        "UNPARKING",
        "HIBERNATING",
        "RESUMING",
        "SYNCHRONIZING",
        "TERMINATING",
        "DECOMMISSIONING",
    }
)


#: Statuses a long operation can end in badly (ERROR; TERMINATED when creating).
FAILED_STATUSES: Final[frozenset[str]] = frozenset({"ERROR", "TERMINATED"})


#: Statuses that say nothing certain: warn, keep polling (NOTES.md §5).
UNCERTAIN_STATUSES: Final[frozenset[str]] = frozenset({"UNKNOWN", "DEGRADED"})


def is_transitional(status: str) -> bool:
    """True when ``status`` is a known in-progress status (PENDING, MAINTENANCE, …)."""
    return status.upper() in TRANSITIONAL_STATUSES


#: ``availableActions`` values known from the Go spec and the real fixture (open set).
KNOWN_ACTIONS: Final[frozenset[str]] = frozenset(
    {
        "park",
        "unpark",
        "resize",
        "resetPassword",
        "addKeyspace",
        "addDatacenters",
        "terminateDatacenter",
        "getCreds",
        "terminate",
        "removeKeyspace",
        "addTable",
        "removeMigrationProxy",
        "launchMigrationProxy",
        "migrateServerlessTenant",
        "suspend",
        "createServerlessMigrationProxy",
        "removeServerlessMigrationProxy",
        "hibernate",
        "setEngineType",
        "getVectorAgentConfig",
        "updateVectorAgent",
        "cloneDatabaseFromSnapshot",
        "migrate",
    }
)


CLOUD_PROVIDERS: Final[tuple[str, ...]] = ("GCP", "AWS", "AZURE")


#: Telemetry export kinds, spelled as the official spec's configureTelemetry body keys
#: (NOTES.md §1e; note the capital D of ``Datadog``).
TELEMETRY_KINDS: Final[tuple[str, ...]] = (
    "prometheus_remote",
    "Datadog",
    "splunk",
    "kafka",
    "pulsar",
    "cloudwatch",
)


#: Astra role permissions ("actions"): the official spec's ``PolicyAction`` enum plus the
#: ones real default roles carry (fixtures-astra-cli/Roles.json) that the enum misses.
ASTRA_PERMISSIONS: Final[frozenset[str]] = frozenset(
    {
        # official spec Policy.actions enum
        "db-all-keyspace-create",
        "db-all-keyspace-describe",
        "db-cql",
        "db-graphql",
        "db-keyspace-alter",
        "db-keyspace-authorize",
        "db-keyspace-create",
        "db-keyspace-describe",
        "db-keyspace-drop",
        "db-keyspace-grant",
        "db-keyspace-modify",
        "db-rest",
        "db-table-alter",
        "db-table-authorize",
        "db-table-create",
        "db-table-describe",
        "db-table-drop",
        "db-table-grant",
        "db-table-modify",
        "db-table-select",
        "db-manage-thirdpartymetrics",
        "org-audits-read",
        "org-billing-read",
        "org-billing-write",
        "org-db-addpeering",
        "org-db-create",
        "org-db-expand",
        "org-db-passwordreset",
        "org-db-suspend",
        "org-db-terminate",
        "org-db-view",
        "org-external-auth-read",
        "org-external-auth-write",
        "org-notification-write",
        "org-read",
        "org-role-delete",
        "org-role-read",
        "org-role-write",
        "org-token-read",
        "org-token-write",
        "org-user-read",
        "org-user-write",
        "org-write",
        # seen in real roles (Roles.json) and in the spec's security scopes
        "accesslist-read",
        "accesslist-write",
        "org-cmk-read",
        "org-cmk-write",
        "org-db-managemigratorproxy",
        "org-db-readpeering",
        "org-stream-manage",
        "org-integrations-read",
        "org-integrations-write",
        "db-manage-privateendpoint",
        "db-manage-region",
        "db-data-import",
    }
)

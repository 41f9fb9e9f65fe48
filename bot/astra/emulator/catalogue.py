"""The emulator's fixed data: tokens, error IDs, regions, tiers, statuses, seed roles."""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Mapping
from typing import Final

#: The default accepted bearer token of a sandbox (not a secret: it only opens the emulator).
SANDBOX_TOKEN: Final = (
    "AstraCS:sandbox:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
)
SANDBOX_CLIENT_ID: Final = "sandboxClientId000000000"
#: The name of the emulator's first organization when no names are given.
SANDBOX_ORG: Final = "sandbox"
ZERO_TIME: Final = "0001-01-01T00:00:00Z"  # Go's zero time, as the real API sends it


def org_token(name: str) -> str:
    """The deterministic bearer token of the emulated org ``name`` (``AstraCS:<name>:<hex>``,
    the shape bot/settings.py checks); the sandbox org's is :data:`SANDBOX_TOKEN`."""
    if name == SANDBOX_ORG:
        return SANDBOX_TOKEN
    return f"AstraCS:{name}:{hashlib.sha256(name.encode()).hexdigest()}"


def org_id_of(name: str) -> str:
    """The deterministic organization id of a further emulated org ``name``."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"astra-emulator:org:{name}"))


#: The real "invalid token" error ID (NOTES.md §4, Java AstraDBOpsClient).
ERR_INVALID_TOKEN: Final = 340018


# --------------------------------------------------------------------------------------
# Region catalogue: (cloud, name, displayName, zone, classification, vector)
# --------------------------------------------------------------------------------------

REGIONS: Final[tuple[tuple[str, str, str, str, str, bool], ...]] = (
    ("GCP", "us-east1", "Moncks Corner, South Carolina", "na", "standard", True),
    ("GCP", "us-east4", "Ashburn, Northern Virginia", "na", "standard", True),
    ("GCP", "us-central1", "Council Bluffs, Iowa", "na", "standard", True),
    ("GCP", "us-west1", "The Dalles, Oregon", "na", "standard", False),
    ("GCP", "northamerica-northeast1", "Montréal, Québec", "na", "standard", False),
    ("GCP", "southamerica-east1", "Osasco, São Paulo", "sa", "premium", False),
    ("GCP", "europe-west1", "St. Ghislain, Belgium", "emea", "standard", True),
    ("GCP", "europe-west2", "London, England", "emea", "premium", False),
    ("GCP", "europe-west3", "Frankfurt, Germany", "emea", "premium", False),
    ("GCP", "europe-west4", "Eemshaven, Netherlands", "emea", "standard", False),
    ("GCP", "europe-north1", "Hamina, Finland", "emea", "standard", False),
    ("GCP", "asia-south1", "Mumbai, India", "apac", "standard", True),
    ("GCP", "asia-northeast1", "Tokyo, Japan", "apac", "premium", False),
    ("GCP", "asia-southeast1", "Jurong West, Singapore", "apac", "premium", False),
    ("GCP", "australia-southeast1", "Sydney, Australia", "apac", "premium", False),
    ("AWS", "us-east-1", "US East (N. Virginia)", "na", "standard", True),
    ("AWS", "us-east-2", "US East (Ohio)", "na", "standard", True),
    ("AWS", "us-west-2", "US West (Oregon)", "na", "standard", True),
    ("AWS", "us-west-1", "US West (N. California)", "na", "premium", False),
    ("AWS", "ca-central-1", "Canada (Central)", "na", "standard", False),
    ("AWS", "sa-east-1", "South America (São Paulo)", "sa", "premium_plus", False),
    ("AWS", "eu-west-1", "Europe (Ireland)", "emea", "standard", True),
    ("AWS", "eu-west-2", "Europe (London)", "emea", "premium", False),
    ("AWS", "eu-central-1", "Europe (Frankfurt)", "emea", "premium", True),
    ("AWS", "eu-north-1", "Europe (Stockholm)", "emea", "standard", False),
    ("AWS", "ap-south-1", "Asia Pacific (Mumbai)", "apac", "standard", True),
    ("AWS", "ap-southeast-1", "Asia Pacific (Singapore)", "apac", "premium", False),
    ("AWS", "ap-southeast-2", "Asia Pacific (Sydney)", "apac", "premium", False),
    ("AWS", "ap-northeast-1", "Asia Pacific (Tokyo)", "apac", "premium", False),
    ("AZURE", "eastus", "East US (Virginia)", "na", "standard", True),
    ("AZURE", "eastus2", "East US 2 (Virginia)", "na", "standard", False),
    ("AZURE", "westus2", "West US 2 (Washington)", "na", "standard", True),
    ("AZURE", "centralus", "Central US (Iowa)", "na", "standard", False),
    ("AZURE", "canadacentral", "Canada Central (Toronto)", "na", "standard", False),
    ("AZURE", "brazilsouth", "Brazil South (São Paulo State)", "sa", "premium_plus", False),
    ("AZURE", "westeurope", "West Europe (Netherlands)", "emea", "standard", True),
    ("AZURE", "northeurope", "North Europe (Ireland)", "emea", "standard", False),
    ("AZURE", "uksouth", "UK South (London)", "emea", "premium", False),
    ("AZURE", "francecentral", "France Central (Paris)", "emea", "premium", False),
    ("AZURE", "germanywestcentral", "Germany West Central (Frankfurt)", "emea", "premium", False),
    ("AZURE", "centralindia", "Central India (Pune)", "apac", "standard", False),
    ("AZURE", "southeastasia", "Southeast Asia (Singapore)", "apac", "premium", False),
    ("AZURE", "japaneast", "Japan East (Tokyo, Saitama)", "apac", "premium", False),
    ("AZURE", "australiaeast", "Australia East (New South Wales)", "apac", "premium", False),
)
_REGION_INDEX: Final = {(c, n): (c, n, d, z, k, v) for c, n, d, z, k, v in REGIONS}

# DatabaseInfoCreate.tier enum (official) plus the Go spec's classic tiers
_TIERS: Final = frozenset(
    {
        "developer",
        "serverless",
        "C10",
        "C20",
        "C40",
        "D10",
        "D20",
        "D40",
        "A5",
        "A10",
        "A20",
        "A40",
        "cloudnative",
    }
)
_STATUSES: Final = frozenset(
    {
        "ACTIVE",
        "ASSOCIATING",
        "DECOMMISSIONING",
        "DEGRADED",
        "ERROR",
        "HIBERNATED",
        "HIBERNATING",
        "INITIALIZING",
        "MAINTENANCE",
        "PARKED",
        "PARKING",
        "PENDING",
        "PLACING",
        "PREPARED",
        "PREPARING",
        "RESIZING",
        "RESUMING",
        "SUSPENDED",
        "SUSPENDING",
        "SYNCHRONIZING",
        "TERMINATED",
        "TERMINATING",
        "UNKNOWN",
        "UNPARKING",
    }
)
_TERMINATABLE: Final = frozenset(
    {
        "ACTIVE",
        "PARKED",
        "ERROR",
        "HIBERNATED",
        "SUSPENDED",
        "PENDING",
        "INITIALIZING",
        "PREPARED",
        "UNKNOWN",
        "DEGRADED",
    }
)
_KEYSPACE_RE: Final = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,47}$")
# AddressRequest.address pattern (official spec)
_ADDRESS_RE: Final = re.compile(r"^([0-9]{1,3}\.){3}[0-9]{1,3}(/([0-9]|[1-2][0-9]|3[0-2]))?$")
_EMAIL_RE: Final = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

# Required keys of each telemetry block (official spec *TelemetryRequestBlock schemas)
_TELEMETRY_REQUIRED: Final[Mapping[str, tuple[str, ...]]] = {
    "kafka": ("bootstrap_servers", "topic", "sasl_mechanism", "sasl_username", "sasl_password"),
    "prometheus_remote": ("endpoint", "auth_strategy"),
    "Datadog": ("api_key",),
    "cloudwatch": ("access_key", "secret_key", "region"),
    "splunk": ("endpoint", "index", "token"),
    "pulsar": ("endpoint", "topic", "auth_strategy"),
}
_TELEMETRY_STRATEGIES: Final[Mapping[str, Mapping[str, tuple[str, ...]]]] = {
    "prometheus_remote": {"basic": ("user", "password"), "bearer": ("token",)},
    "pulsar": {"token": ("token",), "oauth2": ("oauth2_credentials_url", "oauth2_issuer_url")},
}

# --------------------------------------------------------------------------------------
# Seed roles (fixtures-astra-cli/Roles.json shapes; ids of the fixture where it has them)
# --------------------------------------------------------------------------------------

_READ_DATA: Final = (
    "db-all-keyspace-describe",
    "db-keyspace-describe",
    "db-table-select",
    "db-table-describe",
    "db-graphql",
    "db-rest",
    "db-cql",
)
_WRITE_DATA: Final = (
    "db-table-modify",
    "db-table-create",
    "db-table-alter",
    "db-table-drop",
    "db-keyspace-create",
    "db-keyspace-drop",
    "db-keyspace-alter",
    "db-keyspace-modify",
    "db-all-keyspace-create",
)
_DB_ADMIN: Final = (
    "org-db-create",
    "org-db-terminate",
    "org-db-expand",
    "org-db-suspend",
    "org-db-view",
    "org-db-passwordreset",
    "org-db-addpeering",
    "db-manage-region",
    "db-manage-privateendpoint",
    "db-manage-thirdpartymetrics",
    "accesslist-read",
    "accesslist-write",
)
_ORG_ADMIN_ONLY: Final = (
    "org-read",
    "org-write",
    "org-audits-read",
    "org-cmk-read",
    "org-cmk-write",
    "org-role-read",
    "org-role-write",
    "org-role-delete",
    "org-external-auth-read",
    "org-external-auth-write",
    "org-notification-write",
    "org-token-read",
    "org-token-write",
    "org-billing-read",
    "org-billing-write",
    "org-user-read",
    "org-user-write",
    "org-db-managemigratorproxy",
    "org-integrations-read",
    "org-integrations-write",
    "org-stream-manage",
    "db-data-import",
    "db-keyspace-grant",
    "db-keyspace-authorize",
    "db-table-grant",
    "db-table-authorize",
)

ORG_ADMIN_ROLE_ID: Final = "ad0566b5-2a67-49de-89e8-92258c2f2c98"
DB_ADMIN_ROLE_ID: Final = "1faa93f2-b889-4190-9585-4bc6e3c3595a"
READ_ONLY_ROLE_ID: Final = "8f5ea4a7-1c4b-4a3b-9c55-4ac1b7e6b9a4"

_SEED_ROLES: Final[tuple[tuple[str, str, tuple[str, ...]], ...]] = (
    (
        ORG_ADMIN_ROLE_ID,
        "Organization Administrator",
        (*_ORG_ADMIN_ONLY, *_DB_ADMIN, *_READ_DATA, *_WRITE_DATA),
    ),
    (
        DB_ADMIN_ROLE_ID,
        "Database Administrator",
        ("org-read", *_DB_ADMIN, *_READ_DATA, *_WRITE_DATA),
    ),
    (
        READ_ONLY_ROLE_ID,
        "Read Only User",
        ("org-read", "org-db-view", "accesslist-read", *_READ_DATA),
    ),
    (
        "2c4e8d1a-6b3f-4f0e-8a7d-5e9c1b2a3f40",
        "User Administrator",
        ("org-read", "org-user-read", "org-user-write", "org-role-read"),
    ),
    (
        "b4ed0e9e-67e8-47b6-8b58-c6629be961a9",
        "R/W Svc Acct",
        ("accesslist-read", *_READ_DATA, "db-table-modify"),
    ),
    ("16a4b1d7-a615-41f8-95ca-52b0280f4d77", "RO Svc Acct", ("accesslist-read", *_READ_DATA)),
)

#: Actions a role may carry (PolicyAction enum ∪ those of real roles).
_KNOWN_ACTIONS: Final = frozenset(a for _, _, acts in _SEED_ROLES for a in acts) | frozenset(
    {"org-db-readpeering"}
)

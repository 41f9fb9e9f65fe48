"""Typed models of the Astra DevOps API v2 payloads.

Contract:

- Models are *tolerant readers*. Unknown fields are kept (``extra="allow"``) and never
  crash; enumerations the API is known to extend (database ``status``,
  ``availableActions``, tiers, roles' actions) are plain ``str`` (an open set), with the
  known values given as constants below (NOTES.md §2).
- Keys are read case- and underscore-insensitively: the spec says ``id/name/policy`` and
  ``userID/email/status/roles`` but the Java SDK (and the astra-cli fixtures Roles.json,
  Users.json) use ``ID/Name/Policy`` and ``UserID/Email/Status/Roles`` (NOTES.md §1b), so
  ``ID``, ``Id``, ``id`` and ``i_d`` all land on the ``id`` field.
- ``null`` where a list is expected reads as an empty list (the real API sends
  ``"additionalKeyspaces": null``; fixture Databases.json).
- Secrets never show in ``repr``/``str``: :class:`CreatedToken` keeps ``secret`` and
  ``token`` as :class:`pydantic.SecretStr`; signed secure-bundle URLs are left out of the
  ``repr`` of :class:`SecureBundle` and :class:`Datacenter`.
- :class:`CreateDatabase` is the one model written to the wire; its :meth:`to_json` gives
  the camelCase body of ``POST /v2/databases`` (``DatabaseInfoCreate``, NOTES.md §3).
  Values it refuses raise :class:`~bot.errors.UsageError`, never pydantic's
  ``ValidationError``: the parser checks every value first, this is the last line of
  defence, so that no traceback reaches a user (answers are read in bot.astra.http).

One module per API group; ``from bot.astra.models import X`` reaches every model.
"""

from __future__ import annotations

from bot.astra.models.access import (
    AccessList,
    AccessListAddress,
    AccessListConfigurations,
    SecureBundle,
)
from bot.astra.models.admin import (
    ENGINE_TYPES,
    AccessListValidation,
    AddressEntry,
    DevOpsAccessList,
    DevOpsAclAddress,
    EntryDiff,
    diff_entries,
    excluded,
)
from bot.astra.models.base import ApiModel, NullableList
from bot.astra.models.databases import (
    SERVERLESS_TIERS,
    CreateDatabase,
    Database,
    DatabaseInfo,
    Datacenter,
    RequestModel,
    Storage,
    is_classic_tier,
)
from bot.astra.models.iam import (
    CreatedToken,
    Organization,
    OrganizationUsers,
    Policy,
    Role,
    Token,
    User,
)
from bot.astra.models.keys import KMS_PROVIDERS, CloudAccount, CustomerKey
from bot.astra.models.peering import PEERING_FIELDS, PEERING_PATTERNS, Vpc, VpcConnection
from bot.astra.models.private_link import (
    ENDPOINT_STATUSES,
    PrivateLinkCluster,
    PrivateLinkDatacenter,
    PrivateLinkEndpoint,
    PrivateLinkService,
    is_domain,
)
from bot.astra.models.regions import AvailableRegion, ServerlessRegion
from bot.astra.models.telemetry import canonical_telemetry_kind
from bot.astra.models.vocabulary import (
    ASTRA_PERMISSIONS,
    CLOUD_PROVIDERS,
    FAILED_STATUSES,
    KNOWN_ACTIONS,
    KNOWN_STATUSES,
    TELEMETRY_KINDS,
    TRANSITIONAL_STATUSES,
    UNCERTAIN_STATUSES,
    DbStatus,
    is_transitional,
)

__all__ = [
    "ASTRA_PERMISSIONS",
    "CLOUD_PROVIDERS",
    "ENDPOINT_STATUSES",
    "ENGINE_TYPES",
    "FAILED_STATUSES",
    "KMS_PROVIDERS",
    "KNOWN_ACTIONS",
    "KNOWN_STATUSES",
    "PEERING_FIELDS",
    "PEERING_PATTERNS",
    "SERVERLESS_TIERS",
    "TELEMETRY_KINDS",
    "TRANSITIONAL_STATUSES",
    "UNCERTAIN_STATUSES",
    "AccessList",
    "AccessListAddress",
    "AccessListConfigurations",
    "AccessListValidation",
    "AddressEntry",
    "ApiModel",
    "AvailableRegion",
    "CloudAccount",
    "CreateDatabase",
    "CreatedToken",
    "CustomerKey",
    "Database",
    "DatabaseInfo",
    "Datacenter",
    "DbStatus",
    "DevOpsAccessList",
    "DevOpsAclAddress",
    "EntryDiff",
    "NullableList",
    "Organization",
    "OrganizationUsers",
    "Policy",
    "PrivateLinkCluster",
    "PrivateLinkDatacenter",
    "PrivateLinkEndpoint",
    "PrivateLinkService",
    "RequestModel",
    "Role",
    "SecureBundle",
    "ServerlessRegion",
    "Storage",
    "Token",
    "User",
    "Vpc",
    "VpcConnection",
    "canonical_telemetry_kind",
    "diff_entries",
    "excluded",
    "is_classic_tier",
    "is_domain",
    "is_known_status",
    "is_transitional",
]

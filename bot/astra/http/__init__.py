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

The package is split by API group; every name is re-exported here, so
``from bot.astra.http import X`` names them all.
"""

from __future__ import annotations

from bot.astra.http.access import (
    add_access_list_addresses,
    delete_access_list_addresses,
    get_access_list,
    get_devops_access_list,
    parse_access_list,
)
from bot.astra.http.access_lists import (
    access_list_template,
    clear_access_list,
    list_all_access_lists,
    parse_access_list_template,
    parse_access_list_validation,
    parse_access_lists,
    replace_access_list,
    update_access_list,
    validate_access_list,
)
from bot.astra.http.base import (
    DEFAULT_BASE_URL,
    MAX_PAGE_SIZE,
    PERMISSIONS,
    RETRY_AFTER_CAP,
    ApiRequest,
    ApiResponse,
    Endpoint,
    Params,
)
from bot.astra.http.database_admin import reset_password, update_engine_type
from bot.astra.http.databases import (
    create_database,
    get_database,
    list_databases,
    park_database,
    parse_database,
    parse_databases,
    parse_secure_bundles,
    resize_database,
    secure_bundle_urls,
    terminate_database,
    unpark_database,
)
from bot.astra.http.decode import (
    M,
    created_database_id,
    decode_json,
    location_id,
    next_cursor,
    parse_list,
    parse_model,
    parse_object,
)
from bot.astra.http.devops_acl import (
    add_devops_access_list,
    delete_devops_access_list,
    parse_devops_access_list,
    replace_devops_access_list,
    update_devops_access_list,
)
from bot.astra.http.domains import set_custom_domains
from bot.astra.http.errors import (
    check,
    error_for,
    is_retryable,
    parse_error_items,
    parse_retry_after,
    retry_delay,
    scrub,
    unavailable,
    unreadable,
)
from bot.astra.http.iam import (
    create_role,
    create_token,
    current_org,
    delete_role,
    get_role,
    invite_user,
    list_roles,
    list_tokens,
    list_users,
    parse_created_role,
    parse_created_token,
    parse_organization,
    parse_role,
    parse_roles,
    parse_tokens,
    parse_users,
    remove_user,
    revoke_token,
    set_user_roles,
)
from bot.astra.http.iam_writes import create_legacy_token, list_legacy_tokens, update_role
from bot.astra.http.keys import (
    assign_cloud_account,
    create_customer_key,
    get_customer_key,
    list_classic_kms_keys,
    list_key_cloud_accounts,
    parse_cloud_accounts,
    parse_customer_key,
)
from bot.astra.http.peering import (
    create_vpc_peering,
    delete_vpc_peering,
    parse_vpc_connection,
    peering_body,
)
from bot.astra.http.private import (
    get_vpc_peering,
    list_custom_domains,
    list_kms_keys,
    list_private_links,
    parse_custom_domains,
    parse_kms_keys,
)
from bot.astra.http.private_link import (
    accept_private_endpoint,
    allow_principals,
    describe_private_endpoint,
    get_datacenter_private_link,
    get_private_endpoint,
    list_cluster_private_links,
    parse_private_endpoint,
    parse_private_link_cluster,
    parse_private_link_datacenter,
    parse_private_link_service,
    reject_private_endpoint,
    remove_allowed_principal,
)
from bot.astra.http.regions import (
    add_datacenter,
    create_keyspace,
    delete_keyspace,
    list_available_regions,
    list_datacenters,
    list_serverless_regions,
    parse_available_regions,
    parse_datacenters,
    parse_serverless_regions,
    terminate_datacenter,
)
from bot.astra.http.telemetry import (
    delete_audit_log_streaming,
    get_audit_log_streaming,
    get_metrics_telemetry,
    parse_config,
    set_audit_log_streaming,
    set_metrics_telemetry,
)
from bot.astra.models.admin import AddressEntry

__all__ = [
    "DEFAULT_BASE_URL",
    "MAX_PAGE_SIZE",
    "PERMISSIONS",
    "RETRY_AFTER_CAP",
    "AddressEntry",
    "ApiRequest",
    "ApiResponse",
    "Endpoint",
    "M",
    "Params",
    "accept_private_endpoint",
    "access_list_template",
    "add_access_list_addresses",
    "add_datacenter",
    "add_devops_access_list",
    "allow_principals",
    "assign_cloud_account",
    "check",
    "clear_access_list",
    "create_customer_key",
    "create_database",
    "create_keyspace",
    "create_legacy_token",
    "create_role",
    "create_token",
    "create_vpc_peering",
    "created_database_id",
    "current_org",
    "decode_json",
    "delete_access_list_addresses",
    "delete_audit_log_streaming",
    "delete_devops_access_list",
    "delete_keyspace",
    "delete_role",
    "delete_vpc_peering",
    "describe_private_endpoint",
    "error_for",
    "get_access_list",
    "get_audit_log_streaming",
    "get_customer_key",
    "get_database",
    "get_datacenter_private_link",
    "get_devops_access_list",
    "get_metrics_telemetry",
    "get_private_endpoint",
    "get_role",
    "get_vpc_peering",
    "invite_user",
    "is_retryable",
    "list_all_access_lists",
    "list_available_regions",
    "list_classic_kms_keys",
    "list_cluster_private_links",
    "list_custom_domains",
    "list_databases",
    "list_datacenters",
    "list_key_cloud_accounts",
    "list_kms_keys",
    "list_legacy_tokens",
    "list_private_links",
    "list_roles",
    "list_serverless_regions",
    "list_tokens",
    "list_users",
    "location_id",
    "next_cursor",
    "park_database",
    "parse_access_list",
    "parse_access_list_template",
    "parse_access_list_validation",
    "parse_access_lists",
    "parse_available_regions",
    "parse_cloud_accounts",
    "parse_config",
    "parse_created_role",
    "parse_created_token",
    "parse_custom_domains",
    "parse_customer_key",
    "parse_database",
    "parse_databases",
    "parse_datacenters",
    "parse_devops_access_list",
    "parse_error_items",
    "parse_kms_keys",
    "parse_list",
    "parse_model",
    "parse_object",
    "parse_organization",
    "parse_private_endpoint",
    "parse_private_link_cluster",
    "parse_private_link_datacenter",
    "parse_private_link_service",
    "parse_retry_after",
    "parse_role",
    "parse_roles",
    "parse_secure_bundles",
    "parse_serverless_regions",
    "parse_tokens",
    "parse_users",
    "parse_vpc_connection",
    "peering_body",
    "reject_private_endpoint",
    "remove_allowed_principal",
    "remove_user",
    "replace_access_list",
    "replace_devops_access_list",
    "reset_password",
    "resize_database",
    "retry_delay",
    "revoke_token",
    "scrub",
    "secure_bundle_urls",
    "set_audit_log_streaming",
    "set_custom_domains",
    "set_metrics_telemetry",
    "set_user_roles",
    "terminate_database",
    "terminate_datacenter",
    "unavailable",
    "unpark_database",
    "unreadable",
    "update_access_list",
    "update_devops_access_list",
    "update_engine_type",
    "update_role",
    "validate_access_list",
]

"""PURE: one DevOps API call and its answer, the permission each needs, safe path segments."""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final
from urllib.parse import quote

from bot.errors import AstraBadRequest

DEFAULT_BASE_URL: Final = "https://api.astra.datastax.com"


#: Server cap of ``limit`` on GET /v2/databases (spec: max 100; astra-cli#213).
MAX_PAGE_SIZE: Final = 100


#: Longest wait honoured from a Retry-After header, seconds.
RETRY_AFTER_CAP: Final = 30.0


#: Astra permission (role "action") each operation needs, for 401/403 messages. From the
#: official spec's per-operation ``security`` scopes and the PolicyAction enum; region and
#: access-list actions as real roles spell them (fixtures Roles.json).
PERMISSIONS: Final[Mapping[str, str]] = {
    "list_databases": "org-db-view",
    "get_database": "org-db-view",
    "create_database": "org-db-create",
    "terminate_database": "org-db-terminate",
    "park_database": "org-db-suspend",
    "unpark_database": "org-db-suspend",
    "resize_database": "org-db-expand",
    "create_keyspace": "db-keyspace-create",
    "delete_keyspace": "db-keyspace-drop",
    "list_datacenters": "org-db-view",
    "add_datacenter": "db-manage-region",
    "terminate_datacenter": "db-manage-region",
    "list_serverless_regions": "org-db-create",
    "list_available_regions": "org-db-create",
    "get_access_list": "accesslist-read",
    "add_access_list_addresses": "accesslist-write",
    "delete_access_list_addresses": "accesslist-write",
    "get_devops_access_list": "org-read",
    "secure_bundle_urls": "db-cql",
    "current_org": "org-read",
    "list_tokens": "org-token-read",
    "create_token": "org-token-write",
    "revoke_token": "org-token-write",
    "list_roles": "org-role-read",
    "get_role": "org-role-read",
    "create_role": "org-role-write",
    "delete_role": "org-role-delete",
    "list_users": "org-user-read",
    "invite_user": "org-user-write",
    "remove_user": "org-user-write",
    "set_user_roles": "org-user-write",
    "get_metrics_telemetry": "db-manage-thirdpartymetrics",
    "set_metrics_telemetry": "db-manage-thirdpartymetrics",
    "get_audit_log_streaming": "org-audits-read",
    "set_audit_log_streaming": "org-audits-read",
    "delete_audit_log_streaming": "org-audits-read",
    "list_private_links": "db-manage-privateendpoint",
    "list_custom_domains": "db-manage-privateendpoint",
    "list_kms_keys": "org-cmk-read",
    "get_vpc_peering": "org-db-readpeering",
    "list_all_access_lists": "accesslist-read",
    "replace_access_list": "accesslist-write",
    "update_access_list": "accesslist-write",
    "clear_access_list": "accesslist-write",
    "validate_access_list": "accesslist-read",
    "access_list_template": "accesslist-read",
    "add_devops_access_list": "org-write",
    "replace_devops_access_list": "org-write",
    "update_devops_access_list": "org-write",
    "delete_devops_access_list": "org-write",
    "update_role": "org-role-write",
    "list_legacy_tokens": "org-token-read",
    "create_legacy_token": "org-token-write",
    # the document's scope is org-db-create; the PolicyAction made for it is this one
    "reset_password": "org-db-passwordreset",
    "update_engine_type": "org-db-create",
    # private links, custom domains, customer keys, VPC peering (official spec scopes;
    # fixtures Roles.json for the cmk and privateendpoint actions)
    "list_cluster_private_links": "db-manage-privateendpoint",
    "get_datacenter_private_link": "db-manage-privateendpoint",
    "allow_principals": "db-manage-privateendpoint",
    "remove_allowed_principal": "db-manage-privateendpoint",
    "accept_private_endpoint": "db-manage-privateendpoint",
    "get_private_endpoint": "db-manage-privateendpoint",
    "describe_private_endpoint": "db-manage-privateendpoint",
    "reject_private_endpoint": "db-manage-privateendpoint",
    "set_custom_domains": "db-manage-privateendpoint",
    "create_customer_key": "org-cmk-write",
    "list_classic_kms_keys": "org-cmk-read",
    "get_customer_key": "org-cmk-read",
    "list_key_cloud_accounts": "org-cmk-read",
    "assign_cloud_account": "org-cmk-write",
    "create_vpc_peering": "org-db-addpeering",
    "delete_vpc_peering": "org-db-addpeering",
    # PCU groups: the document gives the PCU tag no scope of its own (only the global
    # list) and no role action names PCUs; chosen by what each does to databases
    "list_pcu_groups": "org-db-view",
    "list_pcu_types": "org-db-view",
    "get_datacenter_pcu_group": "org-db-view",
    "list_pcu_associations": "org-db-view",
    "create_pcu_group": "org-db-create",
    "update_pcu_group": "org-db-expand",
    "delete_pcu_group": "org-db-terminate",
    "park_pcu_group": "org-db-suspend",
    "unpark_pcu_group": "org-db-suspend",
    "associate_pcu_datacenter": "org-db-create",
    "dissociate_pcu_datacenter": "org-db-create",
    "transfer_pcu_association": "org-db-create",
    # snapshots and clones (the document's scopes of listSnapshots, cloneFromDB, cloneStatus)
    "list_snapshots": "org-db-view",
    "clone_database": "org-db-create",
    "clone_status": "org-db-view",
    # change data capture, v3 (the document's scopes)
    "get_cdc": "org-db-view",
    "enable_cdc": "org-db-create",
    "update_cdc": "org-db-create",
    "delete_cdc": "org-db-terminate",
    "get_cdc_table_status": "org-db-view",
}


Params = tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class ApiRequest:
    """One DevOps API call to make. ``path`` is relative to the base URL."""

    method: str
    path: str
    action: str
    operation: str
    params: Params = ()
    # kept out of the repr: a body may carry a secret (resetPassword's new password)
    json: Any = field(default=None, repr=False)
    expect: frozenset[int] = frozenset({200})
    #: values of this request to scrub from any answer text too (a new password)
    secrets: tuple[str, ...] = field(default=(), repr=False)

    @property
    def is_read(self) -> bool:
        """Reads (GET) may be retried; nothing else ever is."""
        return self.method == "GET"

    @property
    def permission(self) -> str | None:
        return PERMISSIONS.get(self.action)


@dataclass(frozen=True, slots=True)
class ApiResponse:
    """What came back: status, headers with lower-cased names, raw body."""

    status: int
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes = b""

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


def _seg(value: str, what: str) -> str:
    """One path segment, percent-encoded; ids that would change the path are refused."""
    if not isinstance(value, str) or not value.strip() or value.strip() in {".", ".."}:
        raise AstraBadRequest(f"`{value}` is not a valid {what}.", status_code=None)
    return quote(value.strip(), safe="")


def _cloud(provider: str, what: str) -> str:
    """A path's cloud provider, lower case (``aws``, ``gcp``, ``azure``), or refused."""
    canon = provider.strip().lower() if isinstance(provider, str) else ""
    if canon not in {"aws", "gcp", "azure"}:
        raise AstraBadRequest(
            f"`{provider}` is not a cloud provider of {what}; use aws, gcp or azure.",
            status_code=None,
        )
    return canon


def _bool(value: bool) -> str:
    return "true" if value else "false"


def _db(db_id: str) -> str:
    return f"/v2/databases/{_seg(db_id, 'database id')}"


#: What each path placeholder of an :class:`Endpoint` names, for the refusal of a value
#: that is no path segment.
_SEGMENTS: Final[Mapping[str, str]] = {
    "db_id": "database id",
    "keyspace": "keyspace name",
    "dc_id": "datacenter id",
    "client_id": "client id",
    "role_id": "role id",
    "user_id": "user id",
    "org_id": "organization id",
    "provider": "cloud provider",
    "endpoint_id": "endpoint id",
    "region": "region",
    "pcu_group_id": "PCU group id",
    "source_id": "database id",
    "operation_id": "clone operation id",
    "table": "table name",
}

_DB: Final = "/v2/databases/{db_id}"
#: A write the document answers with 200, 202 or 204 (done now, accepted, or no body).
_WRITE_OK: Final = frozenset({200, 202, 204})
_ORG: Final = "/v2/organizations"


@dataclass(frozen=True, slots=True)
class Endpoint:
    """One operation as data: called with the values of its path's placeholders, in
    order (each made a safe segment), it is the :class:`ApiRequest`; ``operation`` is a
    template of the same values, for messages."""

    method: str
    path: str
    action: str
    operation: str
    expect: frozenset[int] = frozenset({200})

    def __call__(
        self, *values: str, params: Params = (), json: Any = None, **text: str
    ) -> ApiRequest:
        """``text``: the values of ``operation`` that are not in the path."""
        names = [name for _, name, _, _ in string.Formatter().parse(self.path) if name]
        given = dict(zip(names, values, strict=True))
        safe = {name: _seg(value, _SEGMENTS[name]) for name, value in given.items()}
        return ApiRequest(
            self.method,
            self.path.format(**safe),
            self.action,
            self.operation.format(**given, **text),
            params,
            json,
            self.expect,
        )

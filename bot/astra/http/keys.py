"""PURE: requests and answers of customer keys (KMS, serverless and classic) and the cloud
accounts those keys must trust.

The official document has two trees: ``/v2/kms…`` (serverless) and ``/v2/kms/classic…``
(Managed Cluster); every builder takes ``classic``. ``/v2/kms/serverless`` is the same
path item as ``/v2/kms`` (the document ``$ref``s it; the mended copy names its operations
``…ViaServerlessPath``), so only ``/v2/kms`` is sent.
"""

from __future__ import annotations

import re
from typing import Any, Final

from bot.astra.http.base import ApiRequest, ApiResponse, Endpoint, _cloud
from bot.astra.http.decode import decode_json, parse_list
from bot.astra.http.errors import unreadable
from bot.astra.models.keys import KMS_PROVIDERS, CloudAccount, CustomerKey
from bot.errors import AstraBadRequest

#: A region name as the clouds spell them (``us-east-1``, ``europe-west1``, ``eastus2``).
_REGION_RE: Final = re.compile(r"^[a-z][a-z0-9-]{1,40}$")

_AT: Final = "provider/{provider}/region/{region}"
_WHERE: Final = "in {provider} {region}"


def _both(method: str, path: str, action: str, operation: str) -> tuple[Endpoint, Endpoint]:
    """The serverless and the classic twin of one operation (``{kind}`` in its message)."""
    return (
        Endpoint(method, f"/v2/kms{path}", action, operation.replace("{kind}", "serverless")),
        Endpoint(method, f"/v2/kms/classic{path}", action, operation.replace("{kind}", "classic")),
    )


#: CreateServerlessKey / CreateClassicKey: body ``ExternalKMS``; 200, no body.
_CREATE: Final = _both("POST", "", "create_customer_key", "register a {kind} customer key {where}")
#: GetServerlessKey / GetClassicKey.
_GET: Final = _both("GET", f"/{_AT}", "get_customer_key", f"get the {{kind}} customer key {_WHERE}")
#: GetServerlessCloudAccounts / GetClassicCloudAccounts.
_ACCOUNTS: Final = _both(
    "GET",
    f"/{_AT}/accounts",
    "list_key_cloud_accounts",
    f"list the cloud accounts of {{kind}} customer keys {_WHERE}",
)
#: ListClassicKeys (the serverless list is ``list_kms_keys``); read by ``parse_kms_keys``.
list_classic_kms_keys: Final = Endpoint(
    "GET", "/v2/kms/classic", "list_classic_kms_keys", "list classic customer keys"
)
#: AssignCloudAccount: a classic-encryption cloud account for the org; 201, no body.
_ASSIGN: Final = Endpoint(
    "POST",
    "/v2/kms/classic/provider/{provider}/accounts",
    "assign_cloud_account",
    "assign a {provider} cloud account for classic customer keys",
    frozenset({201}),
)


def _provider(provider: str) -> str:
    return _cloud(provider, "customer keys")


def _where(provider: str, region: str) -> tuple[str, str]:
    canon = region.strip().lower() if isinstance(region, str) else ""
    if not _REGION_RE.match(canon):
        raise AstraBadRequest(f"`{region}` is not a region name.", status_code=None)
    return _provider(provider), canon


def parse_customer_key(req: ApiRequest, resp: ApiResponse) -> CustomerKey:
    """``GetParticularCustomerKey``: ``{"orgId": …, "<provider>": {"keyID", "region"}}``."""
    data = decode_json(req, resp)
    if not isinstance(data, dict):
        raise unreadable(req, resp.status, "not a customer key")
    for provider in KMS_PROVIDERS:
        inner: Any = data.get(provider)
        if isinstance(inner, dict):
            return CustomerKey(
                organization_id=data.get("orgId"),
                cloud_provider=provider,
                key_id=inner.get("keyID"),
                region=inner.get("region"),
            )
    raise unreadable(req, resp.status, "a customer key of no cloud provider")


def parse_cloud_accounts(req: ApiRequest, resp: ApiResponse) -> list[CloudAccount]:
    return parse_list(req, resp, CloudAccount)


def create_customer_key(
    provider: str, region: str, key_id: str, *, classic: bool, org_id: str | None = None
) -> ApiRequest:
    canon, reg = _where(provider, region)
    if not isinstance(key_id, str) or not key_id.strip() or any(c.isspace() for c in key_id):
        raise AstraBadRequest("Give the key's id (its ARN or resource name).", status_code=None)
    body: dict[str, Any] = {canon: {"keyID": key_id.strip(), "region": reg}}
    if org_id is not None:
        body = {"orgId": org_id, **body}
    return _CREATE[classic](json=body, where=f"in {canon} {reg}")


def get_customer_key(provider: str, region: str, *, classic: bool) -> ApiRequest:
    return _GET[classic](*_where(provider, region))


def list_key_cloud_accounts(provider: str, region: str, *, classic: bool) -> ApiRequest:
    return _ACCOUNTS[classic](*_where(provider, region))


def assign_cloud_account(provider: str) -> ApiRequest:
    return _ASSIGN(_provider(provider))

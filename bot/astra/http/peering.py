"""PURE: VPC peering of a classic database: create (per provider body) and delete."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from bot.astra.http.base import ApiRequest, ApiResponse, Endpoint, _cloud
from bot.astra.http.decode import parse_model
from bot.astra.models.peering import PEERING_FIELDS, PEERING_PATTERNS, VpcConnection
from bot.errors import AstraBadRequest


def _provider(provider: str) -> str:
    return _cloud(provider, "VPC peering")


_PEERING: Final = "/v2/peering/provider/{provider}/database/{db_id}"
#: CreateVPCPeeringConnection → 201 ``VPCConnection``.
_CREATE: Final = Endpoint(
    "POST",
    _PEERING,
    "create_vpc_peering",
    "peer database `{db_id}` with a {provider} VPC",
    frozenset({201}),
)
#: DeleteVPCPeeringConnection → 204.
_DELETE: Final = Endpoint(
    "DELETE",
    _PEERING,
    "delete_vpc_peering",
    "delete the VPC peering of database `{db_id}`",
    frozenset({204}),
)


def peering_body(provider: str, fields: Mapping[str, str]) -> dict[str, str]:
    """The ``AmazonVPC``/``GoogleVPC``/``AzureVPC`` body: exactly the provider's fields,
    each given and (where the document has a pattern) well formed."""
    canon = _provider(provider)
    wanted = PEERING_FIELDS[canon]
    unknown = sorted(set(fields) - set(wanted))
    if unknown:
        raise AstraBadRequest(
            f"`{unknown[0]}` is not a field of a {canon} peering; give {', '.join(wanted)}.",
            status_code=None,
        )
    missing = [f for f in wanted if not str(fields.get(f, "")).strip()]
    if missing:
        raise AstraBadRequest(f"A {canon} peering needs {', '.join(missing)}.", status_code=None)
    body = {f: str(fields[f]).strip() for f in wanted}
    for name, value in body.items():
        pattern = PEERING_PATTERNS.get(name)
        if pattern is not None and not pattern.match(value):
            raise AstraBadRequest(f"`{value}` is not a valid {name}.", status_code=None)
    return body


def parse_vpc_connection(req: ApiRequest, resp: ApiResponse) -> VpcConnection:
    return parse_model(req, resp, VpcConnection)


def create_vpc_peering(provider: str, db_id: str, fields: Mapping[str, str]) -> ApiRequest:
    canon = _provider(provider)
    return _CREATE(canon, db_id, json=peering_body(canon, fields))


def delete_vpc_peering(provider: str, db_id: str) -> ApiRequest:
    return _DELETE(_provider(provider), db_id)

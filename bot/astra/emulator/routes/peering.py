"""VPC peering of classic databases: create and delete (the GET is in ``extras``).

Chosen where the official document is silent (it declares no 400 for these): a malformed
body, a provider other than the database's cloud, a serverless database or a second
peering → 400. The connection is ACTIVE at once (the emulator has no customer side to
accept it); the Astra side's account, VPC and CIDR are invented, stable, and so is the
customer side's CIDR when the request (GCP, Azure) carries none.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any, Final

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from bot.astra.emulator.responses import _empty, _error
from bot.astra.emulator.routes.common import RouteBase, given, route
from bot.astra.emulator.state import _Database

_PEERING: Final = "/v2/peering/provider/{provider}/database/{db_id}"

#: Required fields per provider, and the document's patterns (AmazonVPC, VPC.cidrBlock).
_FIELDS: Final = {
    "aws": ("accountId", "vpcId", "region", "cidrBlock"),
    "gcp": ("projectId", "vpcNetworkName"),
    "azure": ("tenantId", "subscriptionId", "resourceGroupName", "virtualNetworkName"),
}
_PATTERNS: Final = {
    "accountId": re.compile(r"^\d{12}$"),
    "vpcId": re.compile(r"^(vpc-)([a-z0-9]{8}|[a-z0-9]{17})$"),
    "cidrBlock": re.compile(r"^([0-9]{1,3}\.){3}[0-9]{1,3}(/([0-9]|[1-2][0-9]|3[0-2]))?$"),
}
#: Which request field names the customer's account and VPC.
_OTHER: Final = {
    "aws": ("accountId", "vpcId"),
    "gcp": ("projectId", "vpcNetworkName"),
    "azure": ("subscriptionId", "virtualNetworkName"),
}


def _bad_body(provider: str, body: Any) -> str | None:
    if not isinstance(body, dict):
        return "The body must be an object."
    missing = [f for f in _FIELDS[provider] if not isinstance(body.get(f), str) or not body[f]]
    if missing:
        return f"Missing required fields: {', '.join(missing)}."
    for name, pattern in _PATTERNS.items():
        if name in _FIELDS[provider] and not pattern.match(body[name]):
            return f"{body[name]} is not a valid {name}."
    return None


def _target(org: RouteBase, request: Request) -> tuple[str, _Database] | Response:
    """The path's provider (aws, gcp or azure) and database of the token's org."""
    provider = request.path_params["provider"].lower()
    if provider not in _FIELDS:
        return _error(400, f"Invalid provider {provider}: use aws, gcp or azure.")
    db = org._db_or_404(request)
    return db if isinstance(db, Response) else (provider, db)


class PeeringRoutes(RouteBase):
    """``POST|DELETE /v2/peering/provider/{provider}/database/{db_id}``."""

    def _connection(self, provider: str, db: _Database, body: dict[str, Any]) -> dict[str, Any]:
        h = hashlib.sha256(f"{db.id}/{provider}".encode()).hexdigest()
        account, vpc = (body[f] for f in _OTHER[provider])
        return {
            "connectionId": f"pcx-{h[:17]}",
            "status": "ACTIVE",
            "currentVpc": {
                "provider": provider,
                "account": f"astra-{h[17:29]}",
                "vpcId": f"vpc-{h[29:46]}",
                "cidrBlock": f"10.{int(h[46:48], 16) % 200 + 1}.0.0/16",
            },
            "otherVpc": {
                "provider": provider,
                "account": account,
                "vpcId": vpc,
                "cidrBlock": body.get("cidrBlock") or f"172.{int(h[48:50], 16) % 16 + 16}.0.0/16",
            },
        }

    @route("POST", _PEERING)
    @given(_target)
    async def _create_vpc_peering(
        self, provider: str, db: _Database, request: Request, body: Any
    ) -> Response:
        if db.tier == "serverless":
            return _error(400, "VPC peering is only for classic databases.")
        if db.cloud.lower() != provider:
            return _error(400, f"Database {db.id} runs on {db.cloud}, not {provider}.")
        refused = _bad_body(provider, body)
        if refused is not None:
            return _error(400, refused)
        if (provider, db.id) in self._vpc:
            return _error(400, f"Database {db.id} already has a VPC peering connection.")
        connection = self._connection(provider, db, body)
        self._vpc[(provider, db.id)] = connection
        return JSONResponse(connection, status_code=201)

    @route("DELETE", _PEERING)
    @given(_target)
    async def _delete_vpc_peering(
        self, provider: str, db: _Database, request: Request, body: Any
    ) -> Response:
        if self._vpc.pop((provider, db.id), None) is None:
            return _error(404, "No VPC peering connection for this database.")
        return _empty(204)

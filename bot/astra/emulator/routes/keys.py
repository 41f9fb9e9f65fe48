"""Customer keys (KMS) of serverless and classic databases, and the cloud accounts to trust.

Chosen where the official document is silent: a body names exactly one provider
(``aws``/``gcp``/``azure``) with its ``keyID`` and ``region`` (400 otherwise); the region
must be one the emulator offers for that cloud (400); one key per kind, provider and region
(a second → 400: a registered key cannot be swapped under the databases it encrypts); an
``orgId`` other than the token's org → 403. Serverless cloud accounts always exist; classic
ones only after ``AssignCloudAccount`` for the provider. Account ids are invented, stable.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Final

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from bot.astra.emulator.catalogue import REGIONS
from bot.astra.emulator.responses import _empty, _error
from bot.astra.emulator.routes.common import RouteBase, given, route

_PROVIDERS: Final = ("aws", "gcp", "azure")
_AT: Final = "provider/{provider}/region/{region}"


@dataclass
class KeyState:
    """Registered keys by ``(classic, provider, region)`` → key id; classic accounts."""

    keys: dict[tuple[bool, str, str], str] = field(default_factory=dict)
    classic_accounts: set[str] = field(default_factory=set)


def _offered(provider: str, region: str) -> bool:
    return any(c == provider.upper() and r == region for c, r, *_ in REGIONS)


def _classic(request: Request) -> bool:
    return request.url.path.startswith("/v2/kms/classic")


def _place(org: RouteBase, request: Request) -> tuple[bool, str, str] | Response:
    """Classic or not, the provider and the region (if the path has one) of a KMS path."""
    provider = request.path_params["provider"].lower()
    if provider not in _PROVIDERS:
        return _error(400, f"Invalid provider {provider}: use aws, gcp or azure.")
    region = request.path_params.get("region", "")
    if "region" in request.path_params and not _offered(provider, region):
        return _error(400, f"{provider} has no region {region}.")
    return _classic(request), provider, region


class KeyRoutes(RouteBase):
    """``/v2/kms…`` and ``/v2/kms/classic…``."""

    @cached_property
    def key_state(self) -> KeyState:
        return KeyState()

    def _account(self, provider: str, region: str, classic: bool) -> str:
        h = hashlib.sha256(f"{self.config.org_id}/{provider}/{region}/{classic}".encode())
        if provider == "aws":
            return str(int(h.hexdigest()[:12], 16) % 10**12).zfill(12)
        if provider == "gcp":
            return f"astra-kms-{h.hexdigest()[:8]}@astra-{region}.iam.gserviceaccount.com"
        return str(uuid.UUID(h.hexdigest()[:32]))

    @route("POST", "/v2/kms")
    @route("POST", "/v2/kms/serverless")  # the same path item (official document)
    @route("POST", "/v2/kms/classic")
    async def _create_key(self, request: Request, body: Any) -> Response:
        if not isinstance(body, dict):
            return _error(400, "The body must be an ExternalKMS object.")
        org = body.get("orgId")
        if org is not None and org != self.config.org_id:
            return _error(403, "The key must be registered in the token's organization.")
        named = [p for p in _PROVIDERS if p in body]
        if len(named) != 1 or set(body) - {"orgId", *_PROVIDERS}:
            return _error(400, "Name exactly one provider: aws, gcp or azure.")
        provider = named[0]
        spec = body[provider]
        key_id = spec.get("keyID") if isinstance(spec, dict) else None
        region = spec.get("region") if isinstance(spec, dict) else None
        if not isinstance(key_id, str) or not key_id.strip() or not isinstance(region, str):
            return _error(400, f"{provider} needs keyID and region.")
        if not _offered(provider, region):
            return _error(400, f"{provider} has no region {region}.")
        slot = (_classic(request), provider, region)
        if slot in self.key_state.keys:
            return _error(400, f"A customer key is already registered for {provider} {region}.")
        self.key_state.keys[slot] = key_id.strip()
        return _empty(200)

    @route("GET", "/v2/kms")
    @route("GET", "/v2/kms/serverless")
    @route("GET", "/v2/kms/classic")
    async def _list_keys(self, request: Request, body: Any) -> Response:
        classic = _classic(request)
        return JSONResponse(
            [
                {
                    "OrganizationID": self.config.org_id,
                    "CloudProvider": provider,
                    "KeyID": key_id,
                    "Region": region,
                }
                for (kind, provider, region), key_id in self.key_state.keys.items()
                if kind == classic
            ]
        )

    @route("GET", f"/v2/kms/{_AT}")
    @route("GET", f"/v2/kms/classic/{_AT}")
    @given(_place)
    async def _get_key(self, classic: bool, provider: str, region: str, *_: Any) -> Response:
        key_id = self.key_state.keys.get((classic, provider, region))
        if key_id is None:
            return _error(404, f"No customer key is registered for {provider} {region}.")
        return JSONResponse(
            {"orgId": self.config.org_id, provider: {"keyID": key_id, "region": region}}
        )

    @route("GET", f"/v2/kms/{_AT}/accounts")
    @route("GET", f"/v2/kms/classic/{_AT}/accounts")
    @given(_place)
    async def _accounts(self, classic: bool, provider: str, region: str, *_: Any) -> Response:
        if classic and provider not in self.key_state.classic_accounts:
            return JSONResponse([])
        account = {
            "organization_id": self.config.org_id,
            "provider_id": self._account(provider, region, classic),
            "provider": provider,
        }
        return JSONResponse([account])

    @route("POST", "/v2/kms/classic/provider/{provider}/accounts")
    @given(_place)
    async def _assign_classic_account(self, classic: bool, provider: str, *_: Any) -> Response:
        self.key_state.classic_accounts.add(provider)
        return _empty(201)

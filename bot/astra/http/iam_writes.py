"""PURE: a role's update, and the legacy ``clientIdSecrets`` tokens (list and generate).

``updateRole`` takes ``UpdateRoleRequest`` ``{name, policy}``, the policy's description,
actions, resources and effect all required, and answers 200 with no body declared. The
legacy token endpoints answer as ``/v2/tokens`` does: ``ClientRoleList`` and
``GenerateTokenResponse`` (its secret shown once: :class:`~bot.astra.models.CreatedToken`).
Revoking is ``DELETE /v2/clientIdSecrets/{clientId}``, as ``revoke_token`` already sends.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

from bot.astra.http.base import _ORG, ApiRequest, Endpoint
from bot.astra.models import Policy

_UPDATE_ROLE: Final = Endpoint(
    "PUT", f"{_ORG}/roles/{{role_id}}", "update_role", "update role `{name}`", frozenset({200, 204})
)
list_legacy_tokens: Final = Endpoint(
    "GET", "/v2/clientIdSecrets", "list_legacy_tokens", "list legacy tokens"
)
_CREATE_LEGACY: Final = Endpoint(
    "POST", "/v2/clientIdSecrets", "create_legacy_token", "generate a legacy token"
)


def update_role(role_id: str, name: str, policy: Policy) -> ApiRequest:
    body = {
        "name": name,
        "policy": {
            "description": policy.description or name,
            "actions": list(policy.actions),
            "resources": list(policy.resources),
            "effect": policy.effect or "allow",
        },
    }
    return _UPDATE_ROLE(role_id, json=body, name=name)


def create_legacy_token(roles: Sequence[str], description: str | None = None) -> ApiRequest:
    body: dict[str, Any] = {"roles": list(roles)}
    if description:
        body["description"] = description
    return _CREATE_LEGACY(json=body)

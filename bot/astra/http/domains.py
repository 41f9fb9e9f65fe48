"""PURE: the organization's custom domains (suffixes of private-link hostnames): replace them."""

from __future__ import annotations

from collections.abc import Sequence

from bot.astra.http.base import ApiRequest
from bot.astra.models.private_link import is_domain
from bot.errors import AstraBadRequest


def set_custom_domains(domains: Sequence[str]) -> ApiRequest:
    """setCustomDomains: the *whole* new set (an empty list removes every domain); 202."""
    clean = [d.strip().lower().rstrip(".") for d in domains]
    bad = [d for d in clean if not is_domain(d)]
    if bad:
        raise AstraBadRequest(f"`{bad[0]}` is not a domain name.", status_code=None)
    return ApiRequest(
        "POST",
        "/v2/organizations/customDomains",
        "set_custom_domains",
        "set the custom domains",
        json=list(dict.fromkeys(clean)),
        expect=frozenset({202}),
    )

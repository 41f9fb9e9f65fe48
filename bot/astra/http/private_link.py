"""PURE: requests and answers of private links: a database's datacenters, their service,
the principals allowed to connect, and the endpoints accepted or rejected.

The document's ``clusterID`` is the database id."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from bot.astra.http.base import _ORG, ApiRequest, ApiResponse, Endpoint, _seg
from bot.astra.http.decode import parse_model
from bot.astra.models.private_link import (
    PrivateLinkCluster,
    PrivateLinkDatacenter,
    PrivateLinkEndpoint,
    PrivateLinkService,
)
from bot.errors import AstraBadRequest

#: Longest endpoint description sent (the document sets none; the Astra portal keeps it short).
MAX_DESCRIPTION = 200

_CLUSTER: Final = f"{_ORG}/clusters/{{db_id}}"
_DC: Final = f"{_CLUSTER}/datacenters/{{dc_id}}"
_ENDPOINT: Final = f"{_DC}/endpoints/{{endpoint_id}}"
_OF_DC: Final = "of datacenter `{dc_id}`"

#: ListPrivateLinksForCluster.
list_cluster_private_links: Final = Endpoint(
    "GET",
    f"{_CLUSTER}/private-link",
    "list_cluster_private_links",
    "list the private links of database `{db_id}`",
)
#: GetPrivateLinksForDatacenter.
get_datacenter_private_link: Final = Endpoint(
    "GET", f"{_DC}/private-link", "get_datacenter_private_link", f"get the private link {_OF_DC}"
)
#: AddAllowedPrincipalToService: the service set up with its first principals.
_CONFIGURE: Final = Endpoint(
    "POST", f"{_DC}/private-link", "allow_principals", f"set up the private link {_OF_DC}"
)
#: AddAllowedPrincipal: more principals for a service already set up.
_ALLOW: Final = Endpoint(
    "POST",
    f"{_DC}/allowed-principals",
    "allow_principals",
    f"allow more principals on the private link {_OF_DC}",
)
#: RemoveAllowedPrincipalFromService (a DELETE with a body, as the document says).
_DISALLOW: Final = Endpoint(
    "DELETE",
    f"{_DC}/allowed-principals",
    "remove_allowed_principal",
    f"remove a principal from the private link {_OF_DC}",
    frozenset({204}),
)
#: AcceptEndpointToService.
_ACCEPT: Final = Endpoint(
    "POST",
    f"{_DC}/endpoints",
    "accept_private_endpoint",
    f"accept endpoint `{{endpoint_id}}` on the private link {_OF_DC}",
)
#: GetPrivateLinkEndpoint.
get_private_endpoint: Final = Endpoint(
    "GET", _ENDPOINT, "get_private_endpoint", f"get endpoint `{{endpoint_id}}` {_OF_DC}"
)
#: UpdateEndpointDescription.
_DESCRIBE: Final = Endpoint(
    "PUT", _ENDPOINT, "describe_private_endpoint", f"describe endpoint `{{endpoint_id}}` {_OF_DC}"
)
#: RejectEndpoint.
reject_private_endpoint: Final = Endpoint(
    "DELETE",
    _ENDPOINT,
    "reject_private_endpoint",
    f"reject endpoint `{{endpoint_id}}` {_OF_DC}",
    frozenset({204}),
)


def parse_private_link_cluster(req: ApiRequest, resp: ApiResponse) -> PrivateLinkCluster:
    return parse_model(req, resp, PrivateLinkCluster)


def parse_private_link_datacenter(req: ApiRequest, resp: ApiResponse) -> PrivateLinkDatacenter:
    return parse_model(req, resp, PrivateLinkDatacenter)


def parse_private_link_service(req: ApiRequest, resp: ApiResponse) -> PrivateLinkService:
    return parse_model(req, resp, PrivateLinkService)


def parse_private_endpoint(req: ApiRequest, resp: ApiResponse) -> PrivateLinkEndpoint:
    return parse_model(req, resp, PrivateLinkEndpoint)


def _principals(principals: Sequence[str]) -> list[str]:
    clean = [p.strip() for p in principals if isinstance(p, str) and p.strip()]
    if not clean or len(clean) != len(principals):
        raise AstraBadRequest("Give at least one principal, none of them empty.", status_code=None)
    return list(dict.fromkeys(clean))


def _description(text: str) -> str:
    if len(text) > MAX_DESCRIPTION:
        raise AstraBadRequest(
            f"A description has at most {MAX_DESCRIPTION} characters.", status_code=None
        )
    return text


def allow_principals(
    db_id: str, dc_id: str, principals: Sequence[str], *, first: bool
) -> ApiRequest:
    """The first principals set the service up (AddAllowedPrincipalToService); more are
    added with AddAllowedPrincipal. The same body and answer."""
    body = {"allowedPrincipals": _principals(principals)}
    return (_CONFIGURE if first else _ALLOW)(db_id, dc_id, json=body)


def remove_allowed_principal(db_id: str, dc_id: str, principal: str) -> ApiRequest:
    (one,) = _principals([principal])
    return _DISALLOW(db_id, dc_id, json={"allowedPrincipal": one})


def accept_private_endpoint(
    db_id: str, dc_id: str, endpoint_id: str, description: str = ""
) -> ApiRequest:
    """The endpoint id goes in the body (``PrivateLinkCreateEndpointInput``), checked as
    the path segment it later is."""
    _seg(endpoint_id, "endpoint id")
    body = {"endpointID": endpoint_id.strip(), "description": _description(description)}
    return _ACCEPT(db_id, dc_id, json=body, endpoint_id=endpoint_id)


def describe_private_endpoint(
    db_id: str, dc_id: str, endpoint_id: str, description: str
) -> ApiRequest:
    return _DESCRIBE(db_id, dc_id, endpoint_id, json={"description": _description(description)})

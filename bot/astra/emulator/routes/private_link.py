"""Private links of a database's datacenters and the organization's custom domains.

Chosen where the official document is silent: the first allowed principals set the
datacenter's service up (a ``serviceName`` shaped like the provider's: an AWS endpoint
service, a GCP service attachment, an Azure private link service alias); both
``…/private-link`` and ``…/allowed-principals`` POSTs add principals; changes need the
database ACTIVE (409 otherwise, as for every other database change); an endpoint can be
accepted only once the service exists (409); a rejected endpoint is kept with status
``Rejected`` (the document's enum) and may be accepted again; removing a principal or
endpoint that is not there is 404.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Final

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from bot.astra.emulator.responses import _empty, _error
from bot.astra.emulator.routes.common import _ORG, RouteBase, given, route
from bot.astra.emulator.state import _Database, _Datacenter, _iso

_Json = dict[str, Any]
_DOMAIN: Final = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)(\.(?!-)[a-z0-9-]{1,63}(?<!-))*$")


@dataclass
class _Link:
    service_name: str
    principals: list[str] = field(default_factory=list)
    endpoints: dict[str, dict[str, Any]] = field(default_factory=dict)


@dataclass
class PrivateLinkState:
    """An organization's private links, by ``(database id, datacenter id)``, and domains."""

    links: dict[tuple[str, str], _Link] = field(default_factory=dict)
    domains: list[str] = field(default_factory=list)


_CLUSTER: Final = f"{_ORG}/clusters/{{cluster_id}}"
_DC: Final = f"{_CLUSTER}/datacenters/{{dc_id}}"
_ENDPOINT: Final = f"{_DC}/endpoints/{{endpoint_id}}"


def _field(body: Any, name: str) -> Any:
    """A field of a JSON object body (None when the body is no object)."""
    return body.get(name) if isinstance(body, dict) else None


def _digest(*parts: str) -> str:
    return hashlib.sha256("/".join(parts).encode()).hexdigest()


def _service_name(db: _Database, dc: _Datacenter) -> str:
    h = _digest(db.id, dc.id)
    if dc.cloud == "AWS":
        return f"com.amazonaws.vpce.{dc.region}.vpce-svc-{h[:17]}"
    if dc.cloud == "GCP":
        return f"projects/astra-{h[:10]}/regions/{dc.region}/serviceAttachments/{dc.id}"
    return f"astra-{h[:10]}.{h[10:46]}.{dc.region}.azure.privatelinkservice"


#: A database of the token's org and one of its live datacenters.
_At = tuple[_Database, _Datacenter]


def _at(org: PrivateLinkRoutes, request: Request) -> tuple[_At] | Response:
    """``(db, dc)`` for the routes under a datacenter (one value: ``at``), or a 404."""
    found = _dc(org, request)
    return found if isinstance(found, Response) else (found,)


def _dc(org: PrivateLinkRoutes, request: Request) -> _At | Response:
    """The database (``cluster_id``) of the token's org and its live datacenter ``dc_id``."""
    db_id = request.path_params["cluster_id"]
    db = org._get(db_id)
    if db is None:
        return _error(404, f"Database {db_id} was not found.")
    dc_id = request.path_params["dc_id"]
    dc = next((d for d in db.live_datacenters() if d.id == dc_id), None)
    if dc is None:
        return _error(404, f"Datacenter {dc_id} was not found in database {db.id}.")
    return db, dc


def _endpoint(org: PrivateLinkRoutes, request: Request) -> tuple[dict[str, Any]] | Response:
    """The endpoint ``endpoint_id`` of that datacenter's private link."""
    found = _dc(org, request)
    if isinstance(found, Response):
        return found
    db, dc = found
    endpoint_id = request.path_params["endpoint_id"]
    link = org.private_link_state.links.get((db.id, dc.id))
    endpoint = link.endpoints.get(endpoint_id) if link is not None else None
    if endpoint is None:
        return _error(404, f"Endpoint {endpoint_id} was not found.")
    return (endpoint,)


class PrivateLinkRoutes(RouteBase):
    """``/v2/organizations/…/private-link``, ``…/allowed-principals``, ``…/endpoints``,
    ``/v2/organizations/customDomains``."""

    @cached_property
    def private_link_state(self) -> PrivateLinkState:
        return PrivateLinkState()

    def _render_link(self, dc_id: str, link: _Link | None) -> dict[str, Any]:
        out: dict[str, Any] = {"datacenterID": dc_id, "allowedPrincipals": [], "endpoints": []}
        if link is not None:
            out["serviceName"] = link.service_name
            out["allowedPrincipals"] = list(link.principals)
            out["endpoints"] = list(link.endpoints.values())
        return out

    def _render_cluster(self, db_id: str) -> dict[str, Any]:
        links = self.private_link_state.links
        return {
            "clusterID": db_id,
            "datacenters": [
                self._render_link(dc, link) for (db, dc), link in links.items() if db == db_id
            ],
        }

    # ---------------------------------------------------------------- reads

    @route("GET", f"{_ORG}/private-link")
    async def _org_private_links(self, request: Request, body: Any) -> Response:
        clusters = dict.fromkeys(db for db, _ in self.private_link_state.links)
        return JSONResponse({"clusters": [self._render_cluster(db) for db in clusters]})

    @route("GET", f"{_CLUSTER}/private-link")
    async def _cluster_private_links(self, request: Request, body: Any) -> Response:
        db_id = request.path_params["cluster_id"]
        if self._get(db_id) is None:
            return _error(404, f"Database {db_id} was not found.")
        return JSONResponse(self._render_cluster(db_id))

    @route("GET", f"{_DC}/private-link")
    @given(_at)
    async def _dc_private_link(self, at: _At, _: Request, body: Any) -> Response:
        db, dc = at
        return JSONResponse(
            self._render_link(dc.id, self.private_link_state.links.get((db.id, dc.id)))
        )

    # ---------------------------------------------------------------- principals

    @route("POST", f"{_DC}/private-link")
    @route("POST", f"{_DC}/allowed-principals")
    @given(_at)
    async def _add_principals(self, at: _At, _: Request, body: Any) -> Response:
        db, dc = at
        wanted = _field(body, "allowedPrincipals")
        if (
            not isinstance(wanted, list)
            or not wanted
            or not all(isinstance(p, str) and p.strip() for p in wanted)
        ):
            return _error(400, "allowedPrincipals must be a non-empty array of principals.")
        if db.status != "ACTIVE":
            return self._not_valid_state(db, "change a private link")
        link = self.private_link_state.links.setdefault(
            (db.id, dc.id), _Link(_service_name(db, dc))
        )
        for principal in wanted:
            if principal.strip() not in link.principals:
                link.principals.append(principal.strip())
        return JSONResponse(
            {"serviceName": link.service_name, "allowedPrincipals": list(link.principals)}
        )

    @route("DELETE", f"{_DC}/allowed-principals")
    @given(_at)
    async def _remove_principal(self, at: _At, _: Request, body: Any) -> Response:
        db, dc = at
        principal = _field(body, "allowedPrincipal")
        link = self.private_link_state.links.get((db.id, dc.id))
        if not isinstance(principal, str) or not principal.strip():
            return _error(400, "allowedPrincipal must name the principal to remove.")
        if link is None or principal.strip() not in link.principals:
            return _error(404, "That principal is not allowed on this private link.")
        link.principals.remove(principal.strip())
        return _empty(204)

    # ---------------------------------------------------------------- endpoints

    @route("POST", f"{_DC}/endpoints")
    @given(_at)
    async def _accept_endpoint(self, at: _At, _: Request, body: Any) -> Response:
        db, dc = at
        endpoint_id, description = _field(body, "endpointID"), _field(body, "description") or ""
        if not isinstance(endpoint_id, str) or not endpoint_id.strip():
            return _error(400, "endpointID must name your endpoint.")
        if not isinstance(description, str):
            return _error(400, "description must be text.")
        link = self.private_link_state.links.get((db.id, dc.id))
        if link is None:
            return _error(
                409, "This datacenter has no private link service: allow a principal first."
            )
        known = link.endpoints.get(endpoint_id.strip())
        if known is not None and known["status"] == "Accepted":
            return _error(409, f"Endpoint {endpoint_id} is already accepted.")
        endpoint = {
            "endpointID": endpoint_id.strip(),
            "description": description,
            "linkID": str(int(_digest(dc.id, endpoint_id)[:8], 16)),
            "status": "Accepted",
            "createdDateTime": _iso(),
        }
        link.endpoints[endpoint["endpointID"]] = endpoint
        return JSONResponse(endpoint)

    @route("GET", _ENDPOINT)
    @given(_endpoint)
    async def _get_endpoint(self, endpoint: dict[str, Any], *_: Any) -> Response:
        return JSONResponse(endpoint)

    @route("PUT", _ENDPOINT)
    @given(_endpoint)
    async def _describe_endpoint(self, endpoint: _Json, _: Request, body: Any) -> Response:
        description = _field(body, "description")
        if not isinstance(description, str):
            return _error(400, "description must be text.")
        endpoint["description"] = description
        return JSONResponse(endpoint)

    @route("DELETE", _ENDPOINT)
    @given(_endpoint)
    async def _reject_endpoint(self, endpoint: dict[str, Any], *_: Any) -> Response:
        endpoint["status"] = "Rejected"
        return _empty(204)

    # ---------------------------------------------------------------- custom domains

    @route("GET", f"{_ORG}/customDomains")
    async def _get_custom_domains(self, request: Request, body: Any) -> Response:
        return JSONResponse(list(self.private_link_state.domains))

    @route("POST", f"{_ORG}/customDomains")
    async def _set_custom_domains(self, request: Request, body: Any) -> Response:
        if not isinstance(body, list) or not all(isinstance(d, str) for d in body):
            return _error(400, "The body must be an array of domain names.")
        bad = [d for d in body if len(d) > 253 or not _DOMAIN.match(d.lower())]
        if bad:
            return _error(400, f"{bad[0]} is not a domain name.")
        self.private_link_state.domains = list(dict.fromkeys(d.lower() for d in body))
        return _empty(202)

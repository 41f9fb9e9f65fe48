"""org: the organization, and its networks' listings (private links, domains, keys, peering)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from bot import render
from bot.astra.client import AstraClient
from bot.astra.models import Database
from bot.errors import AstraNotFound, UsageError
from bot.intents import Intent
from bot.ports import Replier
from bot.service.context import Request
from bot.service.handlers.common import clip
from bot.service.outcome import Outcome
from bot.service.registry import Entry
from bot.service.resolve import name_of, need


def _get(obj: Any, key: str) -> Any:
    """``obj[key]`` read case-insensitively (the wire casing of these objects varies)."""
    if not isinstance(obj, Mapping):
        return None
    folded = key.replace("_", "").lower()
    for k, v in obj.items():
        if str(k).replace("_", "").lower() == folded:
            return v
    return None


def _items(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list) else []


def private_link_lines(data: Mapping[str, Any], db_names: Mapping[str, str]) -> list[str]:
    lines: list[str] = []
    for cluster in _items(_get(data, "clusters")):
        cid = str(_get(cluster, "clusterID") or "?")
        name = f"*{db_names[cid]}* " if cid in db_names else ""
        for dc in _items(_get(cluster, "datacenters")) or [{}]:
            service = _get(dc, "serviceName")
            principals = _items(_get(dc, "allowedPrincipals"))
            endpoints = [
                f"`{_get(e, 'endpointID') or '?'}` {_get(e, 'status') or ''}"
                + (f" ({clip(str(_get(e, 'description')), 60)})" if _get(e, "description") else "")
                for e in _items(_get(dc, "endpoints"))
            ]
            lines.append(
                f"{name}`{cid}` dc `{_get(dc, 'datacenterID') or '?'}`"
                + (f" · service `{service}`" if service else "")
                + (f" · {render.count(len(principals), 'allowed principal')}" if principals else "")
                + (" · endpoints: " + ", ".join(endpoints) if endpoints else " · no endpoint")
            )
    return lines


def kms_lines(keys: Sequence[Mapping[str, Any]]) -> list[str]:
    lines = []
    for k in keys:
        cloud = _get(k, "CloudProvider")
        key_id, region = _get(k, "KeyID"), _get(k, "Region")
        if cloud is None:  # the ExternalKMS shape: {"orgId", "aws": {"keyID", "region"}}
            for provider in ("aws", "gcp", "azure"):
                block = _get(k, provider)
                if isinstance(block, Mapping):
                    cloud, key_id, region = provider, _get(block, "keyID"), _get(block, "region")
        lines.append(f"{str(cloud or '?').lower()} / {region or '?'}: `{key_id or '?'}`")
    return lines


def _vpc(v: Any) -> str:
    if not isinstance(v, Mapping):
        return "—"
    return (
        f"{_get(v, 'provider') or '?'} · account {_get(v, 'account') or '?'} · "
        f"VPC `{_get(v, 'vpcId') or '?'}` · `{_get(v, 'cidrBlock') or '?'}`"
    )


class OrgHandlers:
    """The `org` command and the network listings."""

    def __init__(self, astra: AstraClient) -> None:
        self.astra = astra

    def entries(self) -> list[Entry]:
        return [
            Entry("org.show", handler=self.show),
            Entry("private-link.list", handler=self.private_link_list),
            Entry("custom-domain.list", handler=self.custom_domain_list),
            Entry("kms.list", handler=self.kms_list),
            Entry("peering.show", handler=self.peering_show),
        ]

    async def show(
        self, req: Request, intent: Intent, reply: Replier, db: Database | None
    ) -> Outcome:
        org = await self.astra.current_org()
        return Outcome(
            "org shown",
            private=render.key_values(
                "Organization", [("Name", org.name or "—"), ("Id", f"`{org.id}`")]
            ),
        )

    async def private_link_list(
        self, req: Request, intent: Intent, reply: Replier, db: Database | None
    ) -> Outcome:
        data = await self.astra.list_private_links()
        db_names: dict[str, str] = {}
        if _items(_get(data, "clusters")):
            db_names = {d.id: name_of(d) for d in await self.astra.list_databases()}
        lines = private_link_lines(data, db_names)
        return Outcome(
            render.count(len(lines), "private-link datacenter"),
            private=render.bullet_list("Private links", lines, empty="No private links."),
        )

    async def custom_domain_list(
        self, req: Request, intent: Intent, reply: Replier, db: Database | None
    ) -> Outcome:
        domains = await self.astra.list_custom_domains()
        return Outcome(
            render.count(len(domains), "custom domain"),
            private=render.bullet_list(
                "Custom domains", [f"`{d}`" for d in domains], empty="No custom domains."
            ),
        )

    async def kms_list(
        self, req: Request, intent: Intent, reply: Replier, db: Database | None
    ) -> Outcome:
        keys = await self.astra.list_kms_keys()
        return Outcome(
            render.count(len(keys), "customer key"),
            private=render.bullet_list(
                "Customer keys (KMS)", kms_lines(keys), empty="No customer keys."
            ),
        )

    async def peering_show(
        self, req: Request, intent: Intent, reply: Replier, db: Database | None
    ) -> Outcome:
        db = need(db)
        provider = (intent.opt("cloud") or db.info.cloud_provider or "").lower()
        if not provider:
            raise UsageError("Say which cloud: `--cloud aws|gcp|azure`.", usage=intent.spec.usage)
        try:
            conn = await self.astra.get_vpc_peering(provider, db.id)
        except AstraNotFound:
            # the database exists (it was resolved): 404 means "no peering connection"
            return Outcome(
                f"no VPC peering for {name_of(db)} on {provider}",
                private=render.plain(
                    f"*{name_of(db)}* has no VPC peering connection on {provider}."
                ),
            )
        pairs = [
            ("Connection", f"`{_get(conn, 'connectionId') or '?'}`"),
            ("Status", str(_get(conn, "status") or "?")),
            ("Astra VPC", _vpc(_get(conn, "currentVpc"))),
            ("Peered VPC", _vpc(_get(conn, "otherVpc"))),
        ]
        return Outcome(
            f"VPC peering of {name_of(db)} on {provider}: {_get(conn, 'status') or '?'}",
            private=render.key_values(f"VPC peering of {name_of(db)} ({provider})", pairs),
        )

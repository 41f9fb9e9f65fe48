"""org: the organization, and its networks' listings (private links, domains, keys, peering)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.astra.client import AstraClient
from bot.commands.db import ShowPeering
from bot.commands.org import (
    ListCustomDomains,
    ListCustomerKeys,
    ListPrivateLinks,
    ShowOrganization,
)
from bot.errors import AstraNotFound, UsageError
from bot.render import org as words
from bot.service.outcome import Outcome
from bot.service.registry import Call, Handlers, handles
from bot.service.resolve import name_of


@dataclass(frozen=True)
class OrgHandlers(Handlers):
    """The `org` command and the network listings."""

    astra: AstraClient

    @handles(ShowOrganization)
    async def show(self, cmd: ShowOrganization, call: Call) -> Outcome:
        org = await self.astra.current_org()
        return Outcome("org shown", private=words.organization(org.name, org.id))

    @handles(ListPrivateLinks)
    async def private_link_list(self, cmd: ListPrivateLinks, call: Call) -> Outcome:
        data = await self.astra.list_private_links()
        db_names: dict[str, str] = {}
        if words.items(words.field(data, "clusters")):
            db_names = {d.id: name_of(d) for d in await self.astra.list_databases()}
        return Outcome(*words.private_links(data, db_names))

    @handles(ListCustomDomains)
    async def custom_domain_list(self, cmd: ListCustomDomains, call: Call) -> Outcome:
        return Outcome(*words.custom_domains(await self.astra.list_custom_domains()))

    @handles(ListCustomerKeys)
    async def kms_list(self, cmd: ListCustomerKeys, call: Call) -> Outcome:
        list_keys = self.astra.list_classic_kms_keys if cmd.classic else self.astra.list_kms_keys
        return Outcome(*words.customer_keys(await list_keys()))

    @handles(ShowPeering)
    async def peering_show(self, cmd: ShowPeering, call: Call) -> Outcome:
        db = call.database
        provider = (cmd.cloud or db.info.cloud_provider or "").lower()
        if not provider:
            raise UsageError("Say which cloud: `--cloud aws|gcp|azure`.", usage=cmd.spec.usage)
        try:
            conn = await self.astra.get_vpc_peering(provider, db.id)
        except AstraNotFound:
            # the database exists (it was resolved): 404 means "no peering connection"
            return Outcome(*words.no_peering(name_of(db), provider))
        return Outcome(*words.peering(name_of(db), provider, conn))

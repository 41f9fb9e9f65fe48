"""org: the organizations (which one a channel uses, `org list`, `org use`) and an org's
networks' listings (private links, domains, keys, peering)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.astra.orgs import Org, Orgs
from bot.commands.db import ShowPeering
from bot.commands.org import (
    ListCustomDomains,
    ListCustomerKeys,
    ListOrgs,
    ListPrivateLinks,
    ShowOrganization,
    UseOrg,
)
from bot.errors import AstraError, AstraNotFound, UsageError
from bot.render import org as words
from bot.service.org_choice import OrgChoice
from bot.service.outcome import Outcome
from bot.service.registry import Call, Handlers, handles
from bot.service.resolve import name_of
from bot.store.repo import Store


def _view(org: Org, default: str, channels: tuple[str, ...] = ()) -> words.OrgView:
    return words.OrgView(org.name, org.id, org.title, org.problem, org.name == default, channels)


@dataclass(frozen=True)
class OrgHandlers(Handlers):
    """The `org` commands and the network listings. ``choice``: the org of each channel."""

    orgs: Orgs
    store: Store
    choice: OrgChoice

    @handles(ShowOrganization)
    async def show(self, cmd: ShowOrganization, call: Call) -> Outcome:
        org = call.org
        try:
            await org.org_id()
        except AstraError:
            if not self.orgs.several:
                raise  # one org: its error, as before
        chosen = await self.choice.stored(call.req.channel_id) is not None
        view = _view(org, self.orgs.default.name)
        return Outcome(
            f"org shown: {org.name}",
            private=words.organization(view, several=self.orgs.several, chosen=chosen),
        )

    @handles(ListOrgs)
    async def list(self, cmd: ListOrgs, call: Call) -> Outcome:
        await self.orgs.learn()  # the ids not learned yet (a refusal is kept, not raised)
        async with self.store.transaction(doing="reading the channels' orgs") as tx:
            chosen = await tx.channel_orgs.all()
        default = self.orgs.default.name
        views = []
        for org in self.orgs:
            channels = tuple(sorted(c for c, name in chosen.items() if name == org.name))
            views.append(_view(org, default, channels))
        return Outcome(*words.org_list(views))

    @handles(UseOrg)
    async def use(self, cmd: UseOrg, call: Call) -> Outcome:
        org = self.choice.named(cmd.name)
        req = call.req
        async with self.store.transaction(doing="setting the channel's org") as tx:
            before = await tx.channel_orgs.use(req.channel_id, org.name, req.user_id)
        return Outcome(
            f"channel {req.channel_id} uses org {org.name}"
            + (f" (was {before})" if before else ""),
            channel=words.org_used(req.user_id, org.name, before),
        )

    @handles(ListPrivateLinks)
    async def private_link_list(self, cmd: ListPrivateLinks, call: Call) -> Outcome:
        data = await call.org.astra.list_private_links()
        db_names: dict[str, str] = {}
        if words.items(words.field(data, "clusters")):
            db_names = {d.id: name_of(d) for d in await call.org.astra.list_databases()}
        return Outcome(*words.private_links(data, db_names))

    @handles(ListCustomDomains)
    async def custom_domain_list(self, cmd: ListCustomDomains, call: Call) -> Outcome:
        return Outcome(*words.custom_domains(await call.org.astra.list_custom_domains()))

    @handles(ListCustomerKeys)
    async def kms_list(self, cmd: ListCustomerKeys, call: Call) -> Outcome:
        astra = call.org.astra
        list_keys = astra.list_classic_kms_keys if cmd.classic else astra.list_kms_keys
        return Outcome(*words.customer_keys(await list_keys()))

    @handles(ShowPeering)
    async def peering_show(self, cmd: ShowPeering, call: Call) -> Outcome:
        db = call.database
        provider = (cmd.cloud or db.info.cloud_provider or "").lower()
        if not provider:
            raise UsageError("Say which cloud: `--cloud aws|gcp|azure`.", usage=cmd.spec.usage)
        try:
            conn = await call.org.astra.get_vpc_peering(provider, db.id)
        except AstraNotFound:
            # the database exists (it was resolved): 404 means "no peering connection"
            return Outcome(*words.no_peering(name_of(db), provider))
        return Outcome(*words.peering(name_of(db), provider, conn))

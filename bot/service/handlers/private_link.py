"""private-link: a database's private links, the principals allowed on them, endpoints."""

from __future__ import annotations

from dataclasses import dataclass

from bot.astra.client import AstraClient
from bot.astra.models import Database, Datacenter
from bot.commands import network as cmds
from bot.errors import AstraNotFound, NotFound, UsageError
from bot.render import network as words
from bot.service.outcome import Outcome
from bot.service.registry import Call, Handlers, confirms, handles, prechecks
from bot.service.resolve import Resolver, name_of


@dataclass(frozen=True)
class PrivateLinkHandlers(Handlers):
    """The `private-link` commands but `private-link list` (an org listing, in org.py)."""

    resolver: Resolver

    async def _datacenter(self, astra: AstraClient, db: Database, region: str | None) -> Datacenter:
        """The database's live datacenter in ``region`` (or its only one, if none is said)."""
        live = [dc for dc in await astra.list_datacenters(db.id) if dc.status != "TERMINATED"]
        regions = ", ".join(f"`{dc.region}`" for dc in live) or "none"
        if region is None:
            if len(live) == 1:
                return live[0]
            raise UsageError(
                f"`{name_of(db)}` has several regions ({regions}): say which with `--region`."
            )
        found = next((dc for dc in live if (dc.region or "").lower() == region), None)
        if found is None:
            raise NotFound(f"`{name_of(db)}` has no region `{region}` (it has {regions}).")
        return found

    @handles(cmds.ShowPrivateLink)
    async def show(self, cmd: cmds.ShowPrivateLink, call: Call) -> Outcome:
        db = call.database
        if cmd.region is None:
            cluster = await call.org.astra.list_cluster_private_links(db.id)
            dcs = await call.org.astra.list_datacenters(db.id, all=True)
            regions = {dc.id: dc.region or "?" for dc in dcs}
            return Outcome(*words.private_link_cluster(name_of(db), cluster, regions))
        dc = await self._datacenter(call.org.astra, db, cmd.region)
        link = await call.org.astra.get_datacenter_private_link(db.id, dc.id)
        return Outcome(*words.private_link_datacenter(name_of(db), dc.region or "?", link))

    @handles(cmds.AllowPrincipals)
    async def allow(self, cmd: cmds.AllowPrincipals, call: Call) -> Outcome:
        db = call.database
        dc = await self._datacenter(call.org.astra, db, cmd.region)
        # the first principals set the service up; later ones are added to it
        first = not (await call.org.astra.get_datacenter_private_link(db.id, dc.id)).configured
        service = await call.org.astra.allow_principals(db.id, dc.id, cmd.principals, first=first)
        audit, private, channel = words.principals_allowed(
            call.req.user_id, name_of(db), dc.region or "?", cmd.principals, service, first
        )
        return Outcome(audit, private=private, channel=channel)

    @prechecks(cmds.RemovePrincipal)
    async def removable(self, cmd: cmds.RemovePrincipal, call: Call) -> None:
        db = call.database
        dc = await self._datacenter(call.org.astra, db, cmd.region)
        link = await call.org.astra.get_datacenter_private_link(db.id, dc.id)
        if cmd.principal not in link.allowed_principals:
            raise NotFound(
                f"`{cmd.principal}` is not allowed on the private link of `{name_of(db)}` "
                f"in `{dc.region}`."
            )

    @confirms(cmds.RemovePrincipal)
    async def remove(self, cmd: cmds.RemovePrincipal, call: Call) -> Outcome:
        db = await self.resolver.resolve_db(call.org.astra, cmd.db)
        dc = await self._datacenter(call.org.astra, db, cmd.region)
        await call.org.astra.remove_allowed_principal(db.id, dc.id, cmd.principal)
        audit, channel = words.principal_removed(call.req.user_id, name_of(db), dc.region or "?")
        return Outcome(audit, channel=channel)

    @handles(cmds.AcceptEndpoint, cmds.DescribeEndpoint)
    async def set_endpoint(
        self, cmd: cmds.AcceptEndpoint | cmds.DescribeEndpoint, call: Call
    ) -> Outcome:
        """Accept and describe alike: the endpoint, its description set, as Astra answers."""
        db = call.database
        dc = await self._datacenter(call.org.astra, db, cmd.region)
        accepting = isinstance(cmd, cmds.AcceptEndpoint)
        astra = call.org.astra
        set_it = astra.accept_private_endpoint if accepting else astra.describe_private_endpoint
        endpoint = await set_it(db.id, dc.id, cmd.endpoint, cmd.description or "")
        audit, channel = words.endpoint_changed(
            call.req.user_id,
            name_of(db),
            dc.region or "?",
            endpoint,
            "accepted" if accepting else "described",
        )
        return Outcome(audit, channel=channel)

    @handles(cmds.ShowEndpoint)
    async def show_endpoint(self, cmd: cmds.ShowEndpoint, call: Call) -> Outcome:
        db = call.database
        dc = await self._datacenter(call.org.astra, db, cmd.region)
        endpoint = await call.org.astra.get_private_endpoint(db.id, dc.id, cmd.endpoint)
        return Outcome(*words.endpoint_detail(name_of(db), dc.region or "?", endpoint))

    @prechecks(cmds.RejectEndpoint)
    async def rejectable(self, cmd: cmds.RejectEndpoint, call: Call) -> None:
        db = call.database
        dc = await self._datacenter(call.org.astra, db, cmd.region)
        try:
            await call.org.astra.get_private_endpoint(db.id, dc.id, cmd.endpoint)
        except AstraNotFound:
            raise NotFound(
                f"`{name_of(db)}` has no endpoint `{cmd.endpoint}` in `{dc.region}`."
            ) from None

    @confirms(cmds.RejectEndpoint)
    async def reject(self, cmd: cmds.RejectEndpoint, call: Call) -> Outcome:
        db = await self.resolver.resolve_db(call.org.astra, cmd.db)
        dc = await self._datacenter(call.org.astra, db, cmd.region)
        await call.org.astra.reject_private_endpoint(db.id, dc.id, cmd.endpoint)
        audit, channel = words.endpoint_rejected(
            call.req.user_id, name_of(db), dc.region or "?", cmd.endpoint
        )
        return Outcome(audit, channel=channel)

"""access-list: a database's allowed addresses, and the DevOps API's."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from bot import render
from bot.astra.client import AstraClient
from bot.astra.models import AccessList, AccessListAddress, Database
from bot.commands.db import AllowAddress, DisallowAddress, ShowAccessList, ShowDevopsAccessList
from bot.errors import NotFound
from bot.render.access import AddressView
from bot.service.outcome import Outcome
from bot.service.registry import Call, Handlers, confirms, escalates, handles, prechecks
from bot.service.resolve import Resolver, name_of


def _same_address(a: str, b: str) -> bool:
    """``10.0.0.1`` and ``10.0.0.1/32`` are the same entry."""
    try:
        return ipaddress.IPv4Network(a, strict=False) == ipaddress.IPv4Network(b, strict=False)
    except ValueError:
        return a == b


def _find_address(acl: AccessList, cidr: str) -> AccessListAddress | None:
    return next((a for a in acl.addresses if _same_address(a.address, cidr)), None)


def _starts_enforcing(acl: AccessList) -> bool:
    """Whether adding an address turns the list on: Astra enforces a database's access list
    once it has an entry (``configurations.accessListEnabled``), refusing every client that
    is not on it, so the first entry of an empty list cuts off everyone else."""
    return not acl.configurations.access_list_enabled and not acl.addresses


def _view(a: AccessListAddress) -> AddressView:
    return AddressView(a.address, a.enabled, a.description, a.last_update_date_time)


@dataclass(frozen=True)
class AccessListHandlers(Handlers):
    """The `access-list` commands."""

    resolver: Resolver

    @handles(ShowDevopsAccessList)
    async def devops(self, cmd: ShowDevopsAccessList, call: Call) -> Outcome:
        data = await call.org.astra.get_devops_access_list(await call.org.org_id())
        addresses = [
            AddressView(
                str(a.get("address")), bool(a.get("enabled", True)), a.get("description") or ""
            )
            for a in data.get("addresses") or []
            if isinstance(a, dict)
        ]
        message, listed = render.devops_access_list(addresses)
        return Outcome(listed, private=message)

    @handles(ShowAccessList)
    async def show(self, cmd: ShowAccessList, call: Call) -> Outcome:
        db = call.database
        acl = await call.org.astra.get_access_list(db.id)
        enabled = acl.configurations.access_list_enabled
        listed = render.count(len(acl.addresses), "address", "addresses")
        return Outcome(
            f"access list of {name_of(db)}: {listed}, "
            + ("enabled" if enabled else "not enforced"),
            private=render.access_list(name_of(db), enabled, [_view(a) for a in acl.addresses]),
        )

    @escalates(AllowAddress)
    async def first_entry(self, cmd: AllowAddress, call: Call) -> str | None:
        """The first entry of an empty access list is a destructive change: what its
        confirmation says. Later entries cut nobody off and run directly (None)."""
        db = call.database
        if not _starts_enforcing(await call.org.astra.get_access_list(db.id)):
            return None
        return render.first_entry(cmd.cidr, name_of(db))

    @handles(AllowAddress)
    async def add(self, cmd: AllowAddress, call: Call) -> Outcome:
        return await self._add(call, cmd, call.database)

    @confirms(AllowAddress)
    async def add_confirmed(self, cmd: AllowAddress, call: Call) -> Outcome:
        outcome = await self._add(call, cmd, await self.resolver.resolve_db(call.org.astra, cmd.db))
        # a confirmed add has nobody to answer privately: the channel asked
        return Outcome(outcome.audit, channel=outcome.channel or outcome.private)

    async def _add(self, call: Call, cmd: AllowAddress, db: Database) -> Outcome:
        cidr, by = cmd.cidr, call.req.user_id
        description = (cmd.description or "").strip() or f"added from Slack by {by}"
        before = await call.org.astra.get_access_list(db.id)
        existing = _find_address(before, cidr)
        if existing is not None and existing.enabled and existing.description == description:
            return Outcome(
                f"{cidr} already on the access list of {name_of(db)}",
                private=render.already_allowed(existing.address, name_of(db)),
            )
        await call.org.astra.add_access_list_addresses(db.id, [(cidr, description)])
        return Outcome(
            f"allowed {cidr} on {name_of(db)}",
            channel=render.allowed(
                by, cidr, description, name_of(db), enforced_now=_starts_enforcing(before)
            ),
        )

    async def _listed_address(
        self, astra: AstraClient, db: Database, cidr: str
    ) -> tuple[AccessList, AccessListAddress]:
        acl = await astra.get_access_list(db.id)
        entry = _find_address(acl, cidr)
        if entry is None:
            msg, hint = render.not_listed(cidr, name_of(db), [a.address for a in acl.addresses])
            raise NotFound(msg, hint=hint)
        return acl, entry

    @prechecks(DisallowAddress)
    async def precheck_remove(self, cmd: DisallowAddress, call: Call) -> None:
        await self._listed_address(call.org.astra, call.database, cmd.cidr)

    @confirms(DisallowAddress)
    async def remove_confirmed(self, cmd: DisallowAddress, call: Call) -> Outcome:
        db = await self.resolver.resolve_db(call.org.astra, cmd.db)
        acl, entry = await self._listed_address(call.org.astra, db, cmd.cidr)
        # the stored spelling (`10.0.0.1/32` vs `10.0.0.1`) is the one Astra will match
        await call.org.astra.delete_access_list_addresses(db.id, [entry.address])
        return Outcome(
            f"removed {entry.address} from {name_of(db)}",
            channel=render.removed(
                entry.address, name_of(db), call.req.user_id, now_empty=len(acl.addresses) == 1
            ),
        )

"""access-list: a database's allowed addresses, and the DevOps API's."""

from __future__ import annotations

import ipaddress

from bot import render
from bot.astra.client import AstraClient
from bot.astra.models import AccessList, AccessListAddress, Database
from bot.errors import NotFound
from bot.intents import Intent
from bot.ports import Replier
from bot.render.mrkdwn import md, user
from bot.service.context import Context, Request
from bot.service.handlers.common import clip, day
from bot.service.outcome import Outcome
from bot.service.registry import Entry
from bot.service.resolve import Resolver, name_of, need


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


def _address_line(a: AccessListAddress) -> str:
    state = "enabled" if a.enabled else "disabled"
    desc = f" — {clip(a.description, 120)}" if a.description else ""
    when = f" · updated {day(a.last_update_date_time)}" if a.last_update_date_time else ""
    return f"`{a.address}` {state}{desc}{when}"


class AccessListHandlers:
    """The `access-list` commands."""

    def __init__(self, ctx: Context, astra: AstraClient, resolver: Resolver) -> None:
        self.ctx = ctx
        self.astra = astra
        self.resolver = resolver

    def entries(self) -> list[Entry]:
        return [
            Entry("access-list.devops", handler=self.devops),
            Entry("access-list.show", handler=self.show),
            # the first entry of an empty list is destructive: confirmed first (below)
            Entry(
                "access-list.add",
                handler=self.add,
                confirmed=self.add_confirmed,
                escalate=self.first_entry,
            ),
            Entry(
                "access-list.remove", confirmed=self.remove_confirmed, precheck=self.precheck_remove
            ),
        ]

    async def devops(
        self, req: Request, intent: Intent, reply: Replier, db: Database | None
    ) -> Outcome:
        data = await self.astra.get_devops_access_list(await self.ctx.org_id())
        addresses = data.get("addresses") or []
        lines = [
            f"`{a.get('address')}` {'enabled' if a.get('enabled', True) else 'disabled'}"
            + (f" — {a.get('description')}" if a.get("description") else "")
            for a in addresses
            if isinstance(a, dict)
        ]
        return Outcome(
            render.count(len(lines), "devops address", "devops addresses"),
            private=render.bullet_list(
                "DevOps API access list",
                lines,
                empty="No addresses: the DevOps API accepts this organization's tokens from "
                "anywhere.",
            ),
        )

    async def show(
        self, req: Request, intent: Intent, reply: Replier, db: Database | None
    ) -> Outcome:
        db = need(db)
        acl = await self.astra.get_access_list(db.id)
        enabled = acl.configurations.access_list_enabled
        state = (
            "enabled: only these addresses may connect"
            if enabled
            else "not enforced: any address may connect"
        )
        shown = render.bullet_list(
            f"Access list of {name_of(db)} ({state})",
            [_address_line(a) for a in acl.addresses],
            empty="No addresses.",
        )
        listed = render.count(len(acl.addresses), "address", "addresses")
        return Outcome(
            f"access list of {name_of(db)}: {listed}, "
            + ("enabled" if enabled else "not enforced"),
            private=shown,
        )

    async def first_entry(self, intent: Intent, db: Database | None) -> str | None:
        """The first entry of an empty access list is a destructive change: what its
        confirmation says. Later entries cut nobody off and run directly (None)."""
        db = need(db)
        if not _starts_enforcing(await self.astra.get_access_list(db.id)):
            return None
        return md(
            "add `{}` to the access list of *{}*. This is the first entry: Astra will "
            "then refuse every client not on the list.",
            intent.arg("cidr"),
            name_of(db),
        )

    async def add(
        self, req: Request, intent: Intent, reply: Replier, db: Database | None
    ) -> Outcome:
        return await self._add(req, intent, need(db))

    async def add_confirmed(self, req: Request, intent: Intent, message_ts: str | None) -> Outcome:
        outcome = await self._add(req, intent, await self.resolver.resolve_db(intent.arg("db")))
        # a confirmed add has nobody to answer privately: the channel asked
        return Outcome(outcome.audit, channel=outcome.channel or outcome.private)

    async def _add(self, req: Request, intent: Intent, db: Database) -> Outcome:
        cidr = intent.arg("cidr")
        description = (
            intent.opt("description") or ""
        ).strip() or f"added from Slack by {req.user_id}"
        before = await self.astra.get_access_list(db.id)
        existing = _find_address(before, cidr)
        if existing is not None and existing.enabled and existing.description == description:
            return Outcome(
                f"{cidr} already on the access list of {name_of(db)}",
                private=render.plain(
                    f"`{existing.address}` is already allowed on *{name_of(db)}*."
                ),
            )
        await self.astra.add_access_list_addresses(db.id, [(cidr, description)])
        text = md(
            ":shield: {} allowed `{}` ({}) on the access list of *{}*.",
            user(req.user_id),
            cidr,
            clip(description, 120),
            name_of(db),
        )
        if _starts_enforcing(before):
            # Astra starts enforcing a list once it has an address: say so, loudly.
            text += md(
                "\n:warning: This was the first address: the access list is now enforced and only "
                "listed addresses may connect."
            )
        return Outcome(f"allowed {cidr} on {name_of(db)}", channel=render.plain(text))

    async def _listed_address(
        self, db: Database, cidr: str
    ) -> tuple[AccessList, AccessListAddress]:
        acl = await self.astra.get_access_list(db.id)
        entry = _find_address(acl, cidr)
        if entry is None:
            listed = ", ".join(f"`{a.address}`" for a in acl.addresses) or "none"
            raise NotFound(
                f"`{cidr}` is not on the access list of `{name_of(db)}`.",
                hint=f"Its addresses: {listed}.",
            )
        return acl, entry

    async def precheck_remove(self, intent: Intent, db: Database | None) -> None:
        await self._listed_address(need(db), intent.arg("cidr"))

    async def remove_confirmed(
        self, req: Request, intent: Intent, message_ts: str | None
    ) -> Outcome:
        db = await self.resolver.resolve_db(intent.arg("db"))
        acl, entry = await self._listed_address(db, intent.arg("cidr"))
        # the stored spelling (`10.0.0.1/32` vs `10.0.0.1`) is the one Astra will match
        await self.astra.delete_access_list_addresses(db.id, [entry.address])
        left = len(acl.addresses) - 1
        text = md(
            ":shield: Removed `{}` from the access list of *{}* (asked by {}).",
            entry.address,
            name_of(db),
            user(req.user_id),
        )
        if left == 0:
            text += md("\n:warning: The access list is now empty.")
        return Outcome(f"removed {entry.address} from {name_of(db)}", channel=render.plain(text))

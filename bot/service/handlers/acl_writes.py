"""access-list: every database's list at once, a whole list replaced or cleared, one entry
updated, validation and the template; and the DevOps API's own list changed (add, replace,
update, delete) without the bot locking itself out of the API.

Every change is confirmed with its diff (``@summarizes``), and the click recomputes it from
the list as Astra has it then: what runs is what the list is at the click, never a plan
kept from when the command was typed. The bot's own egress (``ASTRA_BOT_EGRESS_CIDRS``;
Astra cannot say where the bot's requests come from) must stay admitted by a DevOps API
list unless ``--force``; unset, the bot cannot tell, and any change that leaves a list in
place needs ``--force``. Deleting the list never locks anyone out: the feature is then off.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot import render
from bot.astra.models import (
    AccessList,
    AddressEntry,
    Database,
    DevOpsAccessList,
    diff_entries,
    excluded,
)
from bot.astra.models.admin import network
from bot.commands.admin import (
    AccessListTemplate,
    AddDevopsAddress,
    ClearAccessList,
    DeleteDevopsAccessList,
    ListAllAccessLists,
    ReplaceAccessList,
    ReplaceDevopsAccessList,
    UpdateAccessListEntry,
    UpdateDevopsAddress,
    ValidateAccessList,
)
from bot.errors import NotFound, UsageError
from bot.render import admin as words
from bot.service.outcome import Outcome
from bot.service.registry import Call, Handlers, confirms, handles, prechecks, summarizes
from bot.service.resolve import Resolver, name_of

DevopsChange = AddDevopsAddress | ReplaceDevopsAccessList | UpdateDevopsAddress
Plan = tuple[list[AddressEntry], list[AddressEntry]]


def entries_of(acl: AccessList) -> list[AddressEntry]:
    return [AddressEntry(a.address, a.enabled, a.description) for a in acl.addresses]


def _same(a: str, b: str) -> bool:
    """``10.0.0.1`` and ``10.0.0.1/32`` are one entry."""
    return a == b or (network(a) is not None and network(a) == network(b))


def _listed(entries: Sequence[AddressEntry], cidr: str) -> AddressEntry | None:
    return next((e for e in entries if _same(e.address, cidr)), None)


def replaced(
    before: Sequence[AddressEntry], cidrs: Sequence[str], description: str | None
) -> list[AddressEntry]:
    """The new whole list: an address listed already keeps its state and description, a
    new one is enabled, with ``description``."""
    out: list[AddressEntry] = []
    for cidr in cidrs:
        if _listed(out, cidr) is None:
            out.append(_listed(before, cidr) or AddressEntry(cidr, True, description or ""))
    return out


def updated(
    before: Sequence[AddressEntry],
    cidr: str,
    enabled: bool | None,
    description: str | None,
    where: str,
) -> list[AddressEntry]:
    """``before`` with the entry of ``cidr`` changed; NotFound when it is not listed."""
    old = _listed(before, cidr)
    if old is None:
        raise NotFound(f"`{cidr}` is not in {where}.", hint="Add it first.")
    new = AddressEntry(
        old.address,
        old.enabled if enabled is None else enabled,
        old.description if description is None else description,
    )
    return [new if e is old else e for e in before]


def added(
    before: Sequence[AddressEntry], cidrs: Sequence[str], description: str | None
) -> list[AddressEntry]:
    """``before`` and the addresses of ``cidrs`` it does not list yet (a listed one stays as
    it is: Astra would refuse the whole POST for it, 409)."""
    new = [c for c in cidrs if _listed(before, c) is None]
    return [*before, *replaced([], new, description)]


def _something(enabled: bool | None, description: str | None, usage: str) -> None:
    if enabled is None and description is None:
        raise UsageError(
            "Say what to change: `--enable`, `--disable` or `--description`.", usage=usage
        )


def _changes(plan: Plan, what: str) -> None:
    """UsageError when the new list is the old one (no confirmation for nothing)."""
    if diff_entries(*plan).empty:
        raise UsageError(f"Nothing to change: {what} is like that already.")


@dataclass(frozen=True)
class AclWriteHandlers(Handlers):
    """`access-list list|replace|update|clear|validate|template` and `access-list devops
    add|replace|update|delete` (show, add and remove are access_list.py's)."""

    resolver: Resolver
    #: ASTRA_BOT_EGRESS_CIDRS: where the bot's own requests come from (empty: unknown); one
    #: process, one egress, whichever org it calls
    egress: tuple[str, ...]

    # ------------------------------------------------------------------ database lists

    @handles(ListAllAccessLists)
    async def list_all(self, cmd: ListAllAccessLists, call: Call) -> Outcome:
        lists = await call.org.astra.list_all_access_lists()
        names = {d.id: name_of(d) for d in await call.org.astra.list_databases()}
        rows = sorted(
            ((names.get(a.database_id or "", a.database_id or "?"), a) for a in lists),
            key=lambda row: row[0].lower(),
        )
        return Outcome(render.count(len(rows), "access list"), private=words.all_lists(rows))

    async def _entries(self, call: Call, ref: str) -> tuple[Database, list[AddressEntry]]:
        db = await self.resolver.resolve_db(call.org.astra, ref)
        return db, entries_of(await call.org.astra.get_access_list(db.id))

    @prechecks(ReplaceAccessList)
    async def replace_changes(self, cmd: ReplaceAccessList, call: Call) -> None:
        found, before = await self._entries(call, cmd.db)
        plan = (before, replaced(before, cmd.cidr, cmd.description))
        _changes(plan, f"the access list of {name_of(found)}")

    @summarizes(ReplaceAccessList)
    async def replace_summary(self, cmd: ReplaceAccessList, call: Call) -> str:
        found, before = await self._entries(call, cmd.db)
        after = replaced(before, cmd.cidr, cmd.description)
        return words.replace_summary(name_of(found), diff_entries(before, after))

    @confirms(ReplaceAccessList)
    async def replace(self, cmd: ReplaceAccessList, call: Call) -> Outcome:
        db, before = await self._entries(call, cmd.db)
        after = replaced(before, cmd.cidr, cmd.description)
        await call.org.astra.replace_access_list(db.id, after)
        diff = diff_entries(before, after)
        return Outcome(
            f"access list of {name_of(db)} replaced: {len(diff.added)} added, "
            f"{len(diff.removed)} removed",
            channel=words.list_changed(call.req.user_id, name_of(db), diff),
        )

    async def _update_plan(self, cmd: UpdateAccessListEntry, call: Call) -> tuple[Database, Plan]:
        db, before = await self._entries(call, cmd.db)
        where = f"the access list of {name_of(db)}"
        return db, (before, updated(before, cmd.cidr, cmd.enabled, cmd.description, where))

    @prechecks(UpdateAccessListEntry)
    async def update_listed(self, cmd: UpdateAccessListEntry, call: Call) -> None:
        _something(cmd.enabled, cmd.description, cmd.spec.usage)
        found, plan = await self._update_plan(cmd, call)
        _changes(plan, f"`{cmd.cidr}` in the access list of {name_of(found)}")

    @summarizes(UpdateAccessListEntry)
    async def update_summary(self, cmd: UpdateAccessListEntry, call: Call) -> str:
        found, (before, after) = await self._update_plan(cmd, call)
        return words.update_summary(name_of(found), diff_entries(before, after))

    @confirms(UpdateAccessListEntry)
    async def update(self, cmd: UpdateAccessListEntry, call: Call) -> Outcome:
        db, (before, after) = await self._update_plan(cmd, call)
        diff = diff_entries(before, after)
        await call.org.astra.update_access_list(db.id, [new for _, new in diff.changed])
        return Outcome(
            f"{cmd.cidr} updated in the access list of {name_of(db)}",
            channel=words.list_changed(call.req.user_id, name_of(db), diff, cmd.cidr),
        )

    @prechecks(ClearAccessList)
    async def clear_something(self, cmd: ClearAccessList, call: Call) -> None:
        found, before = await self._entries(call, cmd.db)
        if not before:
            raise UsageError(f"The access list of {name_of(found)} has no address already.")

    @summarizes(ClearAccessList)
    async def clear_summary(self, cmd: ClearAccessList, call: Call) -> str:
        found, before = await self._entries(call, cmd.db)
        return words.clear_summary(name_of(found), before)

    @confirms(ClearAccessList)
    async def clear(self, cmd: ClearAccessList, call: Call) -> Outcome:
        db, before = await self._entries(call, cmd.db)
        await call.org.astra.clear_access_list(db.id)
        return Outcome(
            f"access list of {name_of(db)} deleted ({len(before)} addresses)",
            channel=words.list_cleared(call.req.user_id, name_of(db), len(before)),
        )

    @handles(ValidateAccessList)
    async def validate(self, cmd: ValidateAccessList, call: Call) -> Outcome:
        entries = [AddressEntry(a, True, "") for a in cmd.address]
        result = await call.org.astra.validate_access_list(entries)
        verdict = "valid" if result.valid else "not valid"
        return Outcome(
            f"access list validated: {verdict}", private=words.validation(result, entries)
        )

    @handles(AccessListTemplate)
    async def template(self, cmd: AccessListTemplate, call: Call) -> Outcome:
        found = await call.org.astra.access_list_template()
        return Outcome("access-list template shown", private=words.template(found))

    # ------------------------------------------------------------------ the DevOps API list

    async def _devops(self, call: Call) -> list[AddressEntry]:
        data = await call.org.astra.get_devops_access_list(await call.org.org_id())
        return DevOpsAccessList.model_validate(data).entries()

    async def _devops_plan(self, cmd: DevopsChange, call: Call) -> Plan:
        """The DevOps API list before and after ``cmd``; refused, unless forced, when the
        list after it may not admit the bot's own requests."""
        before = await self._devops(call)
        if isinstance(cmd, AddDevopsAddress):
            after = added(before, cmd.cidr, cmd.description)
        elif isinstance(cmd, ReplaceDevopsAccessList):
            after = replaced(before, cmd.cidr, cmd.description)
        else:
            where = "the DevOps API access list"
            after = updated(before, cmd.cidr, cmd.enabled, cmd.description, where)
        left_out = self._left_out(after)
        if (left_out or not self.egress) and not cmd.force:
            message, hint = words.lockout_refused(self.egress, left_out)
            raise UsageError(message, hint=hint, usage=cmd.spec.usage)
        return before, after

    def _left_out(self, after: Sequence[AddressEntry]) -> list[str]:
        return excluded([(e.address, e.enabled) for e in after], self.egress)

    async def _devops_summary(self, cmd: DevopsChange, call: Call, what: str) -> str:
        before, after = await self._devops_plan(cmd, call)
        note = words.lockout(self.egress, self._left_out(after), bool(cmd.force))
        return words.devops_summary(what, diff_entries(before, after), note)

    async def _devops_done(self, cmd: DevopsChange, call: Call, what: str, plan: Plan) -> Outcome:
        diff = diff_entries(*plan)
        return Outcome(
            f"DevOps API access list: {what.lower()} ({len(diff.added)} added, "
            f"{len(diff.removed)} removed, {len(diff.changed)} changed"
            + (", forced" if cmd.force else "")
            + ")",
            channel=words.devops_changed(call.req.user_id, what, diff),
        )

    @prechecks(AddDevopsAddress, ReplaceDevopsAccessList, UpdateDevopsAddress)
    async def devops_safe(self, cmd: DevopsChange, call: Call) -> None:
        if isinstance(cmd, UpdateDevopsAddress):
            _something(cmd.enabled, cmd.description, cmd.spec.usage)
        _changes(await self._devops_plan(cmd, call), "the DevOps API access list")

    @summarizes(AddDevopsAddress)
    async def devops_add_summary(self, cmd: AddDevopsAddress, call: Call) -> str:
        return await self._devops_summary(cmd, call, "add to")

    @summarizes(ReplaceDevopsAccessList)
    async def devops_replace_summary(self, cmd: ReplaceDevopsAccessList, call: Call) -> str:
        return await self._devops_summary(cmd, call, "replace")

    @summarizes(UpdateDevopsAddress)
    async def devops_update_summary(self, cmd: UpdateDevopsAddress, call: Call) -> str:
        return await self._devops_summary(cmd, call, "update")

    @confirms(AddDevopsAddress)
    async def devops_add(self, cmd: AddDevopsAddress, call: Call) -> Outcome:
        plan = await self._devops_plan(cmd, call)
        new = diff_entries(*plan).added
        await call.org.astra.add_devops_access_list(await call.org.org_id(), new)
        return await self._devops_done(cmd, call, "Added to", plan)

    @confirms(ReplaceDevopsAccessList)
    async def devops_replace(self, cmd: ReplaceDevopsAccessList, call: Call) -> Outcome:
        plan = await self._devops_plan(cmd, call)
        await call.org.astra.replace_devops_access_list(await call.org.org_id(), plan[1])
        return await self._devops_done(cmd, call, "Replaced", plan)

    @confirms(UpdateDevopsAddress)
    async def devops_update(self, cmd: UpdateDevopsAddress, call: Call) -> Outcome:
        plan = await self._devops_plan(cmd, call)
        for _, new in diff_entries(*plan).changed:
            await call.org.astra.update_devops_access_list(await call.org.org_id(), new)
        return await self._devops_done(cmd, call, "Updated", plan)

    @prechecks(DeleteDevopsAccessList)
    async def devops_something(self, cmd: DeleteDevopsAccessList, call: Call) -> None:
        if not await self._devops(call):
            raise UsageError(
                "The DevOps API access list has no address already: the DevOps API accepts "
                "this organization's tokens from any address."
            )

    @summarizes(DeleteDevopsAccessList)
    async def devops_delete_summary(self, cmd: DeleteDevopsAccessList, call: Call) -> str:
        return words.devops_delete_summary(await self._devops(call))

    @confirms(DeleteDevopsAccessList)
    async def devops_delete(self, cmd: DeleteDevopsAccessList, call: Call) -> Outcome:
        before = await self._devops(call)
        await call.org.astra.delete_devops_access_list(await call.org.org_id())
        return Outcome(
            f"DevOps API access list deleted ({len(before)} addresses)",
            channel=words.devops_deleted(call.req.user_id, len(before)),
        )

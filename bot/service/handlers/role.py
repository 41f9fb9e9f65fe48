"""role: the organization's Astra roles (not the bot's own: see perm.py)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from bot import render
from bot.astra.client import AstraClient
from bot.astra.models import ASTRA_PERMISSIONS, Role
from bot.commands.iam import CreateRole, DeleteRole, GetRole, ListRoles
from bot.errors import AstraBadRequest, AstraConflict, AstraNotFound, NotFound, UsageError
from bot.render import iam
from bot.render.core import shorten
from bot.service.handlers.common import suggest
from bot.service.outcome import Outcome
from bot.service.registry import Call, Handlers, confirms, handles, prechecks
from bot.service.resolve import Resolver, name_of


async def roles_by_id(astra: AstraClient) -> dict[str, Role]:
    return {r.id: r for r in await astra.list_roles()}


def _match_role(ref: str, roles: Sequence[Role]) -> Role | None:
    """A role by id, or by name case-insensitively; UsageError when a name is ambiguous."""
    ref = ref.strip()
    by_id = [r for r in roles if r.id == ref]
    if by_id:
        return by_id[0]
    named = [r for r in roles if r.name.lower() == ref.lower()]
    if len(named) > 1:
        ids = ", ".join(f"`{r.id}`" for r in named)
        raise UsageError(f"`{ref}` names {len(named)} Astra roles ({ids}); give the role id.")
    return named[0] if named else None


def _unknown_role(ref: str, roles: Sequence[Role], given: Sequence[str]) -> UsageError:
    joined = " ".join(given)
    hint = "`/astra role list` shows the organization's roles."
    if len(given) > 1 and any(r.name.lower() == joined.lower() for r in roles):
        hint = f'A role name with spaces must be quoted: `--role "{joined}"`.'
    return UsageError(
        f"There is no Astra role `{ref}`.",
        suggestions=suggest(ref, [r.name for r in roles]),
        hint=hint,
    )


async def resolve_roles(astra: AstraClient, refs: Sequence[str], usage: str) -> list[Role]:
    if not refs:
        raise UsageError("Give at least one Astra role (`--role <role>`).", usage=usage)
    roles = await astra.list_roles()
    found: list[Role] = []
    for ref in refs:
        role = _match_role(ref, roles)
        if role is None:
            raise _unknown_role(ref, roles, refs)
        if role.id not in {r.id for r in found}:
            found.append(role)
    return found


async def resolve_role(astra: AstraClient, ref: str) -> Role:
    roles = await astra.list_roles()
    role = _match_role(ref, roles)
    if role is not None:
        return role
    if re.fullmatch(r"[0-9a-fA-F-]{32,36}", ref.strip()):
        # an id the list does not show (paged or filtered answers): ask for it directly
        try:
            return await astra.get_role(ref.strip())
        except (AstraNotFound, AstraBadRequest):
            pass
    raise NotFound(
        f"There is no Astra role `{ref}`.",
        hint=render.did_you_mean(
            suggest(ref, [r.name for r in roles]), "`/astra role list` shows the roles."
        ),
    )


def role_resources(org_id: str, db_ids: Sequence[str] = ()) -> list[str]:
    """Policy resources of a role: the organization plus every database (``db:*``), or only
    the databases given, each with its keyspaces and tables — as Astra's own default roles
    (fixtures Roles.json) and the Astra portal write them."""
    org = f"drn:astra:org:{org_id}"
    targets = list(dict.fromkeys(db_ids)) or ["*"]
    out = [org]
    for t in targets:
        out += [f"{org}:db:{t}", f"{org}:db:{t}:keyspace:*", f"{org}:db:{t}:keyspace:*:table:*"]
    return out


_DB_RESOURCE = re.compile(r"^drn:astra:org:[^:]+:db:([^:]+)$")


def _db_ids(resources: Sequence[str]) -> list[str]:
    """The databases a role's resources name (``*``: every one)."""
    return [m.group(1) for r in resources if (m := _DB_RESOURCE.match(r))]


def check_permissions(perms: Sequence[str], usage: str) -> list[str]:
    if not perms:
        raise UsageError(
            "Give at least one Astra permission (`--permission org-db-view`).",
            usage=usage,
            hint="Permissions are Astra's policy actions, like `org-db-view` or `db-cql`.",
        )
    out: list[str] = []
    for p in perms:
        action = p.strip().lower()
        if action not in ASTRA_PERMISSIONS:
            raise UsageError(
                f"`{shorten(p, 60)}` is not an Astra permission.",
                usage=usage,
                suggestions=suggest(action, sorted(ASTRA_PERMISSIONS)),
                hint="Astra permissions look like `org-db-view`, `db-keyspace-create`, "
                "`org-token-read`.",
            )
        if action not in out:
            out.append(action)
    return out


@dataclass(frozen=True)
class RoleHandlers(Handlers):
    """The `role` commands."""

    resolver: Resolver

    @handles(ListRoles)
    async def list(self, cmd: ListRoles, call: Call) -> Outcome:
        return Outcome(*iam.role_list(await call.org.astra.list_roles()))

    @handles(GetRole)
    async def get(self, cmd: GetRole, call: Call) -> Outcome:
        role = await resolve_role(call.org.astra, cmd.role)
        dbs = _db_ids(role.policy.resources)
        db_names: dict[str, str] = {}
        if any(d != "*" for d in dbs):
            db_names = {
                d.id: name_of(d) for d in await call.org.astra.list_databases(include="all")
            }
        return Outcome(
            f"role {role.id} shown", private=iam.role_detail(role, iam.role_scope(dbs, db_names))
        )

    @handles(CreateRole)
    async def create(self, cmd: CreateRole, call: Call) -> Outcome:
        name = cmd.name.strip()
        actions = check_permissions(cmd.permissions, cmd.spec.usage)
        existing = next(
            (r for r in await call.org.astra.list_roles() if r.name.lower() == name.lower()), None
        )
        if existing is not None:
            raise UsageError(
                f"An Astra role named `{existing.name}` already exists (`{existing.id}`).",
                hint="Pick another name, or `/astra role get` it.",
            )
        dbs = [await self.resolver.resolve_db(call.org.astra, ref) for ref in cmd.db]
        org = await call.org.org_id()
        resources = role_resources(org, [d.id for d in dbs])
        try:
            created = await call.org.astra.create_role(name, actions, resources, cmd.description)
        except AstraConflict as err:
            # 409 here means a name clash, not a database state (the generic 409 text says that)
            raise UsageError(f"Astra refused to create role `{name}`: it already exists.") from err
        role_id = created if isinstance(created, str) else created.id
        return Outcome(
            f"role {name} ({role_id}) created",
            channel=iam.role_created(
                call.req.user_id, name, role_id, actions, [name_of(d) for d in dbs]
            ),
        )

    @prechecks(DeleteRole)
    async def precheck_delete(self, cmd: DeleteRole, call: Call) -> None:
        await resolve_role(call.org.astra, cmd.role)

    @confirms(DeleteRole)
    async def delete_confirmed(self, cmd: DeleteRole, call: Call) -> Outcome:
        role = await resolve_role(call.org.astra, cmd.role)
        await call.org.astra.delete_role(role.id)
        return Outcome(
            f"role {role.name or role.id} ({role.id}) deleted",
            channel=iam.role_deleted(call.req.user_id, role),
        )

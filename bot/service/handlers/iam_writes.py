"""role update, token legacy: an Astra role's permissions, databases, name or description
changed (confirmed with the diff), and the legacy ``clientIdSecrets`` tokens listed and
generated (the secret shown once, only to the requester). Revoking either kind of token is
`token revoke` (``DELETE /v2/clientIdSecrets/{clientId}``; token.py)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from bot.astra.models import Policy, Role
from bot.commands.admin import CreateLegacyToken, ListLegacyTokens, UpdateRole
from bot.errors import UsageError
from bot.render import admin as words
from bot.service.handlers.role import check_permissions, resolve_role, resolve_roles, role_resources
from bot.service.handlers.token import created_token, listed
from bot.service.outcome import Outcome
from bot.service.registry import Call, Handlers, confirms, handles, prechecks, summarizes
from bot.service.resolve import Resolver


@dataclass(frozen=True)
class IamWriteHandlers(Handlers):
    """`role update` and `token legacy list|create`. ``own``: the bot's token's client id."""

    resolver: Resolver
    #: org name → the client id of the bot's own token there
    own: Mapping[str, str | None]

    async def _role_plan(self, cmd: UpdateRole, call: Call) -> tuple[Role, str, Policy]:
        """The role as it is, and its name and policy once ``cmd`` is applied."""
        role = await resolve_role(call.org.astra, cmd.role)
        actions = (
            check_permissions(cmd.permissions, cmd.spec.usage)
            if cmd.permissions
            else list(role.policy.actions)
        )
        resources = list(role.policy.resources)
        if cmd.db:
            dbs = [await self.resolver.resolve_db(call.org.astra, ref) for ref in cmd.db]
            resources = role_resources(await call.org.org_id(), [d.id for d in dbs])
        description = role.policy.description if cmd.description is None else cmd.description
        policy = Policy(
            description=description, actions=actions, resources=resources, effect="allow"
        )
        return role, (cmd.name or role.name).strip(), policy

    @prechecks(UpdateRole)
    async def role_updatable(self, cmd: UpdateRole, call: Call) -> None:
        if not (cmd.permissions or cmd.db or cmd.name or cmd.description is not None):
            raise UsageError(
                "Say what to change: `--permission`, `--db`, `--name` or `--description`.",
                usage=cmd.spec.usage,
            )
        role, name, policy = await self._role_plan(cmd, call)
        if (name, policy.description, policy.actions, policy.resources) == (
            role.name,
            role.policy.description,
            role.policy.actions,
            role.policy.resources,
        ):
            raise UsageError(f"Nothing to change: the Astra role {role.name} is like that already.")

    @summarizes(UpdateRole)
    async def role_summary(self, cmd: UpdateRole, call: Call) -> str:
        role, name, policy = await self._role_plan(cmd, call)
        diff = words.role_diff(role, name, policy.description, policy.actions, policy.resources)
        return words.role_update_summary(role, diff)

    @confirms(UpdateRole)
    async def update_role(self, cmd: UpdateRole, call: Call) -> Outcome:
        role, name, policy = await self._role_plan(cmd, call)
        diff = words.role_diff(role, name, policy.description, policy.actions, policy.resources)
        await call.org.astra.update_role(role.id, name, policy)
        return Outcome(
            f"role {role.name or role.id} ({role.id}) updated",
            channel=words.role_updated(call.req.user_id, role, diff),
        )

    @handles(ListLegacyTokens)
    async def legacy_list(self, cmd: ListLegacyTokens, call: Call) -> Outcome:
        tokens = await call.org.astra.list_legacy_tokens()
        return await listed(call.org.astra, tokens, self.own.get(call.org.name), "legacy token")

    @handles(CreateLegacyToken)
    async def legacy_create(self, cmd: CreateLegacyToken, call: Call) -> Outcome:
        roles = await resolve_roles(call.org.astra, cmd.role, cmd.spec.usage)
        created = await call.org.astra.create_legacy_token([r.id for r in roles], cmd.description)
        return created_token(created, roles, call.req.user_id, cmd.description, "legacy token")

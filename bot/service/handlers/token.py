"""token: application tokens; a new secret is shown once, only to its requester."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from pydantic import SecretStr

from bot import render
from bot.astra.client import AstraClient
from bot.astra.models import CreatedToken, Role, Token
from bot.astra.orgs import Org
from bot.commands.iam import CreateToken, ListTokens, RevokeToken
from bot.errors import AstraForbidden, NotFound, UsageError
from bot.render import iam
from bot.service.handlers.common import suggest
from bot.service.handlers.role import resolve_roles, roles_by_id
from bot.service.outcome import Outcome
from bot.service.registry import Call, Handlers, confirms, handles, prechecks


def own_client_id(token: SecretStr | None) -> str | None:
    """The client id of the bot's own token (``AstraCS:<clientId>:<hex>``), if it has one."""
    if token is None:
        return None
    parts = token.get_secret_value().strip().split(":")
    return parts[1] if len(parts) == 3 and parts[0] == "AstraCS" and parts[1] else None


async def listed(astra: AstraClient, tokens: Sequence[Token], own: str | None, what: str
                 ) -> Outcome:  # fmt: skip
    """The tokens with their roles' names (``what``: the audit's word for them)."""
    try:
        roles = await roles_by_id(astra)
    except AstraForbidden:
        roles = {}  # the bot may list tokens without reading roles: show ids then
    return Outcome(render.count(len(tokens), what), private=iam.token_list(tokens, roles, own))


def created_token(created: CreatedToken, roles: Sequence[Role], by: str,
                  description: str | None, what: str) -> Outcome:  # fmt: skip
    """A new token: its secret once, privately; the channel is told there is one."""
    return Outcome(
        f"{what} {created.client_id} created ({iam.names_of(roles)})",
        private=iam.token_secret(created, roles),
        channel=iam.token_created(by, created.client_id, roles, description),
    )


@dataclass(frozen=True)
class TokenHandlers(Handlers):
    """The `token` commands. ``own``: org name → the client id of the bot's own token there."""

    own: Mapping[str, str | None]

    @handles(ListTokens)
    async def list(self, cmd: ListTokens, call: Call) -> Outcome:
        tokens = await call.org.astra.list_tokens()
        return await listed(call.org.astra, tokens, self.own.get(call.org.name), "token")

    @handles(CreateToken)
    async def create(self, cmd: CreateToken, call: Call) -> Outcome:
        roles = await resolve_roles(call.org.astra, cmd.role, cmd.spec.usage)
        created = await call.org.astra.create_token([r.id for r in roles], cmd.description)
        return created_token(created, roles, call.req.user_id, cmd.description, "token")

    async def _revocable(self, org: Org, client_id: str) -> None:
        """A token of ``org`` that exists and is not the bot's own."""
        if client_id == self.own.get(org.name):
            raise UsageError(
                f"`{client_id}` is the bot's own token: revoking it would lock the bot out.",
                hint="Rotate it in the Astra portal and update `ASTRA_DB_APPLICATION_TOKEN` first.",
            )
        tokens = await org.astra.list_tokens()
        if not any(t.client_id == client_id for t in tokens):
            near = suggest(client_id, [t.client_id for t in tokens], n=2)
            raise NotFound(
                f"There is no application token with client id `{client_id}`.",
                hint=render.did_you_mean(near, "`/astra token list` shows the tokens."),
            )

    @prechecks(RevokeToken)
    async def precheck_revoke(self, cmd: RevokeToken, call: Call) -> None:
        await self._revocable(call.org, cmd.client_id)

    @confirms(RevokeToken)
    async def revoke_confirmed(self, cmd: RevokeToken, call: Call) -> Outcome:
        await self._revocable(call.org, cmd.client_id)
        await call.org.astra.revoke_token(cmd.client_id)
        return Outcome(
            f"token {cmd.client_id} revoked",
            channel=iam.token_revoked(call.req.user_id, cmd.client_id),
        )

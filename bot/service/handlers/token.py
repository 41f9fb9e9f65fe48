"""token: application tokens; a new secret is shown once, only to its requester."""

from __future__ import annotations

from bot import render
from bot.astra.client import AstraClient
from bot.astra.models import Database
from bot.errors import AstraForbidden, NotFound, UsageError
from bot.intents import Intent
from bot.ports import Replier
from bot.render.mrkdwn import md, user
from bot.service.context import Context, Request
from bot.service.handlers.common import clip, day, suggest
from bot.service.handlers.role import resolve_roles, role_names, roles_by_id
from bot.service.outcome import Outcome
from bot.service.registry import Entry


class TokenHandlers:
    """The `token` commands."""

    def __init__(self, ctx: Context, astra: AstraClient) -> None:
        self.ctx = ctx
        self.astra = astra

    def entries(self) -> list[Entry]:
        return [
            Entry("token.list", handler=self.list),
            Entry("token.create", handler=self.create),
            Entry("token.revoke", confirmed=self.revoke_confirmed, precheck=self.precheck_revoke),
        ]

    def _own_client_id(self) -> str | None:
        """The client id of the bot's own token (``AstraCS:<clientId>:<hex>``), if it has one."""
        token = self.ctx.settings.astra_token
        if token is None:
            return None
        parts = token.get_secret_value().strip().split(":")
        return parts[1] if len(parts) == 3 and parts[0] == "AstraCS" and parts[1] else None

    async def list(
        self, req: Request, intent: Intent, reply: Replier, db: Database | None
    ) -> Outcome:
        tokens = await self.astra.list_tokens()
        try:
            roles = await roles_by_id(self.astra)
        except AstraForbidden:
            roles = {}  # the bot may list tokens without reading roles: show ids then
        own = self._own_client_id()
        lines = []
        for t in sorted(tokens, key=lambda t: (t.generated_on or "", t.client_id)):
            desc = f" — “{clip(t.description, 80)}”" if t.description else ""
            expiry = f" · expires {day(t.token_expiry)}" if day(t.token_expiry) != "—" else ""
            mine = " · *this bot's token*" if own and t.client_id == own else ""
            lines.append(
                f"`{t.client_id}` {role_names(t.roles, roles)}{desc} · generated "
                f"{day(t.generated_on)}{expiry}{mine}"
            )
        return Outcome(
            render.count(len(tokens), "token"),
            private=render.bullet_list(f"Application tokens ({len(tokens)})", lines),
        )

    async def create(
        self, req: Request, intent: Intent, reply: Replier, db: Database | None
    ) -> Outcome:
        roles = await resolve_roles(self.astra, intent.many("role"), intent.spec.usage)
        description = intent.opt("description")
        created = await self.astra.create_token([r.id for r in roles], description)
        names = ", ".join(r.name or r.id for r in roles)
        lines = [
            f"*Client ID*: `{created.client_id}`",
            f"*Client secret*: `{created.secret.get_secret_value()}`",
        ]
        if created.token is not None:
            lines.append(f"*Token*: `{created.token.get_secret_value()}`")
        lines.append(f"*Roles*: {names}")
        if created.token_expiry:
            lines.append(f"*Expires*: {created.token_expiry}")
        return Outcome(
            f"token {created.client_id} created ({names})",
            private=render.secret_once(
                "New Astra application token — shown once, only to you",
                lines,
                "Copy it now into a secret store: the bot does not keep it and cannot show it "
                "again. If it is lost or leaked, `/astra token revoke "
                f"{created.client_id}` and create another.",
            ),
            channel=render.plain(
                md(
                    ":key: {} created an Astra application token `{}` ({}){}. The secret was shown "
                    "only to them.",
                    user(req.user_id),
                    created.client_id,
                    names,
                    " — " + clip(description, 80) if description else "",
                )
            ),
        )

    async def _revocable(self, client_id: str) -> None:
        """A token that exists and is not the bot's own."""
        if client_id == self._own_client_id():
            raise UsageError(
                f"`{client_id}` is the bot's own token: revoking it would lock the bot out.",
                hint="Rotate it in the Astra portal and update `ASTRA_DB_APPLICATION_TOKEN` first.",
            )
        tokens = await self.astra.list_tokens()
        if not any(t.client_id == client_id for t in tokens):
            near = suggest(client_id, [t.client_id for t in tokens], n=2)
            raise NotFound(
                f"There is no application token with client id `{client_id}`.",
                hint=render.did_you_mean(near, "`/astra token list` shows the tokens."),
            )

    async def precheck_revoke(self, intent: Intent, db: Database | None) -> None:
        await self._revocable(intent.arg("client_id"))

    async def revoke_confirmed(
        self, req: Request, intent: Intent, message_ts: str | None
    ) -> Outcome:
        client_id = intent.arg("client_id")
        await self._revocable(client_id)
        await self.astra.revoke_token(client_id)
        return Outcome(
            f"token {client_id} revoked",
            channel=render.plain(
                md(
                    ":key: Revoked the Astra token `{}` (asked by {}).",
                    client_id,
                    user(req.user_id),
                )
            ),
        )

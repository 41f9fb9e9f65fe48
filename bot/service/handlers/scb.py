"""scb: a signed link to the secure connect bundle, shown once to the requester."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from bot import render
from bot.astra.client import AstraClient
from bot.astra.models import Database
from bot.errors import NotFound
from bot.intents import Intent
from bot.ports import Replier
from bot.render.mrkdwn import link, md
from bot.service.context import Context, Request
from bot.service.outcome import Outcome
from bot.service.registry import Entry
from bot.service.resolve import name_of, need
from bot.service.views import db_view

#: Seconds a signed secure-bundle URL lives when the URL does not say (spec: "about 5 min").
BUNDLE_TTL = 300


def _bundle_ttl(url: str) -> int:
    """Seconds the signed URL lives: its ``X-Amz-Expires``, else about 5 minutes."""
    try:
        values = parse_qs(urlsplit(url).query).get("X-Amz-Expires") or []
        return max(0, int(values[0])) if values else BUNDLE_TTL
    except (ValueError, IndexError):
        return BUNDLE_TTL


class ScbHandlers:
    """The `scb` command."""

    def __init__(self, ctx: Context, astra: AstraClient) -> None:
        self.ctx = ctx
        self.astra = astra

    def entries(self) -> list[Entry]:
        return [
            Entry("scb", handler=self.scb),
        ]

    async def scb(
        self, req: Request, intent: Intent, reply: Replier, db: Database | None
    ) -> Outcome:
        db = need(db)
        name = name_of(db)
        region = intent.opt("region")
        bundles = await self.astra.secure_bundle_urls(db.id, all_regions=region is not None)
        if region is not None:
            chosen = [b for b in bundles if (b.region or "").lower() == region.lower()]
            if not chosen:
                known = ", ".join(f"`{b.region}`" for b in bundles if b.region) or "none"
                raise NotFound(f"`{name}` has no region `{region}`.", hint=f"Its regions: {known}.")
        else:
            chosen = bundles[:1]
        if not chosen:
            raise NotFound(f"Astra gave no secure connect bundle for `{name}`.")
        bundle = chosen[0]
        where = bundle.region or db.info.region or "?"
        ttl = _bundle_ttl(bundle.download_url)
        expires = render.when(self.ctx.now() + ttl)
        minutes = max(1, round(ttl / 60))
        label = f"Download secure-connect-{name}.zip"
        lines: list[str] = [md("{} ({})", link(bundle.download_url, label), where)]
        others = [r for r in db_view(db).regions if r != where]
        if region is None and others:
            lines.append(f"Other regions: {', '.join(others)} — add `--region <region>`.")
        return Outcome(
            f"secure connect bundle link for {name} ({where}) sent privately",
            private=render.secret_once(
                f"Secure connect bundle for {name}",
                lines,
                f"Only you can see this link. It expires in about {minutes} minutes (around "
                f"{expires}); run `/astra scb {name}` again for a fresh one. Do not share it: "
                "anyone holding it can download the bundle.",
            ),
        )

"""scb: a signed link to the secure connect bundle, shown once to the requester."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from bot import render
from bot.commands.db import GetSecureBundle
from bot.errors import NotFound
from bot.service.context import Clock
from bot.service.outcome import Outcome
from bot.service.registry import Call, Handlers, handles
from bot.service.resolve import name_of
from bot.service.views import db_view

#: Seconds a signed secure-bundle URL lives when the URL does not say (spec: "about 5 min").
BUNDLE_TTL = 300


@dataclass(frozen=True)
class ScbHandlers(Handlers):
    """The `scb` command."""

    #: the time now: a signed link says how long it lives, the message says until when
    clock: Clock

    @staticmethod
    def _bundle_ttl(url: str) -> int:
        """Seconds the signed URL lives: its ``X-Amz-Expires``, else about 5 minutes."""
        try:
            values = parse_qs(urlsplit(url).query).get("X-Amz-Expires") or []
            return max(0, int(values[0])) if values else BUNDLE_TTL
        except (ValueError, IndexError):
            return BUNDLE_TTL

    @handles(GetSecureBundle)
    async def scb(self, cmd: GetSecureBundle, call: Call) -> Outcome:
        region = cmd.region  # one region's bundle, else the first region's
        bundles = await call.org.astra.secure_bundle_urls(
            call.database.id, all_regions=region is not None
        )
        db, name = call.database, name_of(call.database)
        if region is not None:
            chosen = [b for b in bundles if (b.region or "").lower() == region.lower()]
            if not chosen:
                msg, hint = render.no_region(name, region, [b.region for b in bundles])
                raise NotFound(msg, hint=hint)
        else:
            chosen = bundles[:1]
        if not chosen:
            raise NotFound(f"Astra gave no secure connect bundle for `{name}`.")
        bundle = chosen[0]
        where = bundle.region or db.info.region or "?"
        ttl = self._bundle_ttl(bundle.download_url)
        others = [r for r in db_view(db).regions if r != where] if region is None else []
        return Outcome(
            f"secure connect bundle link for {name} ({where}) sent privately",
            private=render.secure_bundle(
                name,
                bundle.download_url,
                where,
                others,
                minutes=max(1, round(ttl / 60)),
                expires=render.when(self.clock() + ttl),
            ),
        )

"""peering: create or delete the VPC peering of a classic database (`peering show` is in
org.py)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.astra.client import AstraClient
from bot.astra.models import PEERING_FIELDS, PEERING_PATTERNS, Database
from bot.commands import network as cmds
from bot.errors import AstraNotFound, NotFound, UsageError
from bot.render import network as words
from bot.service.outcome import Outcome
from bot.service.registry import Call, Handlers, confirms, handles, prechecks
from bot.service.resolve import Resolver, name_of


def _provider(db: Database, cloud: str | None) -> str:
    return (cloud or db.info.cloud_provider or "").lower()


def _fields(settings: tuple[str, ...]) -> dict[str, str]:
    return dict(s.partition("=")[::2] for s in settings)


@dataclass(frozen=True)
class PeeringHandlers(Handlers):
    """`peering create` and `peering delete`."""

    resolver: Resolver

    @prechecks(cmds.CreatePeering)
    async def creatable(self, cmd: cmds.CreatePeering, call: Call) -> None:
        """A classic database, and exactly the fields its cloud's peering needs, well
        formed (official document: AmazonVPC, GoogleVPC, AzureVPC)."""
        db = call.database
        provider = _provider(db, cmd.cloud)
        if not db.is_classic:
            raise UsageError(
                f"`{name_of(db)}` is serverless: VPC peering is for classic databases."
            )
        wanted = PEERING_FIELDS.get(provider, ())
        given = _fields(cmd.settings)
        unknown = sorted(set(given) - set(wanted))
        missing = [f for f in wanted if not given.get(f)]
        if unknown or missing:
            raise UsageError(
                f"A {provider} peering takes {' '.join(f + '=…' for f in wanted)}"
                + (f"; `{unknown[0]}` is not one of them." if unknown else ".")
            )
        for name, pattern in PEERING_PATTERNS.items():
            if name in given and not pattern.match(given[name]):
                raise UsageError(f"`{given[name]}` is not a valid {name}.")

    @handles(cmds.CreatePeering)
    async def create(self, cmd: cmds.CreatePeering, call: Call) -> Outcome:
        db = call.database
        provider = _provider(db, cmd.cloud)
        conn = await call.org.astra.create_vpc_peering(provider, db.id, _fields(cmd.settings))
        audit, private, channel = words.peering_created(
            call.req.user_id, name_of(db), provider, conn
        )
        return Outcome(audit, private=private, channel=channel)

    @prechecks(cmds.DeletePeering)
    async def deletable(self, cmd: cmds.DeletePeering, call: Call) -> None:
        db = call.database
        provider = _provider(db, cmd.cloud)
        if not await self._peered(call.org.astra, provider, db.id):
            raise NotFound(f"`{name_of(db)}` has no VPC peering connection on {provider}.")

    async def _peered(self, astra: AstraClient, provider: str, db_id: str) -> bool:
        try:
            await astra.get_vpc_peering(provider, db_id)
        except AstraNotFound:  # the database was resolved: 404 is "no peering connection"
            return False
        return True

    @confirms(cmds.DeletePeering)
    async def delete(self, cmd: cmds.DeletePeering, call: Call) -> Outcome:
        db = await self.resolver.resolve_db(call.org.astra, cmd.db)
        provider = _provider(db, cmd.cloud)
        await call.org.astra.delete_vpc_peering(provider, db.id)
        audit, channel = words.peering_deleted(call.req.user_id, name_of(db), provider)
        return Outcome(audit, channel=channel)

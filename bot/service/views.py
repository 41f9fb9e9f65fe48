"""What the service shows of Astra's and the policy's objects, as render's view data."""

from __future__ import annotations

from bot.astra.models import Database
from bot.policy import Actor, Place, Rules, roles_of
from bot.render import DbView
from bot.render.mrkdwn import Mrkdwn, join, md


def db_view(db: Database) -> DbView:
    info = db.info
    regions = tuple(dict.fromkeys(dc.region for dc in info.datacenters if dc.region))
    return DbView(
        id=db.id,
        name=info.name or db.id,
        status=db.status,
        cloud=info.cloud_provider or "",
        region=info.region or "",
        tier=info.tier or "",
        keyspaces=tuple(db.keyspaces),
        regions=regions,
        # the Data API and vector search are serverless only, whatever a classic one says
        endpoint=None if db.is_classic else db.api_endpoint,
        created=db.creation_time,
        capacity_units=info.capacity_units,
        db_type=None if db.is_classic else info.db_type,
        message=db.message,
    )


def roles_line(rules: Rules, actor: Actor, place: Place) -> Mrkdwn:
    bindings = roles_of(rules, actor, place)
    if not bindings:
        return md("You have no role here.")
    roles = join(", ", sorted({b.describe() for b in bindings}))
    guard = rules.guards.get(place.channel_id)
    capped = md(" This channel is guarded to {}.", guard) if guard else ""
    return md("Your roles: {}.{}", roles, capped)

"""What the service shows of Astra's objects, as render's view data."""

from __future__ import annotations

from bot.astra.models import Database
from bot.render import DbView


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

"""The DevOps API v3 calls of change data capture (CDC).

A mixin of :class:`bot.astra.client.AstraClient` like those of :mod:`bot.astra.calls`
(kept apart so that neither module outgrows the house limit): build, send, decipher.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.astra.http import cdc
from bot.astra.models.cdc import CdcConfig, CdcTable
from bot.astra.transport import Transport, sending


class CdcCalls(Transport):
    """A database's CDC: which tables stream their changes, through which regions."""

    async def get_cdc(self, db_id: str) -> CdcConfig:
        return await self._ask(cdc.get_cdc(db_id), cdc.parse_cdc)

    #: The arguments are the builder's (ParamSpec), said once.
    enable_cdc = sending(cdc.enable_cdc)
    #: The tables and regions given become the whole configuration.
    update_cdc = sending(cdc.update_cdc)

    async def delete_cdc(self, db_id: str, tables: Sequence[CdcTable]) -> None:
        await self._send(cdc.delete_cdc(db_id, tables))

    async def get_cdc_table_status(self, db_id: str, keyspace: str, table: str) -> list[CdcConfig]:
        return await self._ask(
            cdc.get_cdc_table_status(db_id, keyspace, table), cdc.parse_cdc_statuses
        )

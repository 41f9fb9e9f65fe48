"""The DevOps API calls of PCU groups, and of snapshots and clones.

Mixins of :class:`bot.astra.client.AstraClient` like those of :mod:`bot.astra.calls`
(kept apart so that neither module outgrows the house limit): build, send, decipher.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.astra.http import clone, pcu
from bot.astra.models.pcu import PcuGroup, PcuType
from bot.astra.transport import Transport, asking, sending


class PcuCalls(Transport):
    """PCU groups (tag ``PCU``): the groups, their types, and the datacenters in each."""

    async def list_pcu_groups(self, group_ids: Sequence[str] = ()) -> list[PcuGroup]:
        """Every group of the org, or those of ``group_ids``."""
        return await self._ask(pcu.list_pcu_groups(group_ids), pcu.parse_pcu_groups)

    async def get_pcu_group(self, group_id: str) -> PcuGroup:
        """One group (pcuGet of its id): AstraNotFound if the answer does not hold it."""
        return await self._ask(pcu.list_pcu_groups([group_id]), pcu.parse_pcu_group)

    async def list_pcu_types(
        self, provider: str | None = None, region: str | None = None
    ) -> list[PcuType]:
        return await self._ask(pcu.list_pcu_types(provider, region), pcu.parse_pcu_types)

    async def get_datacenter_pcu_group(self, dc_id: str) -> list[PcuGroup]:
        """The group holding datacenter ``dc_id`` (an empty list: none)."""
        return await self._ask(pcu.get_datacenter_pcu_group(dc_id), pcu.parse_pcu_groups)

    #: The client's signature is the builder's (ParamSpec): the arguments are said once.
    create_pcu_group = asking(pcu.create_pcu_group, pcu.parse_pcu_group)
    update_pcu_group = sending(pcu.update_pcu_group)
    delete_pcu_group = sending(pcu.delete_pcu_group)
    #: Starts parking (PARKING, then PARKED); follow it with :meth:`get_pcu_group`.
    park_pcu_group = sending(pcu.park_pcu_group)
    #: Starts unparking (UNPARKING, then ACTIVE).
    unpark_pcu_group = sending(pcu.unpark_pcu_group)
    list_pcu_associations = asking(pcu.list_pcu_associations, pcu.parse_pcu_associations)
    associate_pcu_datacenter = sending(pcu.associate_pcu_datacenter)
    dissociate_pcu_datacenter = sending(pcu.dissociate_pcu_datacenter)
    transfer_pcu_association = sending(pcu.transfer_pcu_association)


class SnapshotCalls(Transport):
    """A database's snapshots and the clone of one into another database (tag ``Clone``)."""

    list_snapshots = asking(clone.list_snapshots, clone.parse_snapshots)
    #: Starts the clone: the target goes MAINTENANCE until ACTIVE; the operation is
    #: RUNNING until DONE (or ERROR), read with :meth:`clone_status`.
    clone_database = asking(clone.clone_database, clone.parse_clone_status)
    clone_status = asking(clone.clone_status, clone.parse_clone_status)

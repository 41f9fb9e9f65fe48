"""PURE: PCU groups, their types and datacenter associations; snapshots and clone operations."""

from __future__ import annotations

from pydantic import Field

from bot.astra.models.base import ApiModel


class PcuTypeDetails(ApiModel):
    """``PCUGroupTypeDetails``: the size of one PCU type."""

    v_cpu: int | None = Field(default=None, alias="vCPU")
    memory: str = ""
    disk_cache: str = Field(default="", alias="disk_cache")


class PcuType(ApiModel):
    """``PCUGroupTypeResponse``: a PCU type offered in a provider's region."""

    type: str = ""
    region: str = ""
    provider: str = ""
    details: PcuTypeDetails = Field(default_factory=PcuTypeDetails)


class Audited(ApiModel):
    """Who made and last changed an entry, and when (``PCUGroup``, ``PCUAssociation``)."""

    created_at: str = ""
    updated_at: str = ""
    created_by: str = ""
    updated_by: str = ""


class PcuGroupSettings(ApiModel):
    """What a group's owner chooses (the fields of ``PCUGroupCreateRequest`` and
    ``PCUGroupUpdateRequest`` that the answer echoes)."""

    title: str = ""
    instance_type: str = ""
    provision_type: str = ""
    min: int | None = None
    max: int | None = None
    reserved: int | None = None
    description: str = ""


class PcuGroup(PcuGroupSettings, Audited):
    """``PCUGroup``. ``uuid``, ``cloudProvider`` and ``region`` are what astrapy requires
    (astrapy/data/info/database_info.py ``PCUGroupDescriptor._from_dict``); the rest may
    be absent."""

    uuid: str
    cloud_provider: str
    region: str
    pcu_type: PcuType | None = None
    org_id: str = ""
    #: CREATED, PLACING, INITIALIZING, ACTIVE, PARKING, PARKED, UNPARKING (Java SDK
    #: ``PcuGroupStatusType``); an open set, read as given
    status: str = ""


class PcuAssociation(Audited):
    """``PCUAssociation``: a datacenter placed in a PCU group."""

    datacenter_uuid: str = Field(default="", alias="datacenterUUID")
    pcu_group_uuid: str = Field(default="", alias="pcuGroupUUID")
    provisioning_status: str = ""


class Snapshot(ApiModel):
    """One snapshot of a database: ``{"id", "time"}`` (the document gives listSnapshots no
    schema; the shape is the one astra-db-ts reads, astra-db-clone-admin.ts listSnapshots)."""

    id: str
    time: str = ""


class CloneStatus(ApiModel):
    """``CloneStatus``: the operation and RUNNING, DONE or ERROR."""

    operation_id: str = Field(default="", alias="operationID")
    status: str = ""

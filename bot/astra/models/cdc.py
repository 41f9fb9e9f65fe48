"""PURE: change data capture (v3): the tables and regions of a database's CDC, and a table's."""

from __future__ import annotations

from pydantic import Field

from bot.astra.models.base import ApiModel


class CdcTable(ApiModel):
    """A table whose changes are streamed."""

    keyspace_name: str
    table_name: str


class CdcRegion(ApiModel):
    """A datacenter of the database and the streaming tenant its changes go to."""

    datacenter_id: str = Field(alias="datacenterID")
    datacenter_region: str
    streaming_cluster_name: str
    streaming_tenant_name: str


class CdcConfig(ApiModel):
    """``ListCDCResponse`` (getCDC); with ``status``, ``GetCDCResponse`` (getCDCStatus)."""

    org_id: str = Field(default="", alias="orgID")
    database_id: str = Field(default="", alias="databaseID")
    database_name: str = ""
    tables: list[CdcTable] = Field(default_factory=list)
    regions: list[CdcRegion] = Field(default_factory=list)
    status: str = ""

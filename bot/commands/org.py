"""PURE: the typed commands of the organization: telemetry exports, network and key settings."""

from __future__ import annotations

from dataclasses import dataclass

from bot.commands.base import Command


@dataclass(frozen=True, kw_only=True)
class ShowOrganization(Command, permission="org.show"):
    """`/astra org show`: show the organization."""


@dataclass(frozen=True, kw_only=True)
class ShowMetricsExport(Command, permission="telemetry.metrics.show"):
    """`/astra telemetry metrics show`: show a database's metrics export."""

    db: str


@dataclass(frozen=True, kw_only=True)
class SetMetricsExport(Command, permission="telemetry.metrics.set"):
    """`/astra telemetry metrics set`: set a database's metrics export."""

    db: str
    kind: str
    settings: tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class ShowAuditLogStream(Command, permission="telemetry.audit-log.show"):
    """`/astra telemetry audit-log show`: show the org's audit-log streaming."""


@dataclass(frozen=True, kw_only=True)
class SetAuditLogStream(Command, permission="telemetry.audit-log.set"):
    """`/astra telemetry audit-log set`: set the org's audit-log streaming."""

    settings: tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class DeleteAuditLogStream(Command, permission="telemetry.audit-log.delete"):
    """`/astra telemetry audit-log delete`: stop audit-log streaming (asks for confirmation)."""


@dataclass(frozen=True, kw_only=True)
class ListPrivateLinks(Command, permission="private-link.list"):
    """`/astra private-link list`: list private links."""


@dataclass(frozen=True, kw_only=True)
class ListCustomDomains(Command, permission="custom-domain.list"):
    """`/astra custom-domain list`: list custom domains."""


@dataclass(frozen=True, kw_only=True)
class ListCustomerKeys(Command, permission="kms.list"):
    """`/astra kms list`: list customer keys."""

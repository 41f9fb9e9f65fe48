"""PURE: the typed commands of the organizations (which one a channel uses, each one's
telemetry exports, network and key settings)."""

from __future__ import annotations

from typing import Annotated

from bot.commands.base import Command
from bot.commands.spec import Db, Flag, OrgName, Param, Settings


class ShowOrganization(Command, command="org show", level="viewer"):
    """show the organization this channel's commands go to"""


class ListOrgs(Command, command="org list", level="viewer"):
    """list the organizations this bot serves, and the channels that use each"""


class UseOrg(Command, command="org use", mutating=True):
    """make this channel's commands go to another organization

    /astra org use dev
    """

    name: OrgName


class ShowMetricsExport(Command, command="telemetry metrics show"):
    """show a database's metrics export"""

    db: Db


class SetMetricsExport(Command, command="telemetry metrics set", mutating=True):
    """set a database's metrics export

    /astra telemetry metrics set orders prometheus_remote
    endpoint=https://prom.example.com/api/v1/write auth_strategy=bearer token=…
    """

    db: Db
    kind: Annotated[str, Param("kind", "text")]
    settings: Settings


class ShowAuditLogStream(Command, command="telemetry audit-log show"):
    """show the org's audit-log streaming"""


class SetAuditLogStream(Command, command="telemetry audit-log set", mutating=True):
    """set the org's audit-log streaming"""

    settings: Settings


class DeleteAuditLogStream(Command, command="telemetry audit-log delete", destructive=True):
    """stop audit-log streaming (asks for confirmation)"""


class ListPrivateLinks(Command, command="private-link list"):
    """list private links"""


class ListCustomDomains(Command, command="custom-domain list"):
    """list custom domains"""


class ListCustomerKeys(Command, command="kms list"):
    """list customer keys (of classic databases with --classic)"""

    classic: Annotated[bool | None, Flag("classic", "switch")] = None

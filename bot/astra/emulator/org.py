"""One emulated organization: its state, the route handlers acting on it, its helpers."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from bot.astra.emulator.routes.access_lists import AccessListRoutes
from bot.astra.emulator.routes.admin import AdminRoutes
from bot.astra.emulator.routes.cdc import CdcRoutes
from bot.astra.emulator.routes.clone import CloneRoutes
from bot.astra.emulator.routes.databases import DatabaseRoutes
from bot.astra.emulator.routes.devops_acl import DevOpsAclRoutes
from bot.astra.emulator.routes.extras import ExtraRoutes
from bot.astra.emulator.routes.iam import IamRoutes
from bot.astra.emulator.routes.keys import KeyRoutes
from bot.astra.emulator.routes.pcu import PcuRoutes
from bot.astra.emulator.routes.peering import PeeringRoutes
from bot.astra.emulator.routes.private_link import PrivateLinkRoutes
from bot.astra.emulator.routes.regions import RegionRoutes
from bot.astra.emulator.routes.telemetry import TelemetryRoutes
from bot.astra.emulator.state import _User


class EmulatedOrg(
    DatabaseRoutes,
    RegionRoutes,
    AccessListRoutes,
    TelemetryRoutes,
    IamRoutes,
    ExtraRoutes,
    DevOpsAclRoutes,
    AdminRoutes,
    PrivateLinkRoutes,
    KeyRoutes,
    PeeringRoutes,
    PcuRoutes,
    CloneRoutes,
    CdcRoutes,
):
    """An organization as the DevOps API sees it: everything a token of it reaches.

    The real API scopes every answer to the organization of the bearer token (DevOps API
    "Authentication": a token belongs to one organization), so each org keeps its own
    databases, roles, users, tokens, access lists and telemetry here. A route group is
    a mixin of :class:`RouteBase` whose handlers say their ``@route``; listed here, its
    routes are served (:func:`bot.astra.emulator.routes.common.routes_of`).
    """

    def accepts(self, token: str) -> bool:
        """Whether ``token`` is one of this org's: configured, or created and not revoked.

        Configured tokens are always accepted, even if their client id is revoked, so a
        sandbox cannot lock itself out.
        """
        if token in self.config.tokens:
            return True
        return any(c.token and c.token == token for c in self._clients.values())

    def add_user(self, email: str, *, roles: Iterable[str] = (), status: str = "active") -> str:
        """Add a member of the organization directly; their user id."""
        user_id = str(uuid.uuid4())
        self._users[user_id] = _User(user_id, email, status, list(roles))
        return user_id

    def set_vpc_peering(self, provider: str, db_id: str, connection: dict[str, Any]) -> None:
        self._vpc[(provider.lower(), db_id)] = connection

    def database_names(self, prefix: str = "") -> dict[str, str]:
        """``{id: name}`` of every database (terminated too) whose name starts with ``prefix``."""
        return {db_id: db.name for db_id, db in self._dbs.items() if db.name.startswith(prefix)}

    def forget_databases(self, prefix: str = "") -> int:
        """Drop the databases whose name starts with ``prefix``, as if never created; how many."""
        gone = list(self.database_names(prefix))
        for db_id in gone:
            del self._dbs[db_id]
        return len(gone)

"""The Astra client's access-control and database-administration writes: build, send, decipher.

Access lists of databases (the organization's view, replace, update, clear, validate,
template), the DevOps API access list's writes, a role's update, the legacy
``clientIdSecrets`` tokens, a password reset and a database's engine type.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.astra import http as api
from bot.astra.http import AddressEntry
from bot.astra.models import (
    AccessList,
    AccessListValidation,
    CreatedToken,
    DevOpsAccessList,
    Policy,
    Token,
)
from bot.astra.transport import Transport


class AdminCalls(Transport):
    """Writes of access lists, roles, legacy tokens and database settings."""

    # database access lists ------------------------------------------------------------

    async def list_all_access_lists(self) -> list[AccessList]:
        return await self._ask(api.list_all_access_lists(), api.parse_access_lists)

    async def replace_access_list(
        self, db_id: str, addresses: Sequence[AddressEntry], enabled: bool | None = None
    ) -> None:
        """The whole list becomes ``addresses`` (an empty one is refused: see clear)."""
        await self._send(api.replace_access_list(db_id, addresses, enabled))

    async def update_access_list(
        self, db_id: str, addresses: Sequence[AddressEntry], enabled: bool | None = None
    ) -> None:
        """Change the entries named (enabled, description) and, given, the list's switch."""
        await self._send(api.update_access_list(db_id, addresses, enabled))

    async def clear_access_list(self, db_id: str) -> None:
        await self._send(api.clear_access_list(db_id))

    async def validate_access_list(
        self, addresses: Sequence[AddressEntry], enabled: bool | None = None
    ) -> AccessListValidation:
        return await self._ask(
            api.validate_access_list(addresses, enabled), api.parse_access_list_validation
        )

    async def access_list_template(self) -> AccessList:
        return await self._ask(api.access_list_template(), api.parse_access_list_template)

    # the DevOps API access list -------------------------------------------------------

    async def add_devops_access_list(
        self, org_id: str, addresses: Sequence[AddressEntry]
    ) -> DevOpsAccessList:
        return await self._ask(
            api.add_devops_access_list(org_id, addresses), api.parse_devops_access_list
        )

    async def replace_devops_access_list(
        self, org_id: str, addresses: Sequence[AddressEntry]
    ) -> DevOpsAccessList:
        return await self._ask(
            api.replace_devops_access_list(org_id, addresses), api.parse_devops_access_list
        )

    async def update_devops_access_list(
        self, org_id: str, address: AddressEntry
    ) -> DevOpsAccessList:
        return await self._ask(
            api.update_devops_access_list(org_id, address), api.parse_devops_access_list
        )

    async def delete_devops_access_list(self, org_id: str) -> None:
        await self._send(api.delete_devops_access_list(org_id))

    # roles, legacy tokens -------------------------------------------------------------

    async def update_role(self, role_id: str, name: str, policy: Policy) -> None:
        await self._send(api.update_role(role_id, name, policy))

    async def list_legacy_tokens(self) -> list[Token]:
        return await self._ask(api.list_legacy_tokens(), api.parse_tokens)

    async def create_legacy_token(
        self, roles: list[str], description: str | None = None
    ) -> CreatedToken:
        return await self._ask(api.create_legacy_token(roles, description), api.parse_created_token)

    # databases ------------------------------------------------------------------------

    async def reset_password(self, db_id: str, username: str, password: str) -> None:
        """Sent once; the password is in no message, repr or log line of the client."""
        await self._send(api.reset_password(db_id, username, password))

    async def update_engine_type(self, db_id: str, engine_type: str) -> None:
        await self._send(api.update_engine_type(db_id, engine_type))

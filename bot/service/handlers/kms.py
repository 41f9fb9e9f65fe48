"""kms: customer keys (serverless and classic) and the cloud accounts they must trust.

A key id is the customer's cloud resource (an ARN): it is shown only to the requester,
privately, and the channel is told only that a key was registered, for which region.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.commands import network as cmds
from bot.errors import AstraNotFound
from bot.render import network as words
from bot.service.outcome import Outcome
from bot.service.registry import Call, Handlers, handles


@dataclass(frozen=True)
class KmsHandlers(Handlers):
    """The `kms` commands but `kms list` (in org.py)."""

    @handles(cmds.ShowCustomerKey)
    async def show(self, cmd: cmds.ShowCustomerKey, call: Call) -> Outcome:
        classic = bool(cmd.classic)
        try:
            key = await call.org.astra.get_customer_key(cmd.cloud, cmd.region, classic=classic)
        except AstraNotFound:
            return Outcome(*words.no_customer_key(cmd.cloud, cmd.region, classic))
        return Outcome(*words.customer_key(key, classic))

    @handles(cmds.ListKeyAccounts)
    async def accounts(self, cmd: cmds.ListKeyAccounts, call: Call) -> Outcome:
        classic = bool(cmd.classic)
        found = await call.org.astra.list_key_cloud_accounts(cmd.cloud, cmd.region, classic=classic)
        return Outcome(*words.key_accounts(cmd.cloud, cmd.region, classic, found))

    @handles(cmds.CreateCustomerKey)
    async def create(self, cmd: cmds.CreateCustomerKey, call: Call) -> Outcome:
        classic = bool(cmd.classic)
        await call.org.astra.create_customer_key(cmd.cloud, cmd.region, cmd.key, classic=classic)
        audit, private, channel = words.key_created(
            call.req.user_id, cmd.cloud, cmd.region, cmd.key, classic
        )
        return Outcome(audit, private=private, channel=channel)

    @handles(cmds.AssignKeyAccount)
    async def assign(self, cmd: cmds.AssignKeyAccount, call: Call) -> Outcome:
        await call.org.astra.assign_cloud_account(cmd.cloud)
        audit, channel = words.account_assigned(call.req.user_id, cmd.cloud)
        return Outcome(audit, channel=channel)

"""The usergroup directory port as ``usergroups.users.list``, with a short cache."""

from __future__ import annotations

import logging
import time

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.web_api import slack_error

log = logging.getLogger("astra_bot.slack")

#: usergroups.users.list errors that mean "no usergroups here", not "try again"
#: (https://api.slack.com/methods/usergroups.users.list#errors)
NO_USERGROUPS = frozenset(
    {
        "missing_scope",
        "paid_teams_only",
        "not_allowed_token_type",
        "no_such_subteam",
        "subteam_not_found",
    }
)


class SlackDirectory:
    """Usergroup membership from ``usergroups.users.list``, cached for ``ttl`` seconds.

    Where Slack refuses the call (missing ``usergroups:read``, a free workspace), the bot
    keeps working without usergroup bindings and says so once in its log and in
    ``/astra perm list``.
    """

    def __init__(self, client: AsyncWebClient, *, ttl: float = 60.0) -> None:
        self.client = client
        self.ttl = ttl
        self.unavailable = False
        self._cache: dict[str, tuple[float, frozenset[str]]] = {}

    async def _members(self, group: str) -> frozenset[str]:
        now = time.monotonic()
        hit = self._cache.get(group)
        if hit and now - hit[0] < self.ttl:
            return hit[1]
        try:
            resp = await self.client.usergroups_users_list(usergroup=group)
        except SlackApiError as exc:
            code = exc.response.get("error") if exc.response else None
            if code not in NO_USERGROUPS:
                raise slack_error(exc, "read a usergroup") from exc
            if code != "no_such_subteam" and not self.unavailable:
                log.warning("usergroup bindings disabled: usergroups.users.list says %s", code)
                self.unavailable = True
            members: frozenset[str] = frozenset()
        except (TimeoutError, aiohttp.ClientError) as exc:
            raise slack_error(exc, "read a usergroup") from exc
        else:
            members = frozenset(resp.get("users") or [])
        self._cache[group] = (now, members)
        return members

    async def usergroups_of(self, user_id: str, groups: frozenset[str]) -> frozenset[str]:
        if self.unavailable:
            return frozenset()
        found = set()
        for g in sorted(groups):
            if user_id in await self._members(g):
                found.add(g)
        return frozenset(found)

"""The `db create` form, and the regions a new database may go to (cached)."""

from __future__ import annotations

import hashlib
import hmac
import os
import shlex

from bot import render
from bot.astra.orgs import Org
from bot.errors import ConfirmationError
from bot.intents import SPECS, check_value
from bot.policy import decide
from bot.ports import Replier
from bot.render import Form
from bot.render.forms import FORM_REFUSED as FORM_REFUSED
from bot.render.forms import FORM_UNKNOWN, NAME_NEEDED, create_form, pick_region
from bot.service.context import Context, Request
from bot.settings import Settings

#: Where a new database goes on a cloud when no region is given and the default region of
#: the settings is not one of that cloud's: the region Astra's own portal offers first.
CLOUD_DEFAULT_REGIONS: dict[str, str] = {"gcp": "us-east1", "aws": "us-east-2", "azure": "eastus"}


def default_region(cloud: str, settings: Settings, known: list[str]) -> str:
    """The region of a new database on ``cloud`` when none was given: the settings' default
    region when it is one of that cloud's (``known``: the regions the organization may use
    there; empty when unknown), else the cloud's usual first region, else its first one."""
    cloud = cloud.lower()
    if settings.default_region in known or (not known and cloud == settings.default_cloud.lower()):
        return settings.default_region
    usual = CLOUD_DEFAULT_REGIONS.get(cloud)
    if usual is not None and (usual in known or not known):
        return usual
    return known[0] if known else settings.default_region


class Regions:
    """Region names an org may use for new databases, per cloud (read every 10 min, per
    org: what an org may use is its own)."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self._cache: dict[str, tuple[float, list[tuple[str, str]]]] = {}

    async def of(self, cloud: str, org: Org | None = None) -> list[str]:
        """The regions of ``cloud`` in ``org`` (the default org when not given: the form)."""
        org = org or self.ctx.orgs.default
        now = self.ctx.now()
        cached = self._cache.get(org.name)
        if cached is None or now - cached[0] > 600:
            regions = await org.astra.list_serverless_regions()
            cached = self._cache[org.name] = (
                now,
                [(r.cloud_provider or "", r.name) for r in regions],
            )
        return sorted({name for c, name in cached[1] if c.upper() == cloud.upper()})


def _form_key(settings: Settings) -> bytes:
    """The key that signs form state: derived from the signing secret (or, in Socket Mode,
    the app token), so that every replica shares it; a process with neither (the shell,
    whose forms never leave it) makes one of its own."""
    for secret in (settings.slack_signing_secret, settings.slack_app_token):
        if secret is not None:
            return hmac.new(
                secret.get_secret_value().encode(), b"astra-bot form state v1", hashlib.sha256
            ).digest()
    return os.urandom(32)


class CreateForm:
    """The form `db create` opens when no name is given (a Slack modal, shell prompts).

    A modal's private_metadata comes back from the client and could say anything: the
    channel a form runs in is the one the bot signed when it opened it, for that person
    (DESIGN §3 "A click is checked against what the bot stored")."""

    def __init__(self, ctx: Context, settings: Settings, regions: Regions) -> None:
        self.ctx = ctx  # the rules and actors of this request
        self.settings = settings
        self.regions = regions
        self._key = _form_key(settings)

    def _signature(self, user_id: str, channel_id: str) -> str:
        message = f"{render.FORM_CREATE}\0{user_id}\0{channel_id}".encode()
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()[:32]

    def context(self, req: Request) -> str:
        """The state a form carries (Slack's private_metadata): its channel, signed."""
        return f"{req.channel_id}.{self._signature(req.user_id, req.channel_id)}"

    def request(self, user_id: str, context: str) -> Request | None:
        """Who submits a form, and the channel it runs in, from the state the bot signed;
        None when the state is not one the bot made for this person (a changed channel, a
        changed signature, another person's form)."""
        channel_id, _, signature = context.rpartition(".")
        expected = self._signature(user_id, channel_id)
        if not channel_id or not hmac.compare_digest(signature, expected):
            return None
        return Request(
            user_id=user_id, channel_id=channel_id, is_dm=channel_id.startswith("D"), source="form"
        )

    async def open(self, req: Request, reply: Replier) -> bool:
        rules, actor = await self.ctx.rules_and_actor(req.user_id)
        decision = decide(rules, actor, req.place, SPECS["db.create"], None, db_known=False)
        if not decision.allowed:
            return False  # the usage error / denial path answers
        return await reply.open_form(await self.form(req))

    async def form(self, req: Request, values: dict[str, str] | None = None) -> Form:
        """The `db create` form; the region choices follow the chosen cloud."""
        values = values or {}
        cloud = (values.get("cloud") or self.settings.default_cloud).lower()
        regions = await self.regions.of(cloud)
        region = values.get("region")
        if region not in regions:
            region = default_region(cloud, self.settings, regions) if regions else None
        return create_form(self.context(req), values, cloud, regions, region)

    async def errors(self, callback_id: str, values: dict[str, str]) -> dict[str, str]:
        """Errors to show on the form's fields (empty: it may be submitted)."""
        if callback_id != render.FORM_CREATE:
            return {"name": FORM_UNKNOWN}
        errors: dict[str, str] = {}
        for name in ("name", "keyspace", "capacity_units"):
            raw = (values.get(name) or "").strip()
            if not raw:
                if name == "name":
                    errors[name] = NAME_NEEDED
                continue
            problem = check_value("db.create", name, raw)
            if problem:
                errors[name] = problem
        cloud = (values.get("cloud") or self.settings.default_cloud).lower()
        if values.get("region") not in await self.regions.of(cloud):
            errors["region"] = pick_region(cloud)
        return errors

    def command(self, callback_id: str, values: dict[str, str]) -> str:
        """The command a submitted form stands for: it runs through the same parser,
        policy and checks as a typed one."""
        if callback_id != render.FORM_CREATE:
            raise ConfirmationError(FORM_UNKNOWN)
        parts = ["db", "create", values.get("name", "").strip(),
                 "--cloud", values.get("cloud") or self.settings.default_cloud,
                 "--region", values.get("region") or self.settings.default_region,
                 "--keyspace", values.get("keyspace", "").strip() or "default_keyspace",
                 "--capacity-units", values.get("capacity_units", "").strip() or "1",
                 "--non-vector" if values.get("vector") == "non-vector"
                 else "--vector"]  # fmt: skip
        return shlex.join(parts)

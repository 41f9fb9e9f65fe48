"""The doctor's Astra checks: each org's token — its organization, the features its role
allows — and no two orgs on one Astra organization."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import httpx

from bot.astra import http as api
from bot.astra.client import AstraClient
from bot.astra.orgs import CONCURRENCY
from bot.cli.doctor.report import Check
from bot.errors import AstraError, AstraForbidden, AstraUnauthorized, AstraUnavailable
from bot.settings import DEFAULT_ORG, Settings

#: The bot's features → the DevOps API operations they call (bot/astra/http/ names);
#: the Astra permissions come from :data:`bot.astra.http.PERMISSIONS`.
FEATURES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("db list/get/status, watch, the watcher", ("list_databases", "get_database")),
    ("db create", ("create_database",)),
    ("db delete", ("terminate_database",)),
    ("db park/unpark", ("park_database", "unpark_database")),
    ("db resize", ("resize_database",)),
    ("keyspace create/delete", ("create_keyspace", "delete_keyspace")),
    ("region add/remove", ("add_datacenter", "terminate_datacenter")),
    (
        "access-list",
        ("get_access_list", "add_access_list_addresses", "delete_access_list_addresses"),
    ),
    ("scb (secure bundle)", ("secure_bundle_urls",)),
    ("org show", ("current_org",)),
    ("token list/create/revoke", ("list_tokens", "create_token", "revoke_token")),
    ("role list/get/create/delete", ("list_roles", "get_role", "create_role", "delete_role")),
    (
        "user list/invite/remove/roles",
        ("list_users", "invite_user", "remove_user", "set_user_roles"),
    ),
    ("telemetry metrics", ("get_metrics_telemetry", "set_metrics_telemetry")),
    ("telemetry audit-log", ("get_audit_log_streaming", "set_audit_log_streaming")),
)
#: Without this the bot cannot follow anything (every db command resolves names with it).
ESSENTIAL_FEATURE = FEATURES[0][0]


@dataclass(frozen=True)
class Where:
    """Whose token a check is about: the org's name, the variable that holds its token, and
    whether check ids name the org (only with ``ASTRA_BOT_ORGS``: a lone
    ASTRA_DB_APPLICATION_TOKEN keeps the ids ``astra.auth`` and ``astra.role``)."""

    org: str = DEFAULT_ORG
    var: str = "ASTRA_DB_APPLICATION_TOKEN"
    named: bool = False

    @classmethod
    def of(cls, org: str, settings: Settings) -> Where:
        if settings.orgs_raw is None:
            return cls(org)
        return cls(org, f"ASTRA_BOT_ORGS[{org}]", True)

    def id(self, check: str) -> str:
        return f"astra.{check}[{self.org}]" if self.named else f"astra.{check}"

    def title(self, title: str) -> str:
        return f"{title} ({self.org})" if self.named else title

    @property
    def set_it(self) -> str:
        """How a new token is put in place."""
        if self.named:
            return f"set it as the value of `{self.org}` in ASTRA_BOT_ORGS"
        return "set it"


def judge_astra_auth(
    org: Mapping[str, str] | None, error: AstraError | None, url: str, where: Where = Where()
) -> Check:
    cid, title = where.id("auth"), where.title("Astra token")

    def fail(detail: str, fix: str) -> Check:
        return Check(cid, title, "fail", detail, fix, org=where.org)

    if error is None and org is not None:
        detail = f"organization {org.get('name') or '?'} ({org.get('id')})"
        return Check(cid, title, "ok", detail, data=dict(org), org=where.org)
    if isinstance(error, AstraUnauthorized):
        return fail(
            f"Astra rejects {where.var} (401)",
            "The token is revoked, expired or mistyped: create a new application "
            f"token (Astra → Settings → Tokens) and {where.set_it}.",
        )
    if isinstance(error, AstraForbidden):
        return fail(
            f"the token of {where.var} may not read its organization (403)"
            if where.named
            else "the token may not read its organization (403)",
            "Give the token a role with org-read (e.g. Database Administrator).",
        )
    if isinstance(error, AstraUnavailable):
        return fail(
            f"Astra cannot be reached at {url}",
            "Check the network, proxy (HTTPS_PROXY) and ASTRA_API_URL.",
        )
    msg = error.user_message if error else "no answer"
    return fail(
        f"Astra answered with an error: {msg}",
        "Try again; if it persists see https://status.datastax.com.",
    )


def judge_role(
    role_names: Sequence[str] | None,
    actions: set[str] | None,
    reason: str = "",
    where: Where = Where(),
) -> Check:
    """Which features the token's role allows, from the union of its roles' actions."""
    cid, title = where.id("role"), where.title("Astra role")
    if actions is None:
        return Check(
            cid,
            title,
            "warn",
            f"cannot tell what the token may do: {reason}",
            "Give the token's role org-token-read and org-role-read so the doctor "
            "can check it, or compare its role with README's Astra table.",
            org=where.org,
        )
    allowed: list[str] = []
    denied: dict[str, list[str]] = {}
    for feature, ops in FEATURES:
        needs = sorted({api.PERMISSIONS[o] for o in ops} - actions)
        if needs:
            denied[feature] = needs
        else:
            allowed.append(feature)
    data = {"roles": list(role_names or ()), "allowed": allowed, "denied": denied}
    roles = ", ".join(role_names or ()) or "?"
    if ESSENTIAL_FEATURE in denied:
        return Check(
            cid,
            title,
            "fail",
            f"role {roles} may not list databases "
            f"(needs {', '.join(denied[ESSENTIAL_FEATURE])}); the bot needs it",
            "Give the token a role with org-db-view (e.g. Database Administrator)"
            + (f", or {where.set_it} with a token of such a role." if where.named else "."),
            data,
            org=where.org,
        )
    if not denied:
        detail = f"role {roles} allows every feature"
        return Check(cid, title, "ok", detail, data=data, org=where.org)
    off = "; ".join(f"{f} (needs {', '.join(p)})" for f, p in denied.items())
    return Check(
        cid,
        title,
        "warn",
        f"role {roles} allows {len(allowed)} of {len(FEATURES)} features; not: {off}",
        "Fine if intended; otherwise give the token a role with those permissions.",
        data,
        org=where.org,
    )


def judge_orgs(auths: Sequence[Check]) -> Check:
    """Several configured orgs whose tokens belong to the same Astra organization: each
    database would be listed (and watched) twice under two names — a likely mistake."""
    by_id: dict[str, list[str]] = {}
    for c in auths:
        if c.status == "ok" and c.org is not None:
            by_id.setdefault(str(c.data.get("id")), []).append(c.org)
    same = {i: names for i, names in by_id.items() if len(names) > 1}
    data = {"orgs": {i: names for i, names in by_id.items()}}
    if same:
        dupes = "; ".join(f"{' and '.join(n)} are both {i}" for i, n in same.items())
        return Check(
            "astra.orgs",
            "Astra organizations",
            "warn",
            f"two configured orgs have tokens of one Astra organization: {dupes}",
            "Give each name in ASTRA_BOT_ORGS a token of its own organization, or keep "
            "one name for it.",
            data,
        )
    learned = sum(len(n) for n in by_id.values())
    return Check(
        "astra.orgs",
        "Astra organizations",
        "ok",
        f"{learned} of {len(auths)} org(s) known, each its own Astra organization",
        data=data,
    )


def _client(
    settings: Settings, token: str, transport: httpx.AsyncBaseTransport | None
) -> AstraClient:
    return AstraClient(
        token,
        settings.astra_api_url,
        transport=transport,
        timeout=10.0,
        max_read_retries=1,
        backoff_base=0.2,
    )


async def astra_checks(
    settings: Settings,
    token: str,
    transport: httpx.AsyncBaseTransport | None,
    where: Where = Where(),
) -> list[Check]:
    """One org's token: its organization (GET /v2/currentOrg), then what its role allows."""
    url = settings.astra_api_url
    async with _client(settings, token, transport) as client:
        try:
            org = await client.current_org()
        except AstraError as err:
            return [
                judge_astra_auth(None, err, url, where),
                Check(
                    where.id("role"),
                    where.title("Astra role"),
                    "skip",
                    "the token was not accepted",
                    org=where.org,
                ),
            ]
        auth = judge_astra_auth({"id": org.id, "name": org.name or ""}, None, url, where)
        return [auth, await _role_check(client, token, where)]


async def _role_check(client: AstraClient, token: str, where: Where) -> Check:
    """What the token may do: its own client id in GET /v2/tokens names its roles, whose
    policies (GET /v2/organizations/roles) say their actions — all a token can learn of its
    own rights (DevOps API: Tokens, Roles)."""
    client_id = token.split(":")[1] if token.count(":") == 2 else None
    try:
        tokens = await client.list_tokens()
        mine = next((t for t in tokens if client_id and t.client_id == client_id), None)
        if mine is None:
            return judge_role(None, None, "its client id is not in /v2/tokens", where)
        roles = {r.id: r for r in await client.list_roles()}
    except AstraForbidden:
        # Cannot read its own role: at least say whether it can list databases.
        try:
            await client.list_databases(page_size=1)
        except AstraForbidden:
            return judge_role([], set(), "", where)
        except AstraError:
            pass
        return judge_role(
            None,
            None,
            "its role may not read tokens and roles "
            "(org-token-read, org-role-read); databases can be listed",
            where,
        )
    except AstraError as err:
        return judge_role(None, None, err.user_message, where)
    names = [roles[r].name or r if r in roles else r for r in mine.roles]
    actions = {
        str(a)
        for r in mine.roles
        if r in roles
        for a in roles[r].policy.actions
        if roles[r].policy.effect == "allow"
    }
    return judge_role(names, actions, "", where)


async def orgs_checks(
    settings: Settings, usable: set[str], transport: httpx.AsyncBaseTransport | None
) -> list[Check]:
    """Every configured org's token, at most :data:`bot.astra.orgs.CONCURRENCY` at once: one
    org's bad token is its own failing checks, never the others'. With ASTRA_BOT_ORGS, one
    more check: no two names for one Astra organization."""
    bound = asyncio.Semaphore(CONCURRENCY)

    async def one(name: str, token: str) -> list[Check]:
        where = Where.of(name, settings)
        if where.var not in usable or "ASTRA_API_URL" not in usable:
            first = where.var if where.var not in usable else "ASTRA_API_URL"
            why = f"{first} must be fixed first"
            return [
                Check(where.id("auth"), where.title("Astra token"), "skip", why, org=name),
                Check(where.id("role"), where.title("Astra role"), "skip", why, org=name),
            ]
        async with bound:
            return await astra_checks(settings, token, transport, where)

    tokens = {n: t.get_secret_value() for n, t in settings.orgs.items()}
    found = await asyncio.gather(*(one(n, t) for n, t in tokens.items()))
    checks = [c for org in found for c in org]
    if settings.orgs_raw is not None and len(tokens) > 1:
        checks.append(judge_orgs([c for c in checks if c.id.startswith("astra.auth")]))
    return checks

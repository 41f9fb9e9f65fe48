"""The doctor's Astra checks: the token's organization, and the features its role allows."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import httpx

from bot.astra import http as api
from bot.cli.doctor.report import Check
from bot.errors import AstraError, AstraForbidden, AstraUnauthorized, AstraUnavailable
from bot.settings import Settings

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


def judge_astra_auth(org: Mapping[str, str] | None, error: AstraError | None, url: str) -> Check:
    cid, title = "astra.auth", "Astra token"
    if error is None and org is not None:
        return Check(
            cid,
            title,
            "ok",
            f"organization {org.get('name') or '?'} ({org.get('id')})",
            data=dict(org),
        )
    if isinstance(error, AstraUnauthorized):
        return Check(
            cid,
            title,
            "fail",
            "Astra rejects ASTRA_DB_APPLICATION_TOKEN (401)",
            "The token is revoked, expired or mistyped: create a new application "
            "token (Astra → Settings → Tokens) and set it.",
        )
    if isinstance(error, AstraForbidden):
        return Check(
            cid,
            title,
            "fail",
            "the token may not read its organization (403)",
            "Give the token a role with org-read (e.g. Database Administrator).",
        )
    if isinstance(error, AstraUnavailable):
        return Check(
            cid,
            title,
            "fail",
            f"Astra cannot be reached at {url}",
            "Check the network, proxy (HTTPS_PROXY) and ASTRA_API_URL.",
        )
    msg = error.user_message if error else "no answer"
    return Check(
        cid,
        title,
        "fail",
        f"Astra answered with an error: {msg}",
        "Try again; if it persists see https://status.datastax.com.",
    )


def judge_role(
    role_names: Sequence[str] | None, actions: set[str] | None, reason: str = ""
) -> Check:
    """Which features the token's role allows, from the union of its roles' actions."""
    cid, title = "astra.role", "Astra role"
    if actions is None:
        return Check(
            cid,
            title,
            "warn",
            f"cannot tell what the token may do: {reason}",
            "Give the token's role org-token-read and org-role-read so the doctor "
            "can check it, or compare its role with README's Astra table.",
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
            "Give the token a role with org-db-view (e.g. Database Administrator).",
            data,
        )
    if not denied:
        return Check(cid, title, "ok", f"role {roles} allows every feature", data=data)
    off = "; ".join(f"{f} (needs {', '.join(p)})" for f, p in denied.items())
    return Check(
        cid,
        title,
        "warn",
        f"role {roles} allows {len(allowed)} of {len(FEATURES)} features; not: {off}",
        "Fine if intended; otherwise give the token a role with those permissions.",
        data,
    )


async def astra_checks(
    settings: Settings, token: str, transport: httpx.AsyncBaseTransport | None
) -> list[Check]:
    from bot.astra.client import AstraClient

    url = settings.astra_api_url
    async with AstraClient(
        token, url, transport=transport, timeout=10.0, max_read_retries=1, backoff_base=0.2
    ) as client:
        try:
            org = await client.current_org()
        except AstraError as err:
            return [
                judge_astra_auth(None, err, url),
                Check("astra.role", "Astra role", "skip", "the token was not accepted"),
            ]
        checks = [judge_astra_auth({"id": org.id, "name": org.name or ""}, None, url)]
        client_id = token.split(":")[1] if token.count(":") == 2 else None
        try:
            tokens = await client.list_tokens()
            mine = next((t for t in tokens if client_id and t.client_id == client_id), None)
            if mine is None:
                checks.append(judge_role(None, None, "its client id is not in /v2/tokens"))
                return checks
            roles = {r.id: r for r in await client.list_roles()}
        except AstraForbidden:
            # Cannot read its own role: at least say whether it can list databases.
            try:
                await client.list_databases(page_size=1)
            except AstraForbidden:
                checks.append(judge_role([], set(), ""))
                return checks
            except AstraError:
                pass
            checks.append(
                judge_role(
                    None,
                    None,
                    "its role may not read tokens and roles "
                    "(org-token-read, org-role-read); databases can be listed",
                )
            )
            return checks
        except AstraError as err:
            checks.append(judge_role(None, None, err.user_message))
            return checks
        names = [roles[r].name or r if r in roles else r for r in mine.roles]
        actions = {
            str(a)
            for r in mine.roles
            if r in roles
            for a in roles[r].policy.actions
            if roles[r].policy.effect == "allow"
        }
        checks.append(judge_role(names, actions))
        return checks

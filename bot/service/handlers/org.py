"""Organization-level commands: access lists, secure bundles, tokens, Astra roles and users,
telemetry, and read-only network/key listings (DESIGN §2).

:func:`register` adds the handlers to a :class:`~bot.service.Service`; calling it twice is
harmless (it only sets dictionary entries). Permissions, confirmations and audit rows are
the service's business: a handler here runs only once the policy allowed it, and the
handlers of destructive commands (``access-list remove``, ``token revoke``, ``role delete``,
``user remove``, ``telemetry audit-log delete``) run only from a confirmation click, so
they re-read what they act on (``svc.resolve_db``, a fresh list) instead of trusting what
was true when the command was typed.

Where replies go: reads answer privately (``reply.private``); changes are announced in the
channel (``svc.notifier.post``); a confirmed handler has no private channel and announces
its outcome in the channel.

Secrets — the secret and token of a new application token, signed secure-bundle URLs,
telemetry credentials — are shown only to the requester, once, and appear in no channel
post, no returned outcome (the audit row) and no log line: nothing in this module logs, and
every telemetry config shown is passed through :func:`bot.redact.mask_settings` first.
"""

from __future__ import annotations

import difflib
import ipaddress
import re
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

from bot import render
from bot.astra.models import (
    ASTRA_PERMISSIONS,
    TELEMETRY_KINDS,
    AccessList,
    AccessListAddress,
    Database,
    Role,
    User,
    canonical_telemetry_kind,
)
from bot.errors import (
    AstraBadRequest,
    AstraConflict,
    AstraForbidden,
    AstraNotFound,
    NotFound,
    UsageError,
)
from bot.intents import Intent
from bot.mrkdwn import join, link, md, user
from bot.ports import Replier
from bot.redact import MASK, mask_settings
from bot.service import ConfirmedHandler, Handler, Precheck, Request, Service, db_view

__all__ = [
    "TELEMETRY_SINKS",
    "Sink",
    "build_settings",
    "kms_lines",
    "parse_settings",
    "private_link_lines",
    "register",
    "role_resources",
]

PlainFn = Callable[[Service, Request, Intent, Replier, Database | None], Awaitable[str]]
ConfirmedFn = Callable[[Service, Request, Intent, str | None], Awaitable[str]]
PrecheckFn = Callable[[Service, Intent, Database | None], Awaitable[None]]

#: Seconds a signed secure-bundle URL lives when the URL does not say (spec: "about 5 min").
BUNDLE_TTL = 300


# ============================================================================ registration


def _bind(svc: Service, fn: PlainFn) -> Handler:
    async def handler(req: Request, intent: Intent, reply: Replier, db: Database | None) -> str:
        return await fn(svc, req, intent, reply, db)

    return handler


def _bind_confirmed(svc: Service, fn: ConfirmedFn) -> ConfirmedHandler:
    async def handler(req: Request, intent: Intent, message_ts: str | None) -> str:
        return await fn(svc, req, intent, message_ts)

    return handler


def _bind_precheck(svc: Service, fn: PrecheckFn) -> Precheck:
    async def check(intent: Intent, db: Database | None) -> None:
        await fn(svc, intent, db)

    return check


def register(service: Service) -> None:
    """Add this module's commands to ``service`` (idempotent)."""
    plain: dict[str, PlainFn] = {
        "access-list.show": access_list_show,
        "access-list.add": access_list_add,
        "scb": scb,
        "token.list": token_list,
        "token.create": token_create,
        "role.list": role_list,
        "role.get": role_get,
        "role.create": role_create,
        "user.list": user_list,
        "user.invite": user_invite,
        "user.roles": user_roles,
        "telemetry.metrics.show": metrics_show,
        "telemetry.metrics.set": metrics_set,
        "telemetry.audit-log.show": audit_log_show,
        "telemetry.audit-log.set": audit_log_set,
        "private-link.list": private_link_list,
        "custom-domain.list": custom_domain_list,
        "kms.list": kms_list,
        "peering.show": peering_show,
    }
    confirmed: dict[str, ConfirmedFn] = {
        "access-list.remove": access_list_remove_confirmed,
        "token.revoke": token_revoke_confirmed,
        "role.delete": role_delete_confirmed,
        "user.remove": user_remove_confirmed,
        "telemetry.audit-log.delete": audit_log_delete_confirmed,
    }
    # what a destructive command acts on must exist before anyone is asked to confirm
    prechecks: dict[str, PrecheckFn] = {
        "access-list.remove": access_list_remove_precheck,
        "token.revoke": token_revoke_precheck,
        "role.delete": role_delete_precheck,
        "user.remove": user_remove_precheck,
        "telemetry.audit-log.delete": audit_log_delete_precheck,
    }
    for permission, fn in plain.items():
        service.register(permission, _bind(service, fn))
    for permission, cfn in confirmed.items():
        service.register(permission, confirmed=_bind_confirmed(service, cfn))
    for permission, pfn in prechecks.items():
        service.register(permission, precheck=_bind_precheck(service, pfn))


# ============================================================================ helpers


def _need(db: Database | None) -> Database:
    if db is None:  # the command table guarantees a <db> for these commands
        raise NotFound("This command needs a database.")
    return db


def _name(db: Database) -> str:
    return db.info.name or db.id


async def _announce(svc: Service, req: Request, text: str) -> None:
    await svc.notifier.post(req.channel_id, render.plain(text), thread_ts=req.thread_ts)


def _clip(text: str, n: int = 200) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def _day(stamp: str | None) -> str:
    """``2025-06-17T02:26:29.846Z`` → ``2025-06-17``; ``—`` for none or Go's zero time."""
    if not stamp or stamp.startswith("0001-01-01"):
        return "—"
    return stamp[:10]


_SLACK_LINK = re.compile(r"^<(?:mailto:)?([^|>]+)(?:\|[^>]*)?>$")


def _unwrap(value: str) -> str:
    """Undo Slack's link formatting: ``<https://x|x>`` → ``https://x``, ``<mailto:a@b|a@b>``."""
    m = _SLACK_LINK.match(value.strip())
    return m.group(1) if m else value.strip()


def _suggest(word: str, options: Iterable[str], n: int = 3) -> list[str]:
    by_fold = {o.lower(): o for o in options}
    return [by_fold[m] for m in difflib.get_close_matches(word.lower(), list(by_fold), n=n,
                                                          cutoff=0.5)]


def _own_client_id(svc: Service) -> str | None:
    """The client id of the bot's own token (``AstraCS:<clientId>:<hex>``), if it has one."""
    token = svc.settings.astra_token
    if token is None:
        return None
    parts = token.get_secret_value().strip().split(":")
    return parts[1] if len(parts) == 3 and parts[0] == "AstraCS" and parts[1] else None


# ============================================================================ access lists


def _same_address(a: str, b: str) -> bool:
    """``10.0.0.1`` and ``10.0.0.1/32`` are the same entry."""
    try:
        return ipaddress.IPv4Network(a, strict=False) == ipaddress.IPv4Network(b, strict=False)
    except ValueError:
        return a == b


def _find_address(acl: AccessList, cidr: str) -> AccessListAddress | None:
    return next((a for a in acl.addresses if _same_address(a.address, cidr)), None)


def _address_line(a: AccessListAddress) -> str:
    state = "enabled" if a.enabled else "disabled"
    desc = f" — {_clip(a.description, 120)}" if a.description else ""
    when = f" · updated {_day(a.last_update_date_time)}" if a.last_update_date_time else ""
    return f"`{a.address}` {state}{desc}{when}"


async def access_list_show(
    svc: Service, req: Request, intent: Intent, reply: Replier, db: Database | None
) -> str:
    db = _need(db)
    acl = await svc.astra.get_access_list(db.id)
    enabled = acl.configurations.access_list_enabled
    state = (
        "enabled: only these addresses may connect"
        if enabled
        else "not enforced: any address may connect"
    )
    await reply.private(
        render.bullet_list(
            f"Access list of {_name(db)} ({state})",
            [_address_line(a) for a in acl.addresses],
            empty="No addresses.",
        )
    )
    listed = render.count(len(acl.addresses), "address", "addresses")
    return f"access list of {_name(db)}: {listed}, " + (
        "enabled" if enabled else "not enforced"
    )


async def access_list_add(
    svc: Service, req: Request, intent: Intent, reply: Replier, db: Database | None
) -> str:
    db = _need(db)
    cidr = intent.arg("cidr")
    description = (intent.opt("description") or "").strip() or f"added from Slack by {req.user_id}"
    before = await svc.astra.get_access_list(db.id)
    existing = _find_address(before, cidr)
    if existing is not None and existing.enabled and existing.description == description:
        await reply.private(
            render.plain(f"`{existing.address}` is already allowed on *{_name(db)}*.")
        )
        return f"{cidr} already on the access list of {_name(db)}"
    await svc.astra.add_access_list_addresses(db.id, [(cidr, description)])
    text = md(":shield: {} allowed `{}` ({}) on the access list of *{}*.", user(req.user_id),
              cidr, _clip(description, 120), _name(db))
    if not before.configurations.access_list_enabled and not before.addresses:
        # Astra starts enforcing a list once it has an address: say so, loudly.
        text += md(
            "\n:warning: This was the first address: the access list is now enforced and only "
            "listed addresses may connect."
        )
    await _announce(svc, req, text)
    return f"allowed {cidr} on {_name(db)}"


async def _listed_address(
    svc: Service, db: Database, cidr: str
) -> tuple[AccessList, AccessListAddress]:
    acl = await svc.astra.get_access_list(db.id)
    entry = _find_address(acl, cidr)
    if entry is None:
        listed = ", ".join(f"`{a.address}`" for a in acl.addresses) or "none"
        raise NotFound(
            f"`{cidr}` is not on the access list of `{_name(db)}`.",
            hint=f"Its addresses: {listed}.",
        )
    return acl, entry


async def access_list_remove_precheck(svc: Service, intent: Intent, db: Database | None) -> None:
    await _listed_address(svc, _need(db), intent.arg("cidr"))


async def access_list_remove_confirmed(
    svc: Service, req: Request, intent: Intent, message_ts: str | None
) -> str:
    db = await svc.resolve_db(intent.arg("db"))
    acl, entry = await _listed_address(svc, db, intent.arg("cidr"))
    # the stored spelling (`10.0.0.1/32` vs `10.0.0.1`) is the one Astra will match
    await svc.astra.delete_access_list_addresses(db.id, [entry.address])
    left = len(acl.addresses) - 1
    text = md(":shield: Removed `{}` from the access list of *{}* (asked by {}).",
              entry.address, _name(db), user(req.user_id))
    if left == 0:
        text += md("\n:warning: The access list is now empty.")
    await _announce(svc, req, text)
    return f"removed {entry.address} from {_name(db)}"


# ============================================================================ secure bundle


def _bundle_ttl(url: str) -> int:
    """Seconds the signed URL lives: its ``X-Amz-Expires``, else about 5 minutes."""
    try:
        values = parse_qs(urlsplit(url).query).get("X-Amz-Expires") or []
        return max(0, int(values[0])) if values else BUNDLE_TTL
    except (ValueError, IndexError):
        return BUNDLE_TTL


async def scb(
    svc: Service, req: Request, intent: Intent, reply: Replier, db: Database | None
) -> str:
    db = _need(db)
    name = _name(db)
    region = intent.opt("region")
    bundles = await svc.astra.secure_bundle_urls(db.id, all_regions=region is not None)
    if region is not None:
        chosen = [b for b in bundles if (b.region or "").lower() == region.lower()]
        if not chosen:
            known = ", ".join(f"`{b.region}`" for b in bundles if b.region) or "none"
            raise NotFound(f"`{name}` has no region `{region}`.", hint=f"Its regions: {known}.")
    else:
        chosen = bundles[:1]
    if not chosen:
        raise NotFound(f"Astra gave no secure connect bundle for `{name}`.")
    bundle = chosen[0]
    where = bundle.region or db.info.region or "?"
    ttl = _bundle_ttl(bundle.download_url)
    expires = render.when(svc.clock() + ttl)
    minutes = max(1, round(ttl / 60))
    label = f"Download secure-connect-{name}.zip"
    lines: list[str] = [md("{} ({})", link(bundle.download_url, label), where)]
    others = [r for r in db_view(db).regions if r != where]
    if region is None and others:
        lines.append(f"Other regions: {', '.join(others)} — add `--region <region>`.")
    await reply.private(
        render.secret_once(
            f"Secure connect bundle for {name}",
            lines,
            f"Only you can see this link. It expires in about {minutes} minutes (around "
            f"{expires}); run `/astra scb {name}` again for a fresh one. Do not share it: "
            "anyone holding it can download the bundle.",
        )
    )
    # the outcome is the audit row: it names what was done, never the URL
    return f"secure connect bundle link for {name} ({where}) sent privately"


# ============================================================================ roles (lookup)


async def _roles_by_id(svc: Service) -> dict[str, Role]:
    return {r.id: r for r in await svc.astra.list_roles()}


def _match_role(ref: str, roles: Sequence[Role]) -> Role | None:
    """A role by id, or by name case-insensitively; UsageError when a name is ambiguous."""
    ref = ref.strip()
    by_id = [r for r in roles if r.id == ref]
    if by_id:
        return by_id[0]
    named = [r for r in roles if r.name.lower() == ref.lower()]
    if len(named) > 1:
        ids = ", ".join(f"`{r.id}`" for r in named)
        raise UsageError(f"`{ref}` names {len(named)} Astra roles ({ids}); give the role id.")
    return named[0] if named else None


def _unknown_role(ref: str, roles: Sequence[Role], given: Sequence[str]) -> UsageError:
    joined = " ".join(given)
    hint = "`/astra role list` shows the organization's roles."
    if len(given) > 1 and any(r.name.lower() == joined.lower() for r in roles):
        hint = f'A role name with spaces must be quoted: `--role "{joined}"`.'
    return UsageError(
        f"There is no Astra role `{ref}`.",
        suggestions=_suggest(ref, [r.name for r in roles]),
        hint=hint,
    )


async def _resolve_roles(svc: Service, refs: Sequence[str], usage: str) -> list[Role]:
    if not refs:
        raise UsageError("Give at least one Astra role (`--role <role>`).", usage=usage)
    roles = await svc.astra.list_roles()
    found: list[Role] = []
    for ref in refs:
        role = _match_role(ref, roles)
        if role is None:
            raise _unknown_role(ref, roles, refs)
        if role.id not in {r.id for r in found}:
            found.append(role)
    return found


async def _resolve_role(svc: Service, ref: str) -> Role:
    roles = await svc.astra.list_roles()
    role = _match_role(ref, roles)
    if role is not None:
        return role
    if re.fullmatch(r"[0-9a-fA-F-]{32,36}", ref.strip()):
        # an id the list does not show (paged or filtered answers): ask for it directly
        try:
            return await svc.astra.get_role(ref.strip())
        except (AstraNotFound, AstraBadRequest):
            pass
    raise NotFound(f"There is no Astra role `{ref}`.", hint=render.did_you_mean(
        _suggest(ref, [r.name for r in roles]), "`/astra role list` shows the roles."))


def _role_names(ids: Iterable[str], roles: Mapping[str, Role]) -> str:
    names = [roles[i].name if i in roles and roles[i].name else f"`{i}`" for i in ids]
    return ", ".join(names) or "no role"


# ============================================================================ tokens


async def token_list(
    svc: Service, req: Request, intent: Intent, reply: Replier, db: Database | None
) -> str:
    tokens = await svc.astra.list_tokens()
    try:
        roles = await _roles_by_id(svc)
    except AstraForbidden:
        roles = {}  # the bot may list tokens without reading roles: show ids then
    own = _own_client_id(svc)
    lines = []
    for t in sorted(tokens, key=lambda t: (t.generated_on or "", t.client_id)):
        desc = f" — “{_clip(t.description, 80)}”" if t.description else ""
        expiry = f" · expires {_day(t.token_expiry)}" if _day(t.token_expiry) != "—" else ""
        mine = " · *this bot's token*" if own and t.client_id == own else ""
        lines.append(
            f"`{t.client_id}` {_role_names(t.roles, roles)}{desc} · generated "
            f"{_day(t.generated_on)}{expiry}{mine}"
        )
    await reply.private(render.bullet_list(f"Application tokens ({len(tokens)})", lines))
    return render.count(len(tokens), "token")


async def token_create(
    svc: Service, req: Request, intent: Intent, reply: Replier, db: Database | None
) -> str:
    roles = await _resolve_roles(svc, intent.many("role"), intent.spec.usage)
    description = intent.opt("description")
    created = await svc.astra.create_token([r.id for r in roles], description)
    names = ", ".join(r.name or r.id for r in roles)
    lines = [
        f"*Client ID*: `{created.client_id}`",
        f"*Client secret*: `{created.secret.get_secret_value()}`",
    ]
    if created.token is not None:
        lines.append(f"*Token*: `{created.token.get_secret_value()}`")
    lines.append(f"*Roles*: {names}")
    if created.token_expiry:
        lines.append(f"*Expires*: {created.token_expiry}")
    await reply.private(
        render.secret_once(
            "New Astra application token — shown once, only to you",
            lines,
            "Copy it now into a secret store: the bot does not keep it and cannot show it "
            "again. If it is lost or leaked, `/astra token revoke "
            f"{created.client_id}` and create another.",
        )
    )
    await _announce(
        svc,
        req,
        md(":key: {} created an Astra application token `{}` ({}){}. The secret was shown only "
           "to them.", user(req.user_id), created.client_id, names,
           " — " + _clip(description, 80) if description else ""),
    )
    return f"token {created.client_id} created ({names})"


async def _revocable(svc: Service, client_id: str) -> None:
    """A token that exists and is not the bot's own."""
    if client_id == _own_client_id(svc):
        raise UsageError(
            f"`{client_id}` is the bot's own token: revoking it would lock the bot out.",
            hint="Rotate it in the Astra portal and update `ASTRA_DB_APPLICATION_TOKEN` first.",
        )
    tokens = await svc.astra.list_tokens()
    if not any(t.client_id == client_id for t in tokens):
        near = _suggest(client_id, [t.client_id for t in tokens], n=2)
        raise NotFound(
            f"There is no application token with client id `{client_id}`.",
            hint=render.did_you_mean(near, "`/astra token list` shows the tokens."),
        )


async def token_revoke_precheck(svc: Service, intent: Intent, db: Database | None) -> None:
    await _revocable(svc, intent.arg("client_id"))


async def token_revoke_confirmed(
    svc: Service, req: Request, intent: Intent, message_ts: str | None
) -> str:
    client_id = intent.arg("client_id")
    await _revocable(svc, client_id)
    await svc.astra.revoke_token(client_id)
    await _announce(
        svc, req, md(":key: Revoked the Astra token `{}` (asked by {}).", client_id,
                     user(req.user_id))
    )
    return f"token {client_id} revoked"


# ============================================================================ roles


def role_resources(org_id: str, db_ids: Sequence[str] = ()) -> list[str]:
    """Policy resources of a role: the organization plus every database (``db:*``), or only
    the databases given, each with its keyspaces and tables — as Astra's own default roles
    (fixtures Roles.json) and the Astra portal write them."""
    org = f"drn:astra:org:{org_id}"
    targets = list(dict.fromkeys(db_ids)) or ["*"]
    out = [org]
    for t in targets:
        out += [f"{org}:db:{t}", f"{org}:db:{t}:keyspace:*", f"{org}:db:{t}:keyspace:*:table:*"]
    return out


_DB_RESOURCE = re.compile(r"^drn:astra:org:[^:]+:db:([^:]+)$")


def _scope(resources: Sequence[str], db_names: Mapping[str, str]) -> str:
    dbs = [m.group(1) for r in resources if (m := _DB_RESOURCE.match(r))]
    if not dbs:
        return "the organization only"
    if "*" in dbs:
        return "all databases"
    return ", ".join(f"*{db_names[d]}* (`{d}`)" if d in db_names else f"`{d}`" for d in dbs)


async def role_list(
    svc: Service, req: Request, intent: Intent, reply: Replier, db: Database | None
) -> str:
    roles = sorted(await svc.astra.list_roles(), key=lambda r: r.name.lower())
    lines = [
        f"*{r.name or '—'}* `{r.id}` · {render.count(len(r.policy.actions), 'permission')}"
        + (f" — {_clip(r.policy.description, 80)}"
           if r.policy.description and r.policy.description != r.name else "")
        for r in roles
    ]
    await reply.private(render.bullet_list(f"Astra roles ({len(roles)})", lines))
    return render.count(len(roles), "role")


async def role_get(
    svc: Service, req: Request, intent: Intent, reply: Replier, db: Database | None
) -> str:
    role = await _resolve_role(svc, intent.arg("role"))
    db_names: dict[str, str] = {}
    if any((m := _DB_RESOURCE.match(r)) and m.group(1) != "*" for r in role.policy.resources):
        db_names = {d.id: _name(d) for d in await svc.astra.list_databases(include="all")}
    lines = [
        f"Id: `{role.id}`",
        f"Description: {_clip(role.policy.description, 300) or '—'}",
        f"Effect: {role.policy.effect}",
        f"Scope: {_scope(role.policy.resources, db_names)}",
        f"Permissions ({len(role.policy.actions)}): "
        + (", ".join(f"`{a}`" for a in sorted(role.policy.actions)) or "none"),
    ]
    if role.last_update_datetime:
        lines.append(f"Last updated: {role.last_update_datetime}")
    await reply.private(render.bullet_list(f"Astra role {role.name or role.id}", lines))
    return f"role {role.id} shown"


def _check_permissions(perms: Sequence[str], usage: str) -> list[str]:
    if not perms:
        raise UsageError(
            "Give at least one Astra permission (`--permission org-db-view`).",
            usage=usage,
            hint="Permissions are Astra's policy actions, like `org-db-view` or `db-cql`.",
        )
    out: list[str] = []
    for p in perms:
        action = p.strip().lower()
        if action not in ASTRA_PERMISSIONS:
            raise UsageError(
                f"`{_clip(p, 60)}` is not an Astra permission.",
                usage=usage,
                suggestions=_suggest(action, sorted(ASTRA_PERMISSIONS)),
                hint="Astra permissions look like `org-db-view`, `db-keyspace-create`, "
                "`org-token-read`.",
            )
        if action not in out:
            out.append(action)
    return out


async def role_create(
    svc: Service, req: Request, intent: Intent, reply: Replier, db: Database | None
) -> str:
    name = intent.arg("name").strip()
    usage = intent.spec.usage
    actions = _check_permissions(intent.many("permission"), usage)
    existing = next(
        (r for r in await svc.astra.list_roles() if r.name.lower() == name.lower()), None
    )
    if existing is not None:
        raise UsageError(
            f"An Astra role named `{existing.name}` already exists (`{existing.id}`).",
            hint="Pick another name, or `/astra role get` it.",
        )
    dbs = [await svc.resolve_db(ref) for ref in intent.many("db")]
    org = await svc.org_id()
    resources = role_resources(org, [d.id for d in dbs])
    description = intent.opt("description")
    try:
        created = await svc.astra.create_role(name, actions, resources, description)
    except AstraConflict as err:
        # 409 here means a name clash, not a database state (the generic 409 text says that)
        raise UsageError(f"Astra refused to create role `{name}`: it already exists.") from err
    role_id = created if isinstance(created, str) else created.id
    scope = join(", ", (md("*{}*", _name(d)) for d in dbs)) if dbs else "all databases"
    await _announce(
        svc,
        req,
        md(":lock: {} created the Astra role *{}* (`{}`): {} on {}.", user(req.user_id), name,
           role_id, join(", ", (md("`{}`", a) for a in actions)), scope),
    )
    return f"role {name} ({role_id}) created"


async def role_delete_precheck(svc: Service, intent: Intent, db: Database | None) -> None:
    await _resolve_role(svc, intent.arg("role"))


async def role_delete_confirmed(
    svc: Service, req: Request, intent: Intent, message_ts: str | None
) -> str:
    role = await _resolve_role(svc, intent.arg("role"))
    await svc.astra.delete_role(role.id)
    await _announce(
        svc,
        req,
        md(":wastebasket: Deleted the Astra role *{}* (`{}`) (asked by {}).",
           role.name or role.id, role.id, user(req.user_id)),
    )
    return f"role {role.name or role.id} ({role.id}) deleted"


# ============================================================================ users


def _match_user(ref: str, users: Sequence[User]) -> User | None:
    ref = _unwrap(ref)
    return next(
        (u for u in users if u.user_id == ref or (u.email and u.email.lower() == ref.lower())),
        None,
    )


async def _resolve_user(svc: Service, ref: str) -> User:
    users = await svc.astra.list_users()
    user = _match_user(ref, users)
    if user is None:
        near = _suggest(_unwrap(ref), [u.email for u in users if u.email], n=2)
        raise NotFound(
            f"There is no user `{_clip(_unwrap(ref), 80)}` in the organization.",
            hint=render.did_you_mean(
                near, "`/astra user list` shows the users (email or user id)."),
        )
    return user


async def user_list(
    svc: Service, req: Request, intent: Intent, reply: Replier, db: Database | None
) -> str:
    users = sorted(await svc.astra.list_users(), key=lambda u: u.email.lower())
    lines = [
        f"{u.email or '—'} `{u.user_id}` {u.status or '?'} · "
        + (", ".join(r.name or f"`{r.id}`" for r in u.roles) or "no role")
        for u in users
    ]
    await reply.private(render.bullet_list(f"Users of the organization ({len(users)})", lines))
    return render.count(len(users), "user")


async def user_invite(
    svc: Service, req: Request, intent: Intent, reply: Replier, db: Database | None
) -> str:
    email = intent.arg("email")
    roles = await _resolve_roles(svc, intent.many("role"), intent.spec.usage)
    member = _match_user(email, await svc.astra.list_users())
    if member is not None:
        raise UsageError(
            f"`{member.email}` is already in the organization ({member.status or 'member'}).",
            hint=f"`/astra user roles {member.email} <role>…` changes their roles.",
        )
    await svc.astra.invite_user(email, await svc.org_id(), [r.id for r in roles])
    names = ", ".join(r.name or r.id for r in roles)
    await _announce(
        svc,
        req,
        md(":key: {} invited {} to the Astra organization as {}.", user(req.user_id), email,
           names),
    )
    return f"invited {email} ({names})"


async def user_remove_precheck(svc: Service, intent: Intent, db: Database | None) -> None:
    await _resolve_user(svc, intent.arg("user"))


async def user_remove_confirmed(
    svc: Service, req: Request, intent: Intent, message_ts: str | None
) -> str:
    member = await _resolve_user(svc, intent.arg("user"))
    await svc.astra.remove_user(member.user_id)
    who = member.email or member.user_id
    await _announce(
        svc,
        req,
        md(":wastebasket: Removed {} (`{}`) from the Astra organization (asked by {}).", who,
           member.user_id, user(req.user_id)),
    )
    return f"removed user {who} ({member.user_id})"


async def user_roles(
    svc: Service, req: Request, intent: Intent, reply: Replier, db: Database | None
) -> str:
    member = await _resolve_user(svc, intent.arg("user"))
    roles = await _resolve_roles(svc, intent.many("roles"), intent.spec.usage)
    before = ", ".join(r.name or r.id for r in member.roles) or "no role"
    await svc.astra.set_user_roles(member.user_id, [r.id for r in roles])
    after = ", ".join(r.name or r.id for r in roles)
    who = member.email or member.user_id
    await _announce(
        svc, req, md(":key: {} set the Astra roles of {}: {} → {}.", user(req.user_id), who,
                     before, after)
    )
    return f"roles of {who}: {after}"


# ============================================================================ telemetry


@dataclass(frozen=True)
class Sink:
    """What one telemetry destination takes (official spec ``*TelemetryRequestBlock``)."""

    required: tuple[str, ...]
    optional: tuple[str, ...] = ()
    #: ``auth_strategy`` value → the keys it needs in addition (spec oneOf/discriminator)
    strategies: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    strategy_optional: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    #: enumerated values (canonical spelling)
    choices: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    #: keys whose value is an array (comma-separated on the command line)
    lists: frozenset[str] = frozenset()
    #: other spellings accepted for a key
    aliases: Mapping[str, str] = field(default_factory=dict)

    def known(self) -> set[str]:
        keys = set(self.required) | set(self.optional)
        for extra in (*self.strategies.values(), *self.strategy_optional.values()):
            keys |= set(extra)
        return keys


#: Destinations and their keys, spelled as the official spec's configureTelemetry body
#: (``devops-api-official.json``: KafkaTelemetryRequestBlock, RemotePrometheus*,
#: CloudWatch…, Splunk…, Pulsar*, Datadog…). ``Datadog`` has a capital D on the wire.
TELEMETRY_SINKS: Mapping[str, Sink] = {
    "prometheus_remote": Sink(
        required=("endpoint", "auth_strategy"),
        strategies={"basic": ("user", "password"), "bearer": ("token",)},
        choices={"auth_strategy": ("basic", "bearer")},
    ),
    "Datadog": Sink(required=("api_key",), optional=("site",)),
    "splunk": Sink(required=("endpoint", "index", "token"), optional=("source", "sourcetype")),
    "kafka": Sink(
        required=("bootstrap_servers", "topic", "sasl_mechanism", "sasl_username",
                  "sasl_password"),
        optional=("security_protocol",),
        choices={
            "sasl_mechanism": ("GSSAPI", "PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"),
            "security_protocol": ("SASL_PLAINTEXT", "SASL_SSL"),
        },
        lists=frozenset({"bootstrap_servers"}),
    ),
    "pulsar": Sink(
        required=("endpoint", "topic", "auth_strategy"),
        optional=("auth_name",),
        strategies={"token": ("token",), "oauth2": ("oauth2_credentials_url",
                                                    "oauth2_issuer_url")},
        strategy_optional={"oauth2": ("oauth2_audience", "oauth2_scope")},
        choices={"auth_strategy": ("token", "oauth2")},
    ),
    # The spec requires `secret_key` but its properties spell it `secret`: accept both.
    "cloudwatch": Sink(
        required=("access_key", "secret_key", "region"), aliases={"secret": "secret_key"}
    ),
}

def parse_settings(pairs: Sequence[str], usage: str) -> dict[str, str]:
    """``key=value`` words → a dict; keys folded to lower snake case, Slack links undone.
    Error messages name keys, never values."""
    out: dict[str, str] = {}
    for raw in pairs:
        key, sep, value = raw.partition("=")
        key = key.strip().lower().replace("-", "_")
        if not sep or not key:
            raise UsageError("Settings are written `key=value`.", usage=usage)
        if key in out:
            raise UsageError(f"`{key}` is given twice.", usage=usage)
        out[key] = _unwrap(value)
    return out


def build_settings(kind: str, settings: Mapping[str, str], usage: str) -> dict[str, Any]:
    """Validate ``settings`` for destination ``kind`` (canonical) and build its JSON block.

    Raises UsageError listing unknown keys (with "did you mean"), missing required keys and
    values not among the spec's enumerations — naming keys, never echoing a secret value.
    """
    sink = TELEMETRY_SINKS[kind]
    config: dict[str, Any] = {}
    for key, value in settings.items():
        config[sink.aliases.get(key, key)] = value
    known = sink.known()
    unknown = [k for k in config if k not in known]
    if unknown:
        near = _suggest(unknown[0], sorted(known))
        raise UsageError(
            f"`{unknown[0]}` is not a {kind} setting.",
            usage=usage,
            suggestions=[f"{n}=…" for n in near],
            hint=_keys_hint(kind, sink),
        )
    if sink.strategies and "auth_strategy" not in config:
        # infer the strategy when exactly one strategy's keys were given
        fits = [s for s, keys in sink.strategies.items() if any(k in config for k in keys)]
        if len(fits) == 1:
            config["auth_strategy"] = fits[0]
    for key, options in sink.choices.items():
        if key in config:
            canon = {o.lower(): o for o in options}.get(str(config[key]).lower())
            if canon is None:
                raise UsageError(
                    f"`{key}` must be one of {', '.join(options)}.",
                    usage=usage,
                    suggestions=[f"{key}={o}" for o in _suggest(str(config[key]), options, 2)],
                )
            config[key] = canon
    needed = list(sink.required)
    strategy = config.get("auth_strategy")
    if sink.strategies and isinstance(strategy, str):
        needed += sink.strategies[strategy]
        allowed = set(sink.strategies[strategy]) | set(sink.strategy_optional.get(strategy, ()))
        foreign = [
            k for s, keys in (*sink.strategies.items(), *sink.strategy_optional.items())
            if s != strategy for k in keys if k in config and k not in allowed
        ]
        if foreign:
            raise UsageError(
                f"`{foreign[0]}` does not apply to auth_strategy={strategy}.", usage=usage
            )
    missing = [k for k in needed if not str(config.get(k, "")).strip()]
    if missing:
        raise UsageError(
            f"A {kind} export needs " + ", ".join(f"`{k}=…`" for k in missing) + ".",
            usage=usage,
            hint=_keys_hint(kind, sink),
        )
    for key in sink.lists:
        if key in config:
            config[key] = [p.strip() for p in str(config[key]).split(",") if p.strip()]
    return config


def _keys_hint(kind: str, sink: Sink) -> str:
    parts = [f"{kind} takes {', '.join(sink.required)}"]
    for s, keys in sink.strategies.items():
        parts.append(f"with auth_strategy={s}: {', '.join(keys)}")
    optional = [*sink.optional, *(k for ks in sink.strategy_optional.values() for k in ks)]
    if optional:
        parts.append(f"optional: {', '.join(optional)}")
    return "; ".join(parts) + "."


def _canonical_kind(kind: str, usage: str) -> str:
    canon = canonical_telemetry_kind(kind)
    if canon is None:
        raise UsageError(
            f"`{_clip(kind, 40)}` is not a metrics destination.",
            usage=usage,
            suggestions=_suggest(kind, TELEMETRY_KINDS, 2),
            hint=f"Destinations: {', '.join(TELEMETRY_KINDS)}.",
        )
    return canon


def _show_value(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(_show_value(v) for v in value) or "—"
    if isinstance(value, Mapping):
        return ", ".join(f"{k}={_show_value(v)}" for k, v in value.items()) or "—"
    return _clip(str(value), 300) if value not in (None, "") else "—"


def _config_pairs(config: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(destination, key=value…) pairs of a ``{kind: {…}}`` config, redacted."""
    safe = mask_settings(config)
    pairs: list[tuple[str, str]] = []
    for kind, block in safe.items():
        if isinstance(block, Mapping):
            pairs.append((str(kind), "\n".join(
                f"{k}: {_show_value(v)}" for k, v in sorted(block.items()))))
        else:
            pairs.append((str(kind), _show_value(block)))
    return pairs


def _summary(config: Mapping[str, Any]) -> str:
    """``key=value`` of every setting, secrets as ``••••``, for a channel announcement."""
    safe = mask_settings(config)
    return ", ".join(
        f"{k}=••••" if v == MASK else f"{k}={_show_value(v)}" for k, v in safe.items()
    )


async def metrics_show(
    svc: Service, req: Request, intent: Intent, reply: Replier, db: Database | None
) -> str:
    db = _need(db)
    config = await svc.astra.get_metrics_telemetry(db.id)
    if not config:
        await reply.private(render.plain(f"*{_name(db)}* exports no metrics."))
        return f"no metrics export for {_name(db)}"
    pairs = _config_pairs(config)
    await reply.private(render.key_values(f"Metrics export of {_name(db)}", pairs))
    return f"metrics export of {_name(db)}: {', '.join(k for k, _ in pairs)}"


async def metrics_set(
    svc: Service, req: Request, intent: Intent, reply: Replier, db: Database | None
) -> str:
    db = _need(db)
    usage = intent.spec.usage
    kind = _canonical_kind(intent.arg("kind"), usage)
    config = build_settings(kind, parse_settings(intent.many("settings"), usage), usage)
    before = await svc.astra.get_metrics_telemetry(db.id)
    await svc.astra.set_metrics_telemetry(db.id, kind, config)
    replaced = [k for k in before if k != kind]
    text = md(":wrench: {} set the metrics export of *{}* to *{}*: {}.", user(req.user_id),
              _name(db), kind, _summary(config))
    if replaced:
        text += md("\nThis replaces the export to {}.", ", ".join(replaced))
    await _announce(svc, req, text)
    return f"metrics export of {_name(db)} set to {kind} ({', '.join(sorted(config))})"


async def audit_log_show(
    svc: Service, req: Request, intent: Intent, reply: Replier, db: Database | None
) -> str:
    config = await svc.astra.get_audit_log_streaming(await svc.org_id())
    if not config:
        await reply.private(render.plain("The organization streams no audit log."))
        return "no audit-log streaming"
    pairs = _config_pairs(config)
    await reply.private(render.key_values("Audit-log streaming", pairs))
    return f"audit-log streaming: {', '.join(k for k, _ in pairs)}"


async def audit_log_set(
    svc: Service, req: Request, intent: Intent, reply: Replier, db: Database | None
) -> str:
    usage = intent.spec.usage
    settings = parse_settings(intent.many("settings"), usage)
    # setAuditLogExporterConfig takes a PulsarTelemetryRequest only; `kind=pulsar` is allowed
    kind = settings.pop("kind", "pulsar")
    if kind.lower() != "pulsar":
        raise UsageError("Audit logs can only be streamed to Pulsar.", usage=usage)
    config = build_settings("pulsar", settings, usage)
    await svc.astra.set_audit_log_streaming(await svc.org_id(), {"pulsar": config})
    await _announce(
        svc,
        req,
        md(":wrench: {} set the organization's audit-log streaming to *pulsar*: {}.",
           user(req.user_id), _summary(config)),
    )
    return f"audit-log streaming set to pulsar ({', '.join(sorted(config))})"


async def audit_log_delete_precheck(svc: Service, intent: Intent, db: Database | None) -> None:
    if not await svc.astra.get_audit_log_streaming(await svc.org_id()):
        raise NotFound("The organization streams no audit log: nothing to stop.",
                       hint="`/astra telemetry audit-log show` shows its streaming.")


async def audit_log_delete_confirmed(
    svc: Service, req: Request, intent: Intent, message_ts: str | None
) -> str:
    org = await svc.org_id()
    if not await svc.astra.get_audit_log_streaming(org):  # stopped since it was asked
        await _announce(svc, req, "The organization streams no audit log: nothing to stop.")
        return "no audit-log streaming to delete"
    await svc.astra.delete_audit_log_streaming(org)
    await _announce(
        svc, req, md(":wastebasket: Stopped audit-log streaming (asked by {}).",
                     user(req.user_id))
    )
    return "audit-log streaming deleted"


# ============================================================================ read-only extras


def _get(obj: Any, key: str) -> Any:
    """``obj[key]`` read case-insensitively (the wire casing of these objects varies)."""
    if not isinstance(obj, Mapping):
        return None
    folded = key.replace("_", "").lower()
    for k, v in obj.items():
        if str(k).replace("_", "").lower() == folded:
            return v
    return None


def _items(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list) else []


def private_link_lines(data: Mapping[str, Any], db_names: Mapping[str, str]) -> list[str]:
    lines: list[str] = []
    for cluster in _items(_get(data, "clusters")):
        cid = str(_get(cluster, "clusterID") or "?")
        name = f"*{db_names[cid]}* " if cid in db_names else ""
        for dc in _items(_get(cluster, "datacenters")) or [{}]:
            service = _get(dc, "serviceName")
            principals = _items(_get(dc, "allowedPrincipals"))
            endpoints = [
                f"`{_get(e, 'endpointID') or '?'}` {_get(e, 'status') or ''}"
                + (f" ({_clip(str(_get(e, 'description')), 60)})"
                   if _get(e, 'description') else "")
                for e in _items(_get(dc, "endpoints"))
            ]
            lines.append(
                f"{name}`{cid}` dc `{_get(dc, 'datacenterID') or '?'}`"
                + (f" · service `{service}`" if service else "")
                + (f" · {render.count(len(principals), 'allowed principal')}" if principals
                   else "")
                + (" · endpoints: " + ", ".join(endpoints) if endpoints else " · no endpoint")
            )
    return lines


async def private_link_list(
    svc: Service, req: Request, intent: Intent, reply: Replier, db: Database | None
) -> str:
    data = await svc.astra.list_private_links()
    db_names: dict[str, str] = {}
    if _items(_get(data, "clusters")):
        db_names = {d.id: _name(d) for d in await svc.astra.list_databases()}
    lines = private_link_lines(data, db_names)
    await reply.private(render.bullet_list("Private links", lines, empty="No private links."))
    return render.count(len(lines), "private-link datacenter")


async def custom_domain_list(
    svc: Service, req: Request, intent: Intent, reply: Replier, db: Database | None
) -> str:
    domains = await svc.astra.list_custom_domains()
    await reply.private(
        render.bullet_list("Custom domains", [f"`{d}`" for d in domains],
                           empty="No custom domains.")
    )
    return render.count(len(domains), "custom domain")


def kms_lines(keys: Sequence[Mapping[str, Any]]) -> list[str]:
    lines = []
    for k in keys:
        cloud = _get(k, "CloudProvider")
        key_id, region = _get(k, "KeyID"), _get(k, "Region")
        if cloud is None:  # the ExternalKMS shape: {"orgId", "aws": {"keyID", "region"}}
            for provider in ("aws", "gcp", "azure"):
                block = _get(k, provider)
                if isinstance(block, Mapping):
                    cloud, key_id, region = provider, _get(block, "keyID"), _get(block, "region")
        lines.append(f"{str(cloud or '?').lower()} / {region or '?'}: `{key_id or '?'}`")
    return lines


async def kms_list(
    svc: Service, req: Request, intent: Intent, reply: Replier, db: Database | None
) -> str:
    keys = await svc.astra.list_kms_keys()
    await reply.private(
        render.bullet_list("Customer keys (KMS)", kms_lines(keys), empty="No customer keys.")
    )
    return render.count(len(keys), "customer key")


def _vpc(v: Any) -> str:
    if not isinstance(v, Mapping):
        return "—"
    return (
        f"{_get(v, 'provider') or '?'} · account {_get(v, 'account') or '?'} · "
        f"VPC `{_get(v, 'vpcId') or '?'}` · `{_get(v, 'cidrBlock') or '?'}`"
    )


async def peering_show(
    svc: Service, req: Request, intent: Intent, reply: Replier, db: Database | None
) -> str:
    db = _need(db)
    provider = (intent.opt("cloud") or db.info.cloud_provider or "").lower()
    if not provider:
        raise UsageError("Say which cloud: `--cloud aws|gcp|azure`.", usage=intent.spec.usage)
    try:
        conn = await svc.astra.get_vpc_peering(provider, db.id)
    except AstraNotFound:
        # the database exists (it was resolved): 404 means "no peering connection"
        await reply.private(
            render.plain(f"*{_name(db)}* has no VPC peering connection on {provider}.")
        )
        return f"no VPC peering for {_name(db)} on {provider}"
    pairs = [
        ("Connection", f"`{_get(conn, 'connectionId') or '?'}`"),
        ("Status", str(_get(conn, "status") or "?")),
        ("Astra VPC", _vpc(_get(conn, "currentVpc"))),
        ("Peered VPC", _vpc(_get(conn, "otherVpc"))),
    ]
    await reply.private(render.key_values(f"VPC peering of {_name(db)} ({provider})", pairs))
    return f"VPC peering of {_name(db)} on {provider}: {_get(conn, 'status') or '?'}"

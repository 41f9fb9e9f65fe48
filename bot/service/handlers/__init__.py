"""One module per noun; :func:`build` wires each with what it needs into the one table.

A handler runs only once the dispatcher (bot/service/dispatch.py) allowed it, in the org
the dispatcher decided: a handler holds no Astra client, it uses ``call.org.astra`` (and
``await call.org.org_id()``, ``resolver.resolve_db(call.org.astra, ref)``); see
bot/service/registry.py. The handlers
of destructive commands run only from a confirmation click, so they re-read what they act
on (a fresh resolve, a fresh list) instead of trusting what was true when it was typed.
A handler returns an :class:`~bot.service.outcome.Outcome`: the dispatcher answers its
``private`` message to the caller and posts its ``channel`` one where the command came
from (a confirmed handler's, in the channel it was asked in), then audits it.

Secrets (the secret and token of a new application token, signed secure-bundle URLs,
telemetry credentials) are shown only to the requester, once, and appear in no channel
post, no returned outcome (the audit row) and no log line: no handler logs, and every
telemetry config shown is masked first (:func:`bot.redact.mask_settings`).
"""

from __future__ import annotations

from bot.service.confirmations import Confirmations
from bot.service.context import Context
from bot.service.forms import Regions
from bot.service.handlers.access_list import AccessListHandlers
from bot.service.handlers.acl_writes import AclWriteHandlers
from bot.service.handlers.audit import AuditHandlers
from bot.service.handlers.create import CreateHandlers
from bot.service.handlers.custom_domain import CustomDomainHandlers
from bot.service.handlers.db import DbHandlers
from bot.service.handlers.db_settings import DbSettingHandlers
from bot.service.handlers.help import HelpHandlers
from bot.service.handlers.iam_writes import IamWriteHandlers
from bot.service.handlers.keyspace import KeyspaceHandlers
from bot.service.handlers.kms import KmsHandlers
from bot.service.handlers.org import OrgHandlers
from bot.service.handlers.peering import PeeringHandlers
from bot.service.handlers.perm import PermHandlers
from bot.service.handlers.private_link import PrivateLinkHandlers
from bot.service.handlers.region import RegionHandlers
from bot.service.handlers.role import RoleHandlers
from bot.service.handlers.scb import ScbHandlers
from bot.service.handlers.telemetry import TelemetryHandlers
from bot.service.handlers.token import TokenHandlers, own_client_id
from bot.service.handlers.user import UserHandlers
from bot.service.handlers.watch import WatchHandlers
from bot.service.operations import Operations
from bot.service.org_choice import OrgChoice
from bot.service.progress import Progress
from bot.service.registry import Entry, Registry
from bot.service.resolve import Resolver
from bot.settings import Settings
from bot.store.repo import Store


def build(
    registry: Registry,
    *,
    ctx: Context,
    resolver: Resolver,
    ops: Operations,
    progress: Progress,
    regions: Regions,
    confirmations: Confirmations,
    choice: OrgChoice,
    store: Store,
    settings: Settings,
) -> Registry:
    """Fill ``registry`` with every noun's handlers (each given only what it uses; none
    an Astra client: each call brings its org's, ``call.org.astra``)."""
    own_ids = {name: own_client_id(token) for name, token in settings.orgs.items()}
    nouns: list[list[Entry]] = [
        HelpHandlers(ctx).entries(),
        DbHandlers(ctx, resolver, ops).entries(),
        CreateHandlers(
            ctx.settings, ctx.store, regions, ops, progress, confirmations, ctx.now
        ).entries(),
        KeyspaceHandlers(resolver, ops).entries(),
        RegionHandlers(ctx.settings.default_cloud, resolver, ops).entries(),
        AccessListHandlers(resolver).entries(),
        ScbHandlers(ctx.now).entries(),
        TokenHandlers(own_ids).entries(),
        AclWriteHandlers(resolver, settings.egress_cidrs).entries(),
        IamWriteHandlers(resolver, own_ids).entries(),
        DbSettingHandlers().entries(),
        RoleHandlers(resolver).entries(),
        UserHandlers().entries(),
        TelemetryHandlers().entries(),
        OrgHandlers(ctx.orgs, store, choice).entries(),
        PrivateLinkHandlers(resolver).entries(),
        CustomDomainHandlers().entries(),
        KmsHandlers().entries(),
        PeeringHandlers(resolver).entries(),
        WatchHandlers(store).entries(),
        PermHandlers(ctx, store).entries(),
        AuditHandlers(store).entries(),
    ]
    registry.add(e for entries in nouns for e in entries)
    return registry

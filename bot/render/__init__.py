"""PURE: outcomes and errors → Slack messages (Block Kit from ``slack_sdk.models``) and text.

Every reply is a :class:`Message`: a fallback ``text`` (notifications, screen readers) and
``blocks`` as plain dicts, built with ``slack_sdk.models.blocks`` so that Slack's limits are
checked when they are built. :func:`to_text` renders the same blocks for the terminal
shell, with buttons as numbered choices, so the shell shows exactly what Slack shows.

Button values carry only an opaque confirmation id; what a click does is decided again on
the server for the person who clicks (DESIGN §3).

Foreign text is inert (DESIGN §3): every text a renderer takes is a plain ``str`` — foreign,
escaped by :func:`bot.render.mrkdwn.escape` — or :class:`~bot.render.mrkdwn.Mrkdwn` the bot
built with :func:`bot.render.mrkdwn.md` and the mention builders. Every mrkdwn text object and
every fallback ``text`` is made from ``Mrkdwn`` only (``core._mrkdwn`` and ``core._msg`` take
nothing else), so a name from Astra or a typed description can never become a mention or a
link. Plain-text objects (headers, button labels, options) are shown literally by Slack and
are not escaped.

The package is split by subject: ``mrkdwn`` (the one escape), ``core`` (the message and its
parts), ``errors``, ``databases``, ``parts`` (keyspaces, regions, bundles), ``access``,
``telemetry``, ``lists``, ``operations``, ``confirmations``, ``help``, ``text`` (the shell),
``forms`` and ``home``. Every name of these is re-exported here, so ``from bot.render import
X`` and ``render.X`` name them all. The words of the commands of one subject are imported by
module: ``iam`` (Astra roles, users, tokens), ``perm`` (the bot's own permissions), ``chat``
(watches, the audit log) and ``org`` (the organization's networks).
"""

from __future__ import annotations

from bot.render.access import (
    AddressView,
    access_list,
    allowed,
    already_allowed,
    devops_access_list,
    first_entry,
    not_listed,
    removed,
)
from bot.render.confirmations import (
    Prompt,
    Target,
    Twin,
    already_decided,
    confirmation,
    confirmation_decided,
    create_another,
)
from bot.render.confirmations import summary as confirmation_summary
from bot.render.core import (
    ACTION_CANCEL,
    ACTION_CONFIRM,
    ACTION_FAMILIES,
    ACTION_PAGE,
    ACTION_RUN,
    MAX_BLOCKS,
    MAX_FIELD,
    MAX_TEXT,
    STATUS_EMOJI,
    Message,
    action_family,
    action_pattern,
    button_id,
    count,
    elapsed,
    emoji,
    plain,
    plain_only,
    stored_notice,
    when,
)
from bot.render.databases import (
    PAGE_SIZE,
    DbView,
    db_actions,
    db_detail,
    db_list,
    db_status,
    list_filters,
    no_such_page,
    page_count,
    run_buttons,
)
from bot.render.errors import denied, did_you_mean, error, usage_error
from bot.render.forms import (
    ACTION_FORM_CHANGE,
    FORM_CREATE,
    Form,
    FormField,
    form_values,
    form_view,
)
from bot.render.help import help_message
from bot.render.home import home_view
from bot.render.lists import bullet_list, key_values, secret_once
from bot.render.operations import (
    OP_VERBS,
    OpView,
    coalesced,
    finished,
    in_progress_line,
    progress,
    status_change,
)
from bot.render.parts import (
    RegionQuota,
    already_in_region,
    classic_regions,
    has_keyspace,
    its,
    keyspace_list,
    no_keyspace,
    no_region,
    region_list,
    secure_bundle,
    serverless_regions,
)
from bot.render.telemetry import (
    NO_AUDIT_LOG,
    NOTHING_TO_STOP,
    audit_log_set,
    audit_log_stopped,
    metrics_export_set,
    no_metrics_export,
    telemetry_config,
)
from bot.render.text import Choice, mrkdwn_text, to_text

__all__ = [
    "ACTION_CANCEL",
    "ACTION_CONFIRM",
    "ACTION_FAMILIES",
    "ACTION_FORM_CHANGE",
    "ACTION_PAGE",
    "ACTION_RUN",
    "FORM_CREATE",
    "MAX_BLOCKS",
    "MAX_FIELD",
    "MAX_TEXT",
    "NOTHING_TO_STOP",
    "NO_AUDIT_LOG",
    "OP_VERBS",
    "PAGE_SIZE",
    "STATUS_EMOJI",
    "AddressView",
    "Choice",
    "DbView",
    "Form",
    "FormField",
    "Message",
    "OpView",
    "Prompt",
    "RegionQuota",
    "Target",
    "Twin",
    "access_list",
    "action_family",
    "action_pattern",
    "allowed",
    "already_allowed",
    "already_decided",
    "already_in_region",
    "audit_log_set",
    "audit_log_stopped",
    "bullet_list",
    "button_id",
    "classic_regions",
    "coalesced",
    "confirmation",
    "confirmation_decided",
    "confirmation_summary",
    "count",
    "create_another",
    "db_actions",
    "db_detail",
    "db_list",
    "db_status",
    "denied",
    "devops_access_list",
    "did_you_mean",
    "elapsed",
    "emoji",
    "error",
    "finished",
    "first_entry",
    "form_values",
    "form_view",
    "has_keyspace",
    "help_message",
    "home_view",
    "in_progress_line",
    "its",
    "key_values",
    "keyspace_list",
    "list_filters",
    "metrics_export_set",
    "mrkdwn_text",
    "no_keyspace",
    "no_metrics_export",
    "no_region",
    "no_such_page",
    "not_listed",
    "page_count",
    "plain",
    "plain_only",
    "progress",
    "region_list",
    "removed",
    "run_buttons",
    "secret_once",
    "secure_bundle",
    "serverless_regions",
    "status_change",
    "stored_notice",
    "telemetry_config",
    "to_text",
    "usage_error",
    "when",
]

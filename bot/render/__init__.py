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
parts), ``errors``, ``databases``, ``lists``, ``operations``, ``confirmations``, ``help``,
``text`` (the shell), ``forms`` and ``home``. Every name of these is re-exported here, so
``from bot.render import X`` and ``render.X`` name them all. The words of the commands of one
subject are imported by module: ``iam`` (Astra roles, users, tokens), ``perm`` (the bot's own
permissions), ``chat`` (watches, the audit log) and ``org`` (the organization's networks).
"""

from __future__ import annotations

from bot.render.confirmations import Twin, confirmation, confirmation_decided, create_another
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
    db_detail,
    db_list,
    db_status,
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
from bot.render.lists import bullet_list, json_block, key_values, secret_once
from bot.render.operations import (
    OP_VERBS,
    OpView,
    coalesced,
    finished,
    in_progress_line,
    progress,
    status_change,
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
    "OP_VERBS",
    "PAGE_SIZE",
    "STATUS_EMOJI",
    "Choice",
    "DbView",
    "Form",
    "FormField",
    "Message",
    "OpView",
    "Twin",
    "action_family",
    "action_pattern",
    "bullet_list",
    "button_id",
    "coalesced",
    "confirmation",
    "confirmation_decided",
    "count",
    "create_another",
    "db_detail",
    "db_list",
    "db_status",
    "denied",
    "did_you_mean",
    "elapsed",
    "emoji",
    "error",
    "finished",
    "form_values",
    "form_view",
    "help_message",
    "home_view",
    "in_progress_line",
    "json_block",
    "key_values",
    "mrkdwn_text",
    "page_count",
    "plain",
    "plain_only",
    "progress",
    "run_buttons",
    "secret_once",
    "status_change",
    "stored_notice",
    "to_text",
    "usage_error",
    "when",
]

"""The `perm` handlers run without Slack: for a request from the command line (source
``cli``) they change the same store and answer with render's messages, which print as plain
text (bot/render/text.py), word for word what `/astra perm` answers in Slack."""

from __future__ import annotations

from bot import render
from bot.commands.perm import GrantRole, ListPermissions, ProtectDatabases, WhoAmI
from bot.intents import parse
from bot.policy import Rules
from bot.render import Message
from bot.render import perm as words
from bot.service.context import Request
from bot.service.handlers.perm import PermHandlers
from bot.service.registry import Call
from tests.conftest import ADMIN, BotHarness


def _text(message: Message | None) -> str:
    assert message is not None
    text, choices = render.to_text(message)
    assert choices == []
    return text


async def test_perm_handlers_answer_a_command_line_request_as_plain_text(bot: BotHarness) -> None:
    service = bot.components.service
    perms = PermHandlers(service.context, bot.store)
    # the org the dispatcher would have decided (a handler runs only after it did)
    org = service.context.orgs.default
    call = Call(Request(user_id=ADMIN, channel_id="", source="cli", org=org))
    with service.context.one_read_of_rules():
        grant = GrantRole.narrow(parse("perm grant <@UANA> operator --db orders*"))
        done = await perms.grant(grant, call)
        again = await perms.grant(grant, call)
        protect = ProtectDatabases.narrow(parse("perm protect prod-*"))
        protected = await perms.protect(protect, call)
    assert _text(done.private) == (
        "🔑 @UADMIN granted operator on databases matching `orders*` to @UANA."
    )
    assert (
        done.audit
        == ":key: <@UADMIN> granted *operator* on databases matching `orders*` to <@UANA>."
    )
    assert _text(again.private) == "@UANA already has operator on databases matching `orders*`."
    assert protected.audit == (
        ":lock: Databases matching `prod-*` now need a second person's approval for "
        "destructive commands."
    )
    # what the store now holds is what `perm list` shows, and whoami says
    with service.context.one_read_of_rules():
        listed = await perms.list(ListPermissions.narrow(parse("perm list")), call)
        mine = await perms.whoami(WhoAmI.narrow(parse("perm whoami")), call)
    shown = _text(listed.private)
    assert "@UANA → operator on `orders*`" in shown and "protected `prod-*`" in shown
    assert "@UADMIN → admin (ASTRA_BOT_ADMINS)" in shown
    assert listed.audit == "3 entries"
    assert _text(mine.private).startswith("Your roles:")


async def test_perm_list_says_what_a_fresh_store_lacks_in_the_words_of_where_it_was_typed(
    bot: BotHarness,
) -> None:
    """In Slack the hints name `/astra perm grant`; the command line's, `astra-bot perm
    grant` (tests/test_cli.py). An admin only by a binding still counts as an admin."""
    await bot.command("perm list")
    shown = bot.private_texts()[-1]
    assert (
        "no role bindings yet (`/astra perm grant &lt;@user|@group|#channel&gt; &lt;role&gt;`"
        in (shown)
    )
    assert "no admins" not in shown  # UADMIN is in ASTRA_BOT_ADMINS
    rows = await bot.store.audit_entries(limit=1)
    assert rows[0].outcome == "1 entry"  # the hints are not entries
    await bot.command("perm grant <@UANA> admin")
    await bot.command("perm list")
    assert "no role bindings yet" not in bot.private_texts()[-1]
    # a store where nobody is an admin yet: Slack's words for making one
    hints = words.rules_hints(Rules(), False, cli=False)
    assert hints[1] == (
        "no admins: set ASTRA_BOT_ADMINS to Slack member ids (U…, comma-separated), "
        "or run `/astra perm grant @user admin`"
    )
    assert words.rules_hints(Rules(), True, cli=False) == hints[:1]

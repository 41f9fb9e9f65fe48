"""Slack's payloads are read once, into typed values (bot/slack/payloads.py): the fields a
listener needs, with Slack's fallbacks (a click's channel and message from its container;
an App Home event without a tab is the Home tab), and never a crash on a missing level."""

from __future__ import annotations

from bot.slack.payloads import (
    BlockAction,
    FormChange,
    HomeOpened,
    SlashCommand,
    ViewSubmission,
    is_dm,
)


def test_a_slash_command() -> None:
    cmd = SlashCommand.of({"user_id": "U1", "channel_id": "C1", "text": "db list",
                           "trigger_id": "T.1", "response_url": "https://hooks/1"})  # fmt: skip
    assert cmd == SlashCommand("U1", "C1", "db list", "T.1", "https://hooks/1")
    assert SlashCommand.of({}) == SlashCommand("", "", "", None, None)


def test_a_click_in_a_message_and_in_an_ephemeral_answer() -> None:
    action = {"action_id": "astra_confirm", "value": "abc"}
    in_message = BlockAction.of(
        {"user": {"id": "U1"}, "channel": {"id": "C1"}, "message": {"ts": "1.2"}}, action
    )
    assert (in_message.user_id, in_message.channel_id, in_message.message_ts) == ("U1", "C1", "1.2")
    assert (in_message.action_id, in_message.value) == ("astra_confirm", "abc")
    # an ephemeral message has no `channel` nor `message`: its container says where it is
    ephemeral = BlockAction.of(
        {"user": {"id": "U1"}, "container": {"channel_id": "C2", "message_ts": "3.4"}}, action
    )
    assert (ephemeral.channel_id, ephemeral.message_ts) == ("C2", "3.4")


def test_missing_or_odd_levels_read_as_empty() -> None:
    click = BlockAction.of({"user": None, "channel": "C1", "container": 5}, {})
    assert click == BlockAction("", "", "", "", None, None, None)


def test_a_form_change_and_a_submission() -> None:
    view = {"id": "V1", "hash": "h", "private_metadata": "signed", "state": {"values": {}}}
    change = FormChange.of({"user": {"id": "U1"}, "view": view})
    assert (change.user_id, change.metadata, change.view_id, change.view_hash) == (
        "U1", "signed", "V1", "h")  # fmt: skip
    sent = ViewSubmission.of({"user": {"id": "U1"}}, view)
    assert (sent.user_id, sent.metadata, sent.values) == ("U1", "signed", {})


def test_app_home_opened() -> None:
    assert HomeOpened.of({"user": "U1"}) == HomeOpened("U1", "home")
    assert HomeOpened.of({"user": "U1", "tab": "messages"}).tab == "messages"


def test_a_direct_message_channel() -> None:
    assert is_dm("D123") and not is_dm("C123")

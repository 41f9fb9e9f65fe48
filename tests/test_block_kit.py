"""The strict fake's Block Kit rules, one by one: a payload at the limit is accepted, one
past it is refused with Slack's error and a reason that points at the offending field."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from tests.fakes.block_kit import Refusal, check_message, check_view
from tests.fakes.slack_api import DEFAULT_BOT_TOKEN, FakeSlack

Payload = dict[str, Any]


def plain(text: str) -> Payload:
    return {"type": "plain_text", "text": text}


def mrkdwn(text: str) -> Payload:
    return {"type": "mrkdwn", "text": text}


def section(text: str = "hi") -> Payload:
    return {"type": "section", "text": mrkdwn(text)}


def button(action_id: str = "a", text: str = "Go", **extra: Any) -> Payload:
    return {"type": "button", "action_id": action_id, "text": plain(text), **extra}


def actions(*elements: Payload, block_id: str | None = None) -> Payload:
    block: Payload = {"type": "actions", "elements": list(elements)}
    if block_id is not None:
        block["block_id"] = block_id
    return block


def message(*blocks: Payload, text: str = "fallback") -> Payload:
    return {"text": text, "blocks": list(blocks)}


def confirm(
    title: str = "Sure?", text: str = "Really.", ok: str = "Yes", deny: str = "No"
) -> Payload:
    return {"title": plain(title), "text": plain(text), "confirm": plain(ok), "deny": plain(deny)}


def option(text: str = "One", value: str = "1") -> Payload:
    return {"text": plain(text), "value": value}


def select(options: list[Payload], **extra: Any) -> Payload:
    return {"type": "static_select", "action_id": "s", "options": options, **extra}


def modal(*blocks: Payload, **over: Any) -> Payload:
    view: Payload = {
        "type": "modal",
        "title": plain("Create"),
        "submit": plain("Go"),
        "close": plain("Cancel"),
        "blocks": list(blocks),
    }
    view.update(over)
    return view


def input_block(label: str = "Name", element: Payload | None = None) -> Payload:
    return {
        "type": "input",
        "block_id": "name",
        "label": plain(label),
        "element": element or {"type": "plain_text_input", "action_id": "name"},
    }


def msg_check(build: Callable[[int], Payload]) -> Callable[[int], Refusal | None]:
    return lambda n: check_message(build(n))


def view_check(build: Callable[[int], Payload]) -> Callable[[int], Refusal | None]:
    return lambda n: check_view(build(n))


# (rule, limit, check(n), the JSON pointer a refusal at limit + 1 names)
LIMITS: list[tuple[str, int, Callable[[int], Refusal | None], str]] = [
    (
        "blocks per message",
        50,
        msg_check(lambda n: message(*[section() for _ in range(n)])),
        "/blocks",
    ),
    (
        "blocks per modal",
        100,
        view_check(lambda n: modal(*[section() for _ in range(n)])),
        "/view/blocks",
    ),
    (
        "blocks per Home tab",
        100,
        view_check(lambda n: {"type": "home", "blocks": [section() for _ in range(n)]}),
        "/view/blocks",
    ),
    (
        "action_id length",
        255,
        msg_check(lambda n: message(actions(button("a" * n)))),
        "/blocks/0/elements/0/action_id",
    ),
    (
        "block_id length",
        255,
        msg_check(lambda n: message({**section(), "block_id": "b" * n})),
        "/blocks/0/block_id",
    ),
    ("section text", 3000, msg_check(lambda n: message(section("x" * n))), "/blocks/0/text/text"),
    (
        "section fields count",
        10,
        msg_check(lambda n: message({"type": "section", "fields": [mrkdwn("f")] * n})),
        "/blocks/0/fields",
    ),
    (
        "section field length",
        2000,
        msg_check(lambda n: message({"type": "section", "fields": [mrkdwn("f" * n)]})),
        "/blocks/0/fields/0/text",
    ),
    (
        "header text",
        150,
        msg_check(lambda n: message({"type": "header", "text": plain("h" * n)})),
        "/blocks/0/text/text",
    ),
    (
        "button text",
        75,
        msg_check(lambda n: message(actions(button(text="t" * n)))),
        "/blocks/0/elements/0/text/text",
    ),
    (
        "button value",
        2000,
        msg_check(lambda n: message(actions(button(value="v" * n)))),
        "/blocks/0/elements/0/value",
    ),
    (
        "actions elements",
        25,
        msg_check(lambda n: message(actions(*[button(f"a{i}") for i in range(n)]))),
        "/blocks/0/elements",
    ),
    (
        "context elements",
        10,
        msg_check(lambda n: message({"type": "context", "elements": [mrkdwn("c")] * n})),
        "/blocks/0/elements",
    ),
    (
        "confirm title",
        100,
        msg_check(lambda n: message(actions(button(confirm=confirm(title="t" * n))))),
        "/blocks/0/elements/0/confirm/title/text",
    ),
    (
        "confirm text",
        300,
        msg_check(lambda n: message(actions(button(confirm=confirm(text="t" * n))))),
        "/blocks/0/elements/0/confirm/text/text",
    ),
    (
        "confirm button",
        30,
        msg_check(lambda n: message(actions(button(confirm=confirm(ok="t" * n))))),
        "/blocks/0/elements/0/confirm/confirm/text",
    ),
    (
        "deny button",
        30,
        msg_check(lambda n: message(actions(button(confirm=confirm(deny="t" * n))))),
        "/blocks/0/elements/0/confirm/deny/text",
    ),
    ("modal title", 24, view_check(lambda n: modal(title=plain("t" * n))), "/view/title/text"),
    ("modal submit", 24, view_check(lambda n: modal(submit=plain("t" * n))), "/view/submit/text"),
    ("modal close", 24, view_check(lambda n: modal(close=plain("t" * n))), "/view/close/text"),
    (
        "private_metadata",
        3000,
        view_check(lambda n: modal(private_metadata="m" * n)),
        "/view/private_metadata",
    ),
    ("callback_id", 255, view_check(lambda n: modal(callback_id="c" * n)), "/view/callback_id"),
    (
        "input label",
        2000,
        view_check(lambda n: modal(input_block(label="l" * n))),
        "/view/blocks/0/label/text",
    ),
    (
        "options count",
        100,
        view_check(
            lambda n: modal(
                input_block(element=select([option(f"o{i}", str(i)) for i in range(n)]))
            )
        ),
        "/view/blocks/0/element/options",
    ),
    (
        "option text",
        75,
        view_check(lambda n: modal(input_block(element=select([option(text="o" * n)])))),
        "/view/blocks/0/element/options/0/text/text",
    ),
    (
        "option value",
        150,
        view_check(lambda n: modal(input_block(element=select([option(value="v" * n)])))),
        "/view/blocks/0/element/options/0/value",
    ),
    ("message text", 40_000, msg_check(lambda n: {"text": "t" * n}), ""),
]


@pytest.mark.parametrize(("rule", "limit", "check", "pointer"), LIMITS, ids=[r[0] for r in LIMITS])
def test_a_limit_is_accepted_and_one_past_it_refused(
    rule: str,
    limit: int,
    check: Callable[[int], Refusal | None],
    pointer: str,
) -> None:
    assert check(limit) is None, f"{rule}: {limit} should pass"
    refusal = check(limit + 1)
    assert refusal is not None, f"{rule}: {limit + 1} should be refused"
    if pointer:
        assert refusal.error in {"invalid_blocks", "invalid_arguments"}
        assert any(f"[json-pointer:{pointer}]" in r for r in refusal.reasons), refusal.reasons
        assert any(f"less than {limit + 1} " in r for r in refusal.reasons), refusal.reasons
    else:
        assert refusal.error == "msg_too_long"


# (rule, accepted payload check, refused payload check, the pointer of the reason)
PAIRS: list[tuple[str, Callable[[], Refusal | None], Callable[[], Refusal | None], str]] = [
    (
        "action_id unique within a block",
        lambda: check_message(
            message(
                actions(button("run:0"), button("run:1")),
                actions(button("run:0"), block_id="other"),
            )
        ),
        lambda: check_message(message(actions(button("run"), button("run")))),
        "/blocks/0/elements/1/action_id",
    ),
    (
        "block_id unique within a message",
        lambda: check_message(
            message({**section(), "block_id": "a"}, {**section(), "block_id": "b"})
        ),
        lambda: check_message(
            message({**section(), "block_id": "a"}, {**section(), "block_id": "a"})
        ),
        "/blocks/1/block_id",
    ),
    (
        "block_id unique within a view",
        lambda: check_view(modal({**section(), "block_id": "a"}, {**section(), "block_id": "b"})),
        lambda: check_view(modal({**section(), "block_id": "a"}, {**section(), "block_id": "a"})),
        "/view/blocks/1/block_id",
    ),
    (
        "section text not empty",
        lambda: check_message(message(section("x"))),
        lambda: check_message(message(section(""))),
        "/blocks/0/text/text",
    ),
    (
        "section needs text or fields",
        lambda: check_message(message({"type": "section", "fields": [mrkdwn("f")]})),
        lambda: check_message(message({"type": "section"})),
        "/blocks/0",
    ),
    (
        "header is plain_text",
        lambda: check_message(message({"type": "header", "text": plain("h")})),
        lambda: check_message(message({"type": "header", "text": mrkdwn("h")})),
        "/blocks/0/text/type",
    ),
    (
        "a modal with inputs has a submit",
        lambda: check_view(modal(input_block())),
        lambda: check_view({k: v for k, v in modal(input_block()).items() if k != "submit"}),
        "/view/submit",
    ),
    (
        "a modal without inputs needs no submit",
        lambda: check_view({k: v for k, v in modal(section()).items() if k != "submit"}),
        lambda: check_view({k: v for k, v in modal(section()).items() if k != "title"}),
        "/view/title",
    ),
    (
        "initial_option is one of the options",
        lambda: check_view(
            modal(
                input_block(
                    element=select(
                        [option("One", "1"), option("Two", "2")], initial_option=option("Two", "2")
                    )
                )
            )
        ),
        lambda: check_view(
            modal(
                input_block(element=select([option("One", "1")], initial_option=option("Two", "2")))
            )
        ),
        "/view/blocks/0/element/initial_option",
    ),
    (
        "no unknown field on a block",
        lambda: check_message(message({**section(), "block_id": "ok"})),
        lambda: check_message(message({**section(), "colour": "red"})),
        "/blocks/0/colour",
    ),
    (
        "no unknown field on an element",
        lambda: check_message(message(actions(button(style="danger")))),
        lambda: check_message(message(actions(button(colour="red")))),
        "/blocks/0/elements/0/colour",
    ),
    (
        "no unknown block type",
        lambda: check_message(message({"type": "divider"})),
        lambda: check_message(message({"type": "banner"})),
        "/blocks/0/type",
    ),
    (
        "blocks come with a text fallback",
        lambda: check_message(message(section(), text="hi")),
        lambda: check_message({"blocks": [section()]}),
        "/text",
    ),
    (
        "a blank text is no fallback",
        lambda: check_message({"text": "x"}),
        lambda: check_message(message(section(), text=" ")),
        "/text",
    ),
    (
        "a confirm dialog has all four parts",
        lambda: check_message(message(actions(button(confirm=confirm())))),
        lambda: check_message(
            message(actions(button(confirm={k: v for k, v in confirm().items() if k != "deny"})))
        ),
        "/blocks/0/elements/0/confirm/deny",
    ),
]


@pytest.mark.parametrize(("rule", "good", "bad", "pointer"), PAIRS, ids=[p[0] for p in PAIRS])
def test_a_rule_accepts_the_right_payload_and_refuses_the_wrong_one(
    rule: str,
    good: Callable[[], Refusal | None],
    bad: Callable[[], Refusal | None],
    pointer: str,
) -> None:
    assert good() is None, f"{rule}: {good()}"
    refusal = bad()
    assert refusal is not None, f"{rule}: should be refused"
    assert any(r.endswith(f"[json-pointer:{pointer}]") for r in refusal.reasons), refusal.reasons


def test_a_message_without_blocks_needs_no_checks() -> None:
    assert check_message({"text": "plain"}) is None
    assert check_message({"text": "plain", "blocks": []}) is None


# ------------------------------------------------------------------ through the fake's HTTP


async def test_the_fake_answers_a_refused_message_as_slack_does() -> None:
    async with FakeSlack() as slack:
        slack.allow_refusals = True
        client = AsyncWebClient(token=DEFAULT_BOT_TOKEN, base_url=slack.api_url)
        bad = [actions(button("run"), button("run"))]
        with pytest.raises(SlackApiError) as refused:
            await client.chat_postMessage(channel="C1", text="t", blocks=bad)
        body = refused.value.response.data
        assert isinstance(body, dict)
        assert body["ok"] is False and body["error"] == "invalid_blocks"
        assert body["errors"] == [
            "duplicate action_id `run` in this block [json-pointer:/blocks/0/elements/1/action_id]"
        ]
        assert body["response_metadata"]["messages"] == [f"[ERROR] {body['errors'][0]}"]
        assert slack.messages("C1") == []  # nothing was posted
        with pytest.raises(SlackApiError):
            await client.chat_update(channel="C1", ts="1.0", text="t", blocks=bad)
        with pytest.raises(SlackApiError):
            await client.chat_postEphemeral(channel="C1", user="U1", text="t", blocks=bad)
        with pytest.raises(SlackApiError) as view_refused:
            await client.views_open(trigger_id="t", view=modal(title=plain("t" * 25)))
        assert view_refused.value.response["error"] == "invalid_arguments"
        with pytest.raises(SlackApiError):
            await client.views_publish(user_id="U1", view={"type": "home", "blocks": bad})
        assert [(r.method, r.error) for r in slack.refusals] == [
            ("chat.postMessage", "invalid_blocks"),
            ("chat.update", "invalid_blocks"),
            ("chat.postEphemeral", "invalid_blocks"),
            ("views.open", "invalid_arguments"),
            ("views.publish", "invalid_arguments"),
        ]
        assert [c.ok for c in slack.calls()] == [False] * 5


async def test_the_response_url_refuses_like_an_incoming_webhook() -> None:
    async with FakeSlack() as slack:
        slack.allow_refusals = True
        hook = AsyncWebhookClient(slack.response_url("r1", channel="C1", user_id="U1"))
        answer = await hook.send(text="t", blocks=[actions(button("run"), button("run"))])
        assert (answer.status_code, answer.body) == (400, "invalid_blocks")
        assert slack.ephemeral_messages() == []
        ok = await hook.send(text="t", blocks=[actions(button("run:0"), button("run:1"))])
        assert ok.status_code == 200
        (refused,) = slack.refusals
        assert refused.method == "response_url" and "action_id" in refused.reasons[0]


async def test_leaving_the_fake_fails_on_a_refusal_nobody_expected() -> None:
    with pytest.raises(AssertionError, match="Slack refused 1 payload"):
        async with FakeSlack() as slack:
            client = AsyncWebClient(token=DEFAULT_BOT_TOKEN, base_url=slack.api_url)
            with pytest.raises(SlackApiError):
                await client.chat_postMessage(
                    channel="C1", text="t", blocks=[section(), section("")]
                )

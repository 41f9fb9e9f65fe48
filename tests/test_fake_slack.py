"""Tests of the fake Slack Web API (tests/fakes/slack_api.py), driven by the real clients."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Sequence
from types import SimpleNamespace
from typing import Any
from urllib.parse import parse_qs

import aiohttp
import pytest
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry import builtin_async_handlers
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from tests.fakes.slack_api import (
    DEFAULT_APP_TOKEN,
    DEFAULT_BOT_TOKEN,
    RESPONSE_URL,
    FakeSlack,
    FakeSlackTimeout,
    block_actions_body,
    event_body,
    sign_request,
    slash_command_body,
    view_submission_body,
)

BLOCKS = [{"type": "section", "text": {"type": "mrkdwn", "text": "*hello*"}}]


@pytest.fixture
async def slack() -> AsyncIterator[FakeSlack]:
    async with FakeSlack() as fake:
        yield fake


@pytest.fixture
def client(slack: FakeSlack) -> AsyncWebClient:
    # No retry handlers: faults surface immediately as SlackApiError.
    return AsyncWebClient(token=DEFAULT_BOT_TOKEN, base_url=slack.api_url, retry_handlers=[])


# --------------------------------------------------------------------------- lifecycle


async def test_start_stop_explicitly_frees_the_port() -> None:
    fake = FakeSlack()
    await fake.start()
    assert fake.api_url.startswith("http://127.0.0.1:")
    assert fake.api_url.endswith("/api/")
    client = AsyncWebClient(token=DEFAULT_BOT_TOKEN, base_url=fake.api_url, retry_handlers=[])
    assert (await client.auth_test())["ok"] is True
    await fake.stop()
    with pytest.raises(aiohttp.ClientConnectionError):
        await client.auth_test()


# --------------------------------------------------------------------------- messages


async def test_post_update_and_read_back(slack: FakeSlack, client: AsyncWebClient) -> None:
    posted = await client.chat_postMessage(channel="C1", text="working…", blocks=BLOCKS)
    ts = posted["ts"]
    assert posted["channel"] == "C1"
    assert posted["message"]["text"] == "working…"
    assert posted["message"]["user"] == "UBOT"

    done = [{"type": "section", "text": {"type": "mrkdwn", "text": "done"}}]
    updated = await client.chat_update(channel="C1", ts=ts, text="done", blocks=done)
    assert updated["ts"] == ts

    message = slack.message("C1", ts)
    assert message["text"] == "done"
    assert message["blocks"] == done
    assert "edited" in message
    assert [m["ts"] for m in slack.messages("C1")] == [ts]
    assert slack.messages("C2") == []

    (post_call,) = slack.calls("chat.postMessage")
    assert post_call.params["blocks"] == BLOCKS
    assert post_call.token == DEFAULT_BOT_TOKEN
    assert post_call.ok
    assert [c.method for c in slack.calls()] == ["chat.postMessage", "chat.update"]


async def test_ts_are_unique_and_increasing(client: AsyncWebClient) -> None:
    tss = [(await client.chat_postMessage(channel="C1", text=str(i)))["ts"] for i in range(5)]
    assert tss[0] == "1700000000.000100"
    assert tss == sorted(tss)
    assert len(set(tss)) == 5
    assert [float(t) for t in tss] == sorted(float(t) for t in tss)


async def test_update_of_unknown_message_and_post_without_text(client: AsyncWebClient) -> None:
    with pytest.raises(SlackApiError) as err:
        await client.chat_update(channel="C1", ts="1.000000", text="x")
    assert err.value.response["error"] == "message_not_found"
    with pytest.raises(SlackApiError) as err:
        await client.api_call("chat.postMessage", json={"channel": "C1"})
    assert err.value.response["error"] == "no_text"


async def test_form_encoded_json_fields_are_decoded(slack: FakeSlack) -> None:
    client = AsyncWebClient(base_url=slack.api_url, retry_handlers=[])
    await client.api_call(
        "chat.postMessage",
        data={
            "token": DEFAULT_BOT_TOKEN,
            "channel": "C9",
            "text": "x",
            "blocks": json.dumps(BLOCKS),
        },
    )
    (call,) = slack.calls("chat.postMessage")
    assert call.token == DEFAULT_BOT_TOKEN  # token sent as a form field, not a header
    assert "token" not in call.params
    assert call.params["blocks"] == BLOCKS
    assert slack.messages("C9")[0]["blocks"] == BLOCKS


async def test_ephemeral_delete_and_history(slack: FakeSlack, client: AsyncWebClient) -> None:
    eph = await client.chat_postEphemeral(channel="C1", user="U7", text="only you")
    assert eph["message_ts"]
    assert slack.ephemeral_messages("C1", user="U7")[0]["text"] == "only you"

    first = (await client.chat_postMessage(channel="C1", text="one"))["ts"]
    second = (await client.chat_postMessage(channel="C1", text="two"))["ts"]
    await client.chat_postMessage(channel="C1", text="reply", thread_ts=first)
    history = await client.conversations_history(channel="C1")
    assert [m["text"] for m in history["messages"]] == ["two", "one"]
    replies = await client.conversations_replies(channel="C1", ts=first)
    assert [m["text"] for m in replies["messages"]] == ["one", "reply"]

    await client.chat_delete(channel="C1", ts=second)
    assert [m["text"] for m in slack.messages("C1")] == ["one", "reply"]
    with pytest.raises(KeyError):
        slack.message("C1", second)


# --------------------------------------------------------------------------- auth


async def test_auth_test_identity(slack: FakeSlack, client: AsyncWebClient) -> None:
    res = await client.auth_test()
    assert (res["user_id"], res["team_id"], res["bot_id"]) == ("UBOT", "T1", "BBOT")
    assert res["url"].startswith("https://")
    assert "chat:write" in res.headers["X-OAuth-Scopes"]


async def test_invalid_and_missing_token(slack: FakeSlack) -> None:
    bad = AsyncWebClient(token="xoxb-wrong", base_url=slack.api_url, retry_handlers=[])
    with pytest.raises(SlackApiError) as err:
        await bad.chat_postMessage(channel="C1", text="nope")
    assert err.value.response.status_code == 200
    assert err.value.response.data == {"ok": False, "error": "invalid_auth"}
    assert slack.messages("C1") == []
    (call,) = slack.calls("chat.postMessage")
    assert call.token == "xoxb-wrong"
    assert not call.ok

    anonymous = AsyncWebClient(base_url=slack.api_url, retry_handlers=[])
    with pytest.raises(SlackApiError) as err:
        await anonymous.auth_test()
    assert err.value.response["error"] == "not_authed"


async def test_configurable_tokens(slack: FakeSlack) -> None:
    slack.bot_tokens = {"xoxb-other"}
    other = AsyncWebClient(token="xoxb-other", base_url=slack.api_url, retry_handlers=[])
    assert (await other.auth_test())["ok"]
    default = AsyncWebClient(token=DEFAULT_BOT_TOKEN, base_url=slack.api_url, retry_handlers=[])
    with pytest.raises(SlackApiError, match="invalid_auth"):
        await default.auth_test()


async def test_apps_connections_open(slack: FakeSlack, client: AsyncWebClient) -> None:
    slack.socket_url = "ws://127.0.0.1:1/socket"
    res = await client.apps_connections_open(app_token=DEFAULT_APP_TOKEN)
    assert res.data == {"ok": True, "url": "ws://127.0.0.1:1/socket"}
    assert slack.calls("apps.connections.open")[0].token == DEFAULT_APP_TOKEN
    with pytest.raises(SlackApiError) as err:
        await client.apps_connections_open(app_token=DEFAULT_BOT_TOKEN)
    assert err.value.response["error"] == "not_allowed_token_type"


# --------------------------------------------------------------------------- faults


async def test_rate_limit_without_retry_handler(slack: FakeSlack, client: AsyncWebClient) -> None:
    slack.rate_limit("chat.postMessage", retry_after=7)
    with pytest.raises(SlackApiError) as err:
        await client.chat_postMessage(channel="C1", text="hi")
    response = err.value.response
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "7"
    assert response.data == {"ok": False, "error": "ratelimited"}
    assert slack.messages("C1") == []
    assert slack.calls("chat.postMessage")[0].status == 429

    await client.chat_postMessage(channel="C1", text="hi")  # only `count` calls are limited
    assert len(slack.messages("C1")) == 1


async def test_rate_limit_with_retry_handler_honours_retry_after(
    slack: FakeSlack, monkeypatch: pytest.MonkeyPatch
) -> None:
    slept: list[float] = []

    async def fake_sleep(seconds: float) -> None:  # records instead of really waiting
        slept.append(seconds)

    monkeypatch.setattr(builtin_async_handlers, "asyncio", SimpleNamespace(sleep=fake_sleep))
    client = AsyncWebClient(
        token=DEFAULT_BOT_TOKEN,
        base_url=slack.api_url,
        retry_handlers=[AsyncRateLimitErrorRetryHandler(max_retry_count=2)],
    )
    slack.rate_limit("chat.postMessage", count=2, retry_after=3)

    res = await client.chat_postMessage(channel="C1", text="eventually")

    assert res["ok"]
    assert [c.status for c in slack.calls("chat.postMessage")] == [429, 429, 200]
    assert len(slept) == 2
    assert all(3 <= s < 4 for s in slept)  # Retry-After (+ jitter < 1 s) was honoured
    assert [m["text"] for m in slack.messages("C1")] == ["eventually"]


async def test_fail_and_http_error(slack: FakeSlack, client: AsyncWebClient) -> None:
    slack.fail("chat.postMessage", "channel_not_found")
    with pytest.raises(SlackApiError) as err:
        await client.chat_postMessage(channel="C404", text="x")
    assert err.value.response.data == {"ok": False, "error": "channel_not_found"}

    slack.http_error("users.info", status=503, count=2)
    for _ in range(2):
        with pytest.raises(SlackApiError) as err:
            await client.users_info(user="U1")
        assert err.value.response.status_code == 503
    assert (await client.users_info(user="U1"))["user"]["id"] == "U1"
    assert [c.status for c in slack.calls("users.info")] == [503, 503, 200]


async def test_set_response_and_catch_all(slack: FakeSlack, client: AsyncWebClient) -> None:
    res = await client.reactions_add(channel="C1", timestamp="1.0", name="eyes")
    assert res.data == {"ok": True}
    assert slack.calls("reactions.add")[0].params == {
        "channel": "C1",
        "timestamp": "1.0",
        "name": "eyes",
    }
    slack.set_response("team.info", {"ok": True, "team": {"id": "T1", "name": "Astra"}})
    assert (await client.team_info())["team"]["name"] == "Astra"


# --------------------------------------------------------------------------- lookups


@pytest.mark.parametrize("error", ["missing_scope", "paid_teams_only"])
async def test_usergroups_errors(slack: FakeSlack, client: AsyncWebClient, error: str) -> None:
    slack.set_usergroup("S1", ["U1"])
    slack.usergroups_error = error
    with pytest.raises(SlackApiError) as err:
        await client.usergroups_users_list(usergroup="S1")
    assert err.value.response["error"] == error
    if error == "missing_scope":
        assert err.value.response["needed"] == "usergroups:read"


async def test_usergroups_members(slack: FakeSlack, client: AsyncWebClient) -> None:
    slack.set_usergroup("S1", ["U1", "U2"])
    assert (await client.usergroups_users_list(usergroup="S1"))["users"] == ["U1", "U2"]
    with pytest.raises(SlackApiError, match="no_such_subteam"):
        await client.usergroups_users_list(usergroup="S404")


async def test_users_and_conversations_info(slack: FakeSlack, client: AsyncWebClient) -> None:
    slack.add_user("U1", real_name="Ada", tz="Europe/Paris")
    slack.add_channel("C1", name="ops")
    user = (await client.users_info(user="U1"))["user"]
    assert (user["real_name"], user["tz"]) == ("Ada", "Europe/Paris")
    assert (await client.conversations_info(channel="C1"))["channel"]["name"] == "ops"
    assert (await client.users_info(user="U2"))["user"]["id"] == "U2"  # synthesized

    slack.strict_lookups = True
    with pytest.raises(SlackApiError, match="user_not_found"):
        await client.users_info(user="U2")
    with pytest.raises(SlackApiError, match="channel_not_found"):
        await client.conversations_info(channel="C2")


# --------------------------------------------------------------------------- views


async def test_views_open_update_push_publish(slack: FakeSlack, client: AsyncWebClient) -> None:
    modal = {
        "type": "modal",
        "callback_id": "create_db",
        "title": {"type": "plain_text", "text": "Create"},
        "blocks": BLOCKS,
    }
    opened = (await client.views_open(trigger_id="t1", view=modal))["view"]
    assert opened["id"].startswith("V")
    assert slack.calls("views.open")[0].params["view"] == modal

    new_blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "creating…"}}]
    await client.views_update(view_id=opened["id"], view={**modal, "blocks": new_blocks})
    assert slack.view(opened["id"])["blocks"] == new_blocks
    with pytest.raises(SlackApiError, match="hash_conflict"):
        await client.views_update(view_id=opened["id"], view=modal, hash="stale")

    pushed = (await client.views_push(trigger_id="t2", view=modal))["view"]
    assert [v["id"] for v in slack.views()] == [opened["id"], pushed["id"]]

    home = {"type": "home", "blocks": BLOCKS}
    await client.views_publish(user_id="U1", view=home)
    assert slack.home_view("U1")["blocks"] == BLOCKS

    with pytest.raises(SlackApiError, match="invalid_arguments"):
        await client.api_call("views.open", json={"view": modal})  # no trigger_id


# --------------------------------------------------------------------------- response_url


async def test_response_url_records_posts(slack: FakeSlack, client: AsyncWebClient) -> None:
    ts = (await client.chat_postMessage(channel="C1", text="Approve?"))["ts"]
    url = slack.response_url("r1", channel="C1", message_ts=ts, user_id="U1")
    webhook = AsyncWebhookClient(url)

    res = await webhook.send(text="thinking", response_type="ephemeral")
    assert res.status_code == 200
    res = await webhook.send(text="Approved", replace_original=True)
    assert res.status_code == 200

    first, second = slack.response_url_posts
    assert (first.id, first.text, first.response_type) == ("r1", "thinking", "ephemeral")
    assert not first.replace_original
    assert second.replace_original
    assert not second.delete_original
    assert slack.message("C1", ts)["text"] == "Approved"  # tied to the message → replaced
    assert slack.ephemeral_messages(user="U1")[0]["text"] == "thinking"

    await webhook.send_dict({"delete_original": True})
    assert slack.response_url_posts[-1].delete_original
    assert slack.messages("C1") == []

    slack.http_error(RESPONSE_URL, status=500)
    assert (await webhook.send(text="x")).status_code == 500
    slack.fail(RESPONSE_URL, "expired_url")
    expired = await webhook.send(text="x")
    assert (expired.status_code, expired.body) == (404, "expired_url")


# --------------------------------------------------------------------------- waiting


async def test_wait_for_sees_calls_made_concurrently(slack: FakeSlack) -> None:
    client = AsyncWebClient(token=DEFAULT_BOT_TOKEN, base_url=slack.api_url)

    async def later() -> None:
        await asyncio.sleep(0.05)
        for text in ("a", "b"):
            await client.chat_postMessage(channel="C1", text=text)

    task = asyncio.create_task(later())
    calls = await slack.wait_for("chat.postMessage", count=2, timeout=2)
    await task
    assert [c.params["text"] for c in calls] == ["a", "b"]

    matching = await slack.wait_for("chat.postMessage", predicate=lambda c: c.params["text"] == "b")
    assert len(matching) == 1

    started = time.monotonic()
    with pytest.raises(FakeSlackTimeout, match=r"chat\.update"):
        await slack.wait_for("chat.update", timeout=0.1)
    assert time.monotonic() - started < 1

    slack.clear()
    assert slack.calls() == []
    assert [m["text"] for m in slack.messages("C1")] == ["a", "b"]  # clear() keeps state


# --------------------------------------------------------------------------- request helpers


def test_sign_request_is_valid_for_slack_sdk_verifier() -> None:
    body = slash_command_body("create db1")
    headers = sign_request("s3cr3t", body)
    verifier = SignatureVerifier("s3cr3t")
    ts, sig = headers["X-Slack-Request-Timestamp"], headers["X-Slack-Signature"]
    assert sig.startswith("v0=")
    assert verifier.is_valid(body=body, timestamp=ts, signature=sig)
    assert not verifier.is_valid(body=body + "x", timestamp=ts, signature=sig)
    assert not SignatureVerifier("other").is_valid(body=body, timestamp=ts, signature=sig)
    old = sign_request("s3cr3t", body, timestamp=int(time.time()) - 3600)
    assert not verifier.is_valid(
        body=body,
        timestamp=old["X-Slack-Request-Timestamp"],
        signature=old["X-Slack-Signature"],
    )


def test_body_helpers_shapes() -> None:
    form = parse_qs(slash_command_body("create db1", user_id="U9", response_url="http://x/r"))
    assert form["command"] == ["/astra"]
    assert form["text"] == ["create db1"]
    assert (form["user_id"], form["response_url"]) == (["U9"], ["http://x/r"])

    body = block_actions_body("approve", "db-1", message_ts="1.000100")
    assert body.startswith("payload=")
    payload: dict[str, Any] = json.loads(parse_qs(body)["payload"][0])
    assert payload["type"] == "block_actions"
    assert payload["actions"][0]["action_id"] == "approve"
    assert payload["actions"][0]["value"] == "db-1"
    assert payload["container"]["message_ts"] == "1.000100"

    values = {"name": {"name_input": {"type": "plain_text_input", "value": "db1"}}}
    sub = json.loads(parse_qs(view_submission_body("create_db", values))["payload"][0])
    assert sub["view"]["state"]["values"] == values

    event = json.loads(event_body({"type": "app_mention", "text": "hi"}, event_id="Ev1"))
    assert (event["type"], event["event_id"], event["event"]["text"]) == (
        "event_callback",
        "Ev1",
        "hi",
    )


# --------------------------------------------------------------------------- Bolt end to end


async def test_bolt_app_runs_against_the_fake(slack: FakeSlack, client: AsyncWebClient) -> None:
    secret = "s3cr3t"
    app = AsyncApp(
        client=AsyncWebClient(token=DEFAULT_BOT_TOKEN, base_url=slack.api_url),
        signing_secret=secret,
        process_before_response=True,
    )

    @app.command("/astra")
    async def on_command(ack: Any, command: dict[str, Any], say: Any, respond: Any) -> None:
        await ack()
        await say(f"echo {command['text']}")
        await respond("only for you")

    @app.action("approve")
    async def on_approve(ack: Any, body: dict[str, Any], respond: Any) -> None:
        await ack()
        await respond(text=f"approved {body['actions'][0]['value']}", replace_original=True)

    @app.view("create_db")
    async def on_submit(ack: Any, view: dict[str, Any]) -> None:
        name = view["state"]["values"]["name"]["name_input"]["value"]
        await ack(response_action="errors", errors={"name": f"{name} is taken"})

    @app.event("app_mention")
    async def on_mention(event: dict[str, Any], say: Any) -> None:
        await say(text="hi", thread_ts=event["ts"])

    async def dispatch(body: str, content_type: str) -> Any:
        headers: dict[str, str | Sequence[str]] = {
            "Content-Type": content_type,
            **sign_request(secret, body),
        }
        return await app.async_dispatch(AsyncBoltRequest(body=body, headers=headers))

    form = "application/x-www-form-urlencoded"

    res = await dispatch(
        slash_command_body("create db1", response_url=slack.response_url("r1")), form
    )
    assert res.status == 200
    assert [m["text"] for m in slack.messages("C1")] == ["echo create db1"]
    assert slack.response_url_posts[0].text == "only for you"
    assert slack.calls("auth.test")[0].token == DEFAULT_BOT_TOKEN  # Bolt's authorize

    ts = (await client.chat_postMessage(channel="C1", text="Approve db-1?"))["ts"]
    url = slack.response_url("r2", channel="C1", message_ts=ts)
    res = await dispatch(
        block_actions_body("approve", "db-1", message_ts=ts, response_url=url), form
    )
    assert res.status == 200
    assert slack.message("C1", ts)["text"] == "approved db-1"

    values = {"name": {"name_input": {"type": "plain_text_input", "value": "db1"}}}
    res = await dispatch(view_submission_body("create_db", values), form)
    assert res.status == 200
    assert json.loads(res.body) == {"response_action": "errors", "errors": {"name": "db1 is taken"}}

    mention = {
        "type": "app_mention",
        "user": "U1",
        "text": "<@UBOT> hi",
        "ts": "5.0",
        "channel": "C1",
    }
    res = await dispatch(event_body(mention), "application/json")
    assert res.status == 200
    (reply,) = await slack.wait_for(
        "chat.postMessage", predicate=lambda c: c.params["text"] == "hi"
    )
    assert reply.params["thread_ts"] == "5.0"

    unsigned = AsyncBoltRequest(body=slash_command_body("x"), headers={"Content-Type": form})
    assert (await app.async_dispatch(unsigned)).status == 401

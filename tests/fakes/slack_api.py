"""A fake Slack Web API served by a real local aiohttp server.

``FakeSlack`` listens on ``127.0.0.1`` (free port) inside the running event loop and answers
the Web API the way ``slack_sdk``'s ``AsyncWebClient`` expects, so the real client (and
Bolt's ``AsyncApp(client=...)``) can be pointed at it::

    async with FakeSlack() as slack:
        client = AsyncWebClient(token=DEFAULT_BOT_TOKEN, base_url=slack.api_url)
        res = await client.chat_postMessage(channel="C1", text="hi")
        assert slack.message("C1", res["ts"])["text"] == "hi"

Everything a client sends is recorded as a :class:`Call`.  Query string, form fields and
JSON body are merged into ``Call.params``; JSON-encoded form fields (``blocks``, ``view``,
``attachments`` ...) are decoded into Python objects; the token (``Authorization: Bearer``
header or ``token`` field) is kept apart in ``Call.token``.

It also serves ``POST /response_url/<id>`` as a stand-in for Slack ``response_url``s, and the
module has helpers that build signed slash-command / interactivity / Events API requests.

It is strict: messages (``chat.postMessage``, ``chat.update``, ``chat.postEphemeral``, posts to
a ``response_url``) and views (``views.open``/``update``/``push``/``publish``) that break Slack's
Block Kit rules (:mod:`tests.fakes.block_kit`) are refused as Slack refuses them, and each
refusal is kept in ``FakeSlack.refusals``. Leaving ``async with FakeSlack()`` raises an
``AssertionError`` listing them, unless the test set ``allow_refusals = True`` (a test that
means Slack to refuse something).
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import json
import time
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar
from urllib.parse import parse_qs, urlencode

from aiohttp import web
from slack_sdk.signature import SignatureVerifier

from tests.fakes import serve_on_free_port
from tests.fakes.block_kit import Refusal, check_message, check_view

__all__ = [
    "DEFAULT_APP_TOKEN",
    "DEFAULT_BOT_TOKEN",
    "RESPONSE_URL",
    "UNSET_RESPONSE_URL",
    "Call",
    "FakeSlack",
    "FakeSlackTimeout",
    "Refused",
    "ResponseUrlPost",
    "block_actions_body",
    "event_body",
    "sign_request",
    "slash_command_body",
    "url_verification_body",
    "view_submission_body",
]

DEFAULT_BOT_TOKEN = "xoxb-test-token"
DEFAULT_APP_TOKEN = "xapp-test-token"
#: Pseudo method name: pass it to ``rate_limit``/``fail``/``http_error`` to fault the next
#: posts to *any* ``response_url`` served by the fake.
RESPONSE_URL = "response_url"
#: Default ``response_url`` of the body helpers: a closed local port, so a handler that
#: responds to it fails fast instead of reaching the internet.  Pass
#: ``slack.response_url(...)`` to record what is posted.
UNSET_RESPONSE_URL = "http://127.0.0.1:1/response_url/unset"
DEFAULT_TRIGGER_ID = "1700000000.1.fake-trigger"
VERIFICATION_TOKEN = "fake-verification-token"

#: Fields slack_sdk sends as JSON strings when the body is form-encoded.
JSON_FIELDS = frozenset(
    {
        "attachments",
        "blocks",
        "chunks",
        "metadata",
        "option_groups",
        "options",
        "profile",
        "unfurls",
        "user_auth_blocks",
        "view",
    }
)
#: Methods answered without checking the bearer token.
NO_AUTH_METHODS = frozenset(
    {"api.test", "oauth.access", "oauth.v2.access", "oauth.v2.exchange", "openid.connect.token"}
)
_MESSAGE_FIELDS = (
    "blocks",
    "attachments",
    "thread_ts",
    "metadata",
    "markdown_text",
    "reply_broadcast",
    "username",
    "icon_emoji",
    "icon_url",
)
_EDITABLE_FIELDS = ("text", "blocks", "attachments", "metadata", "markdown_text")
#: Methods whose body is a message, and whose ``view`` is a view: checked against Block Kit.
_MESSAGE_METHODS = frozenset({"chat.postMessage", "chat.update", "chat.postEphemeral"})
_VIEW_METHODS = frozenset({"views.open", "views.update", "views.push", "views.publish"})
_TS_BASE_MICROS = 1_700_000_000_000_000
_TS_STEP_MICROS = 100

T = TypeVar("T")


class FakeSlackTimeout(AssertionError, TimeoutError):
    """``wait_for*`` gave up.  Both an ``AssertionError`` and a ``TimeoutError``."""


@dataclass(frozen=True)
class Call:
    """One request to ``/api/<method>``."""

    method: str
    params: dict[str, Any]
    token: str | None
    at: float
    #: HTTP status the fake answered with.
    status: int = 200
    #: JSON body the fake answered with (``None`` for non-JSON fault answers).
    response: dict[str, Any] | None = None

    @property
    def ok(self) -> bool:
        return self.status == 200 and bool(self.response and self.response.get("ok"))


@dataclass(frozen=True)
class Refused:
    """One payload the fake refused as Slack would: where it went (a Web API method, or
    :data:`RESPONSE_URL`), Slack's error code, the reasons, and what was sent."""

    method: str
    error: str
    reasons: tuple[str, ...]
    payload: dict[str, Any]

    def __str__(self) -> str:
        return f"{self.method}: {self.error}: " + "; ".join(self.reasons)


@dataclass(frozen=True)
class ResponseUrlPost:
    """One JSON message posted to ``slack.response_url(id)``."""

    id: str
    body: dict[str, Any]
    at: float
    status: int = 200

    @property
    def text(self) -> str | None:
        text = self.body.get("text")
        return text if isinstance(text, str) else None

    @property
    def blocks(self) -> list[dict[str, Any]] | None:
        blocks = self.body.get("blocks")
        return blocks if isinstance(blocks, list) else None

    @property
    def response_type(self) -> str | None:
        """As posted (Slack treats a missing value as ``"ephemeral"``)."""
        value = self.body.get("response_type")
        return value if isinstance(value, str) else None

    @property
    def replace_original(self) -> bool:
        return _truthy(self.body.get("replace_original"))

    @property
    def delete_original(self) -> bool:
        return _truthy(self.body.get("delete_original"))


@dataclass(frozen=True)
class _Fault:
    kind: Literal["ratelimit", "error", "http"]
    error: str = ""
    errors: tuple[str, ...] = ()
    status: int = 200
    retry_after: int = 1


@dataclass
class _Reply:
    status: int = 200
    body: dict[str, Any] | None = None
    text: str = ""
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)

    def to_response(self) -> web.Response:
        if self.body is not None:
            return web.json_response(self.body, status=self.status, headers=self.headers)
        return web.Response(
            status=self.status,
            text=self.text,
            content_type=self.content_type,
            headers=self.headers,
        )


@dataclass(frozen=True)
class _ResponseLink:
    channel: str | None
    message_ts: str | None
    user_id: str | None


class _BadRequest(Exception):
    def __init__(self, error: str) -> None:
        super().__init__(error)
        self.error = error


Handler = Callable[[dict[str, Any], str | None], dict[str, Any] | _Reply]


def _truthy(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.lower() in ("true", "1"))


def _err(error: str, **extra: Any) -> dict[str, Any]:
    return {"ok": False, "error": error, **extra}


def _decode_json_fields(params: dict[str, Any]) -> None:
    for key in JSON_FIELDS & params.keys():
        value = params[key]
        if isinstance(value, str) and value.lstrip()[:1] in ("[", "{"):
            # Undecodable values stay as sent (Slack would answer invalid_blocks etc.).
            with contextlib.suppress(json.JSONDecodeError):
                params[key] = json.loads(value)


class FakeSlack:
    """Local fake of the Slack Web API + ``response_url`` endpoint.

    Configuration lives in plain public attributes that tests may change at any time:
    ``bot_tokens``/``app_tokens`` (sets), ``users``/``channels`` (id -> object answered by
    ``users.info``/``conversations.info``), ``usergroups`` (id -> member ids),
    ``usergroups_error`` (e.g. ``"missing_scope"``, ``"paid_teams_only"``; makes every
    ``usergroups.users.list`` fail), ``strict_lookups`` (unknown user/channel ids fail instead
    of getting a synthesized object) and ``socket_url``.

    ``strict`` (default on) checks messages and views against Block Kit's rules; refused
    payloads land in ``refusals``; ``allow_refusals`` says a test expects some.
    """

    def __init__(
        self,
        *,
        bot_tokens: Iterable[str] = (DEFAULT_BOT_TOKEN,),
        app_tokens: Iterable[str] = (DEFAULT_APP_TOKEN,),
        team_id: str = "T1",
        team: str = "Astra Test",
        team_domain: str = "astra-test",
        bot_user_id: str = "UBOT",
        bot_id: str = "BBOT",
        app_id: str = "A1",
        scopes: str = "chat:write,commands,usergroups:read,users:read,channels:read",
        socket_url: str | None = None,
        strict_lookups: bool = False,
        strict: bool = True,
        host: str = "127.0.0.1",
    ) -> None:
        self.bot_tokens: set[str] = set(bot_tokens)
        self.app_tokens: set[str] = set(app_tokens)
        self.team_id = team_id
        self.team = team
        self.team_domain = team_domain
        self.bot_user_id = bot_user_id
        self.bot_id = bot_id
        self.app_id = app_id
        self.scopes = scopes
        self.strict_lookups = strict_lookups
        self.strict = strict
        self.allow_refusals = False
        self.refusals: list[Refused] = []
        self.host = host
        self.users: dict[str, dict[str, Any]] = {}
        self.channels: dict[str, dict[str, Any]] = {}
        self.usergroups: dict[str, list[str]] = {}
        self.usergroups_error: str | None = None
        self.response_url_posts: list[ResponseUrlPost] = []
        self._socket_url = socket_url
        self._calls: list[Call] = []
        self._messages: dict[str, list[dict[str, Any]]] = {}
        self._ephemeral: list[dict[str, Any]] = []
        self._views: dict[str, dict[str, Any]] = {}
        self._home_views: dict[str, dict[str, Any]] = {}
        self._faults: dict[str, deque[_Fault]] = {}
        self._canned: dict[str, dict[str, Any]] = {}
        self._response_links: dict[str, _ResponseLink] = {}
        self._ts_counter = 0
        self._id_counter = 0
        self._cond = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self._port: int | None = None
        self._handlers: dict[str, Handler] = {
            "auth.test": self._auth_test,
            "chat.postMessage": self._chat_post_message,
            "chat.update": self._chat_update,
            "chat.postEphemeral": self._chat_post_ephemeral,
            "chat.delete": self._chat_delete,
            "views.open": self._views_open,
            "views.update": self._views_update,
            "views.push": self._views_push,
            "views.publish": self._views_publish,
            "usergroups.users.list": self._usergroups_users_list,
            "users.info": self._users_info,
            "conversations.info": self._conversations_info,
            "conversations.history": self._conversations_history,
            "conversations.replies": self._conversations_replies,
            "apps.connections.open": self._apps_connections_open,
        }

    # ------------------------------------------------------------------ lifecycle

    async def start(self) -> FakeSlack:
        if self._runner is not None:
            raise RuntimeError("FakeSlack already started")
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._handle_api)
        app.router.add_post("/response_url/{id}", self._handle_response_url)
        self._runner, self._port = await serve_on_free_port(app, self.host)
        return self

    async def stop(self) -> None:
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()

    async def __aenter__(self) -> FakeSlack:
        return await self.start()

    async def __aexit__(self, exc_type: object, *exc_info: object) -> None:
        await self.stop()
        if exc_type is None and not self.allow_refusals:
            self.assert_no_refusals()

    def not_accepted(self) -> list[str]:
        """Every call Slack did not answer ``ok`` (faults included), every post to a
        response_url it did not take, and every refusal: empty when Slack took it all."""
        out = [f"{c.method}: HTTP {c.status} {c.response}" for c in self._calls if not c.ok]
        out += [
            f"response_url {p.id}: HTTP {p.status}"
            for p in self.response_url_posts
            if p.status != 200
        ]
        return out + [str(r) for r in self.refusals]

    def assert_no_refusals(self) -> None:
        """Fail if Slack (this fake) refused any payload: each refusal and its reasons."""
        if self.refusals:
            lines = "\n".join(f"  {r}" for r in self.refusals)
            raise AssertionError(f"Slack refused {len(self.refusals)} payload(s):\n{lines}")

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("FakeSlack not started")
        return self._port

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT`` (no trailing slash)."""
        return f"http://{self.host}:{self.port}"

    @property
    def api_url(self) -> str:
        """Pass as ``AsyncWebClient(base_url=...)``; ends with ``/``."""
        return f"{self.base_url}/api/"

    @property
    def socket_url(self) -> str:
        """URL answered by ``apps.connections.open``.

        Defaults to a URL on this server that has no WebSocket endpoint, so a Socket Mode
        client fails fast (locally) unless a test sets a real one.
        """
        if self._socket_url is not None:
            return self._socket_url
        return f"ws://{self.host}:{self.port}/link/?ticket=fake-ticket&app_id={self.app_id}"

    @socket_url.setter
    def socket_url(self, value: str | None) -> None:
        self._socket_url = value

    def response_url(
        self,
        id: str,
        *,
        channel: str | None = None,
        message_ts: str | None = None,
        user_id: str | None = None,
    ) -> str:
        """URL of a fake ``response_url``; posts to it land in ``response_url_posts``.

        Tie it to a stored message (``channel`` + ``message_ts``) to make
        ``replace_original``/``delete_original`` edit/delete that message, and
        ``response_type="in_channel"`` post a new message in ``channel`` (other posts are
        kept as ephemeral messages for ``user_id``).
        """
        if channel is not None or message_ts is not None or user_id is not None:
            self._response_links[id] = _ResponseLink(channel, message_ts, user_id)
        return f"{self.base_url}/response_url/{id}"

    # ------------------------------------------------------------------ configuration

    def set_usergroup(self, usergroup_id: str, members: Sequence[str]) -> None:
        self.usergroups[usergroup_id] = list(members)

    def add_user(self, user_id: str, **fields: Any) -> dict[str, Any]:
        """Register a user for ``users.info`` (defaults filled in; ``fields`` override)."""
        user = {**self._default_user(user_id), **fields}
        self.users[user_id] = user
        return user

    def add_channel(self, channel_id: str, **fields: Any) -> dict[str, Any]:
        """Register a channel for ``conversations.info`` (``fields`` override defaults)."""
        channel = {**self._default_channel(channel_id), **fields}
        self.channels[channel_id] = channel
        return channel

    def set_response(self, method: str, body: dict[str, Any] | None) -> None:
        """Always answer ``method`` with ``body`` (after the token check); ``None`` undoes."""
        if body is None:
            self._canned.pop(method, None)
        else:
            self._canned[method] = copy.deepcopy(body)

    # ------------------------------------------------------------------ faults

    def rate_limit(self, method: str, count: int = 1, retry_after: int = 1) -> None:
        """Next ``count`` calls: HTTP 429 + ``Retry-After`` + ``error: ratelimited`` (as Slack)."""
        self._add_fault(method, count, _Fault("ratelimit", retry_after=retry_after))

    def fail(
        self,
        method: str,
        error: str = "channel_not_found",
        count: int = 1,
        errors: Sequence[str] = (),
    ) -> None:
        """Next ``count`` calls answer ``{"ok": false, "error": error}`` (HTTP 200), with
        ``errors`` as Slack words the reasons of ``invalid_blocks``, if given."""
        self._add_fault(method, count, _Fault("error", error=error, errors=tuple(errors)))

    def http_error(self, method: str, status: int = 500, count: int = 1) -> None:
        """Next ``count`` calls answer HTTP ``status`` with an HTML (non-JSON) body."""
        self._add_fault(method, count, _Fault("http", status=status))

    def _add_fault(self, method: str, count: int, fault: _Fault) -> None:
        self._faults.setdefault(method, deque()).extend([fault] * count)

    def _pop_fault(self, method: str) -> _Fault | None:
        queue = self._faults.get(method)
        return queue.popleft() if queue else None

    # ------------------------------------------------------------------ inspection

    def calls(self, method: str | None = None) -> list[Call]:
        """Recorded calls (all, or of one method), oldest first."""
        return [c for c in self._calls if method is None or c.method == method]

    async def wait_for(
        self,
        method: str,
        count: int = 1,
        timeout: float = 5.0,  # noqa: ASYNC109 - part of the fixture's API
        predicate: Callable[[Call], bool] | None = None,
    ) -> list[Call]:
        """Wait until ``count`` calls of ``method`` (matching ``predicate``) were recorded.

        Returns *all* matching calls so far (at least ``count``); raises
        :class:`FakeSlackTimeout` after ``timeout`` seconds.
        """

        def matching() -> list[Call]:
            return [
                c for c in self._calls if c.method == method and (predicate is None or predicate(c))
            ]

        return await self._wait(matching, count, timeout, f"call(s) of {method}")

    async def wait_for_response_url(
        self,
        count: int = 1,
        timeout: float = 5.0,  # noqa: ASYNC109 - part of the fixture's API
        predicate: Callable[[ResponseUrlPost], bool] | None = None,
    ) -> list[ResponseUrlPost]:
        """Like :meth:`wait_for`, for posts to response URLs."""

        def matching() -> list[ResponseUrlPost]:
            return [p for p in self.response_url_posts if predicate is None or predicate(p)]

        return await self._wait(matching, count, timeout, "response_url post(s)")

    async def _wait(
        self,
        get: Callable[[], list[T]],
        count: int,
        seconds: float,
        what: str,
    ) -> list[T]:
        try:
            async with asyncio.timeout(seconds), self._cond:
                await self._cond.wait_for(lambda: len(get()) >= count)
        except TimeoutError:
            seen = [c.method for c in self._calls][-20:]
            raise FakeSlackTimeout(
                f"timed out after {seconds}s waiting for {count} {what}; got {len(get())}."
                f" Recent calls: {seen}"
            ) from None
        return get()

    def clear(self) -> None:
        """Forget recorded calls and response_url posts (stored messages/views stay; so do
        ``refusals``, which the end of ``async with`` checks)."""
        self._calls.clear()
        self.response_url_posts.clear()

    def reset(self) -> None:
        """``clear()`` plus drop messages, views, pending faults and canned responses."""
        self.clear()
        self._messages.clear()
        self._ephemeral.clear()
        self._views.clear()
        self._home_views.clear()
        self._faults.clear()
        self._canned.clear()
        self._response_links.clear()

    def messages(self, channel: str) -> list[dict[str, Any]]:
        """Copies of the messages stored in ``channel`` (as addressed by the client), oldest
        first; thread replies included, deleted messages not."""
        return copy.deepcopy(self._messages.get(channel, []))

    def message(self, channel: str, ts: str) -> dict[str, Any]:
        """Copy of one stored message (current text/blocks after updates); ``KeyError`` if
        absent."""
        msg = self._find_message(channel, ts)
        if msg is None:
            known = [m["ts"] for m in self._messages.get(channel, [])]
            raise KeyError(f"no message {ts} in {channel!r}; stored ts: {known}")
        return copy.deepcopy(msg)

    def ephemeral_messages(
        self, channel: str | None = None, user: str | None = None
    ) -> list[dict[str, Any]]:
        """``chat.postEphemeral`` messages (and ephemeral ``response_url`` replies)."""
        return [
            copy.deepcopy(m)
            for m in self._ephemeral
            if (channel is None or m.get("channel") == channel)
            and (user is None or m.get("user") == user)
        ]

    def views(self) -> list[dict[str, Any]]:
        """Modal views opened/pushed (current state after ``views.update``), oldest first."""
        return copy.deepcopy(list(self._views.values()))

    def view(self, view_id: str) -> dict[str, Any]:
        return copy.deepcopy(self._views[view_id])

    def home_view(self, user_id: str) -> dict[str, Any]:
        """Last view published with ``views.publish`` for ``user_id``."""
        return copy.deepcopy(self._home_views[user_id])

    # ------------------------------------------------------------------ HTTP plumbing

    async def _record_call(self, call: Call) -> None:
        self._calls.append(call)
        await self._notify()

    async def _notify(self) -> None:
        async with self._cond:
            self._cond.notify_all()

    async def _handle_api(self, request: web.Request) -> web.StreamResponse:
        method = request.match_info["method"]
        params: dict[str, Any] = {}
        token: str | None = None
        try:
            params, token = await self._read_request(request)
            reply = self._dispatch(method, params, token)
        except _BadRequest as exc:
            reply = _Reply(body=_err(exc.error))
        await self._record_call(
            Call(method, params, token, time.time(), reply.status, copy.deepcopy(reply.body))
        )
        return reply.to_response()

    async def _read_request(self, request: web.Request) -> tuple[dict[str, Any], str | None]:
        params: dict[str, Any] = dict(request.query)
        if request.can_read_body:
            if request.content_type == "application/json":
                raw = await request.text()
                try:
                    body = json.loads(raw) if raw.strip() else {}
                except json.JSONDecodeError:
                    raise _BadRequest("invalid_json") from None
                if not isinstance(body, dict):
                    raise _BadRequest("invalid_json")
                params.update(body)
            elif request.content_type in (
                "application/x-www-form-urlencoded",
                "multipart/form-data",
            ):
                form = await request.post()
                for key, value in form.items():
                    if isinstance(value, web.FileField):
                        params[key] = {
                            "filename": value.filename,
                            "content_type": value.content_type,
                            "content": value.file.read(),
                        }
                    else:
                        params[key] = value
            else:
                await request.read()
        _decode_json_fields(params)
        body_token = params.pop("token", None)
        token: str | None = None
        auth = request.headers.get("Authorization", "")
        if auth.lower().startswith("bearer "):
            token = auth[7:].strip() or None
        if token is None and isinstance(body_token, str) and body_token:
            token = body_token
        return params, token

    def _dispatch(self, method: str, params: dict[str, Any], token: str | None) -> _Reply:
        auth_error = self._auth_error(method, token)
        if auth_error is not None:
            return _Reply(body=_err(auth_error))
        fault = self._pop_fault(method)
        if fault is not None:
            return self._fault_reply(fault)
        if method in self._canned:
            return _Reply(body=copy.deepcopy(self._canned[method]))
        refusal = self._refusal(method, params)
        if refusal is not None:
            return _Reply(body=refusal.body(view=method in _VIEW_METHODS))
        handler = self._handlers.get(method)
        if handler is None:
            return _Reply(body={"ok": True})
        result = handler(params, token)
        return result if isinstance(result, _Reply) else _Reply(body=result)

    def _refusal(self, method: str, params: dict[str, Any]) -> Refusal | None:
        """Slack's answer to a payload that breaks Block Kit's rules (recorded), or None."""
        if not self.strict:
            return None
        if method in _MESSAGE_METHODS or method == RESPONSE_URL:
            refusal = check_message(params)
        elif method in _VIEW_METHODS:
            refusal = check_view(params.get("view"))
        else:
            return None
        if refusal is not None:
            self.refusals.append(
                Refused(method, refusal.error, refusal.reasons, copy.deepcopy(params))
            )
        return refusal

    def _auth_error(self, method: str, token: str | None) -> str | None:
        if method in NO_AUTH_METHODS:
            return None
        if not token:
            return "not_authed"
        if method == "apps.connections.open":
            if token in self.app_tokens:
                return None
            return "not_allowed_token_type" if token in self.bot_tokens else "invalid_auth"
        if token in self.bot_tokens:
            return None
        return "not_allowed_token_type" if token in self.app_tokens else "invalid_auth"

    @staticmethod
    def _fault_reply(fault: _Fault) -> _Reply:
        if fault.kind == "ratelimit":
            return _Reply(
                status=429,
                body=_err("ratelimited"),
                headers={"Retry-After": str(fault.retry_after)},
            )
        if fault.kind == "error":
            if fault.errors:
                return _Reply(body=Refusal(fault.error, fault.errors).body())
            return _Reply(body=_err(fault.error))
        return _Reply(
            status=fault.status,
            text=f"<html><body><h1>{fault.status} Server Error</h1></body></html>",
            content_type="text/html",
        )

    async def _handle_response_url(self, request: web.Request) -> web.StreamResponse:
        rid = request.match_info["id"]
        raw = await request.text()
        body = _parse_response_url_body(raw)
        fault = self._pop_fault(RESPONSE_URL)
        if fault is not None:
            reply = self._fault_reply(fault)
            if fault.kind == "error":
                status = 404 if fault.error in ("expired_url", "used_url") else 400
                reply = _Reply(status=status, text=fault.error, content_type="text/plain")
        elif body is None:
            reply = _Reply(status=400, text="invalid_payload", content_type="text/plain")
        elif (refusal := self._refusal(RESPONSE_URL, body)) is not None:
            # Like incoming webhooks, a response_url answers a refusal with HTTP 400 and
            # the bare error code as text (no reasons: they are in ``refusals``).
            reply = _Reply(status=400, text=refusal.error, content_type="text/plain")
        else:
            self._apply_response_url_post(rid, body)
            reply = _Reply(body={"ok": True})
        self.response_url_posts.append(ResponseUrlPost(rid, body or {}, time.time(), reply.status))
        await self._notify()
        return reply.to_response()

    def _apply_response_url_post(self, rid: str, body: dict[str, Any]) -> None:
        link = self._response_links.get(rid)
        if link is None or link.channel is None:
            return
        post = ResponseUrlPost(rid, body, 0.0)
        original = (
            self._find_message(link.channel, link.message_ts)
            if link.message_ts is not None
            else None
        )
        if post.delete_original:
            if original is not None:
                self._messages[link.channel].remove(original)
        elif post.replace_original:
            if original is not None:
                original["text"] = body.get("text", "")
                for key in ("blocks", "attachments"):
                    if key in body:
                        original[key] = copy.deepcopy(body[key])
                    else:
                        original.pop(key, None)
                original["edited"] = {"user": self.bot_user_id, "ts": self._next_ts()}
        elif post.response_type == "in_channel":
            self._store_message(link.channel, body)
        else:
            self._ephemeral.append(
                {
                    "channel": link.channel,
                    "user": link.user_id,
                    "message_ts": self._next_ts(),
                    **{k: copy.deepcopy(v) for k, v in body.items() if k != "response_type"},
                }
            )

    # ------------------------------------------------------------------ state helpers

    def _next_ts(self) -> str:
        self._ts_counter += 1
        micros = _TS_BASE_MICROS + self._ts_counter * _TS_STEP_MICROS
        return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"

    def _next_id(self, prefix: str) -> str:
        self._id_counter += 1
        return f"{prefix}{self._id_counter:010d}"

    def _find_message(self, channel: str, ts: str) -> dict[str, Any] | None:
        for msg in self._messages.get(channel, []):
            if msg["ts"] == ts:
                return msg
        return None

    def _store_message(self, channel: str, params: dict[str, Any]) -> dict[str, Any]:
        msg: dict[str, Any] = {
            "type": "message",
            "ts": self._next_ts(),
            "user": self.bot_user_id,
            "bot_id": self.bot_id,
            "app_id": self.app_id,
            "team": self.team_id,
            "text": params.get("text", ""),
        }
        for key in _MESSAGE_FIELDS:
            if key in params:
                msg[key] = copy.deepcopy(params[key])
        self._messages.setdefault(channel, []).append(msg)
        return msg

    def _default_user(self, user_id: str) -> dict[str, Any]:
        is_bot = user_id == self.bot_user_id
        name = "astra-bot" if is_bot else user_id.lower()
        return {
            "id": user_id,
            "team_id": self.team_id,
            "name": name,
            "real_name": name,
            "deleted": False,
            "is_bot": is_bot,
            "is_admin": False,
            "is_owner": False,
            "tz": "UTC",
            "tz_offset": 0,
            "profile": {
                "real_name": name,
                "display_name": name,
                "email": f"{name}@example.com",
                "team": self.team_id,
            },
        }

    def _default_channel(self, channel_id: str) -> dict[str, Any]:
        return {
            "id": channel_id,
            "name": channel_id.lower(),
            "is_channel": channel_id.startswith("C"),
            "is_group": channel_id.startswith("G"),
            "is_im": channel_id.startswith("D"),
            "is_private": channel_id.startswith(("G", "D")),
            "is_archived": False,
            "is_member": True,
            "context_team_id": self.team_id,
        }

    def _new_view(self, view: dict[str, Any], *, previous: str | None = None) -> dict[str, Any]:
        view_id = self._next_id("V")
        stored: dict[str, Any] = {
            "type": "modal",
            "blocks": [],
            "private_metadata": "",
            "callback_id": "",
            "external_id": "",
            "clear_on_close": False,
            "notify_on_close": False,
            **copy.deepcopy(view),
            "id": view_id,
            "team_id": self.team_id,
            "state": {"values": {}},
            "hash": self._next_ts().replace(".", "") + "-fake",
            "root_view_id": view_id,
            "previous_view_id": previous,
            "app_id": self.app_id,
            "app_installed_team_id": self.team_id,
            "bot_id": self.bot_id,
        }
        return stored

    # ------------------------------------------------------------------ method handlers

    def _auth_test(self, params: dict[str, Any], token: str | None) -> _Reply:
        return _Reply(
            body={
                "ok": True,
                "url": f"https://{self.team_domain}.slack.com/",
                "team": self.team,
                "user": "astra-bot",
                "team_id": self.team_id,
                "user_id": self.bot_user_id,
                "bot_id": self.bot_id,
                "is_enterprise_install": False,
            },
            headers={"X-OAuth-Scopes": self.scopes},
        )

    def _chat_post_message(self, params: dict[str, Any], token: str | None) -> dict[str, Any]:
        channel = params.get("channel")
        if not channel:
            return _err("channel_not_found")
        if not any(params.get(k) for k in ("text", "blocks", "attachments", "markdown_text")):
            return _err("no_text")
        msg = self._store_message(channel, params)
        return {"ok": True, "channel": channel, "ts": msg["ts"], "message": copy.deepcopy(msg)}

    def _chat_update(self, params: dict[str, Any], token: str | None) -> dict[str, Any]:
        channel, ts = params.get("channel"), params.get("ts")
        if not channel:
            return _err("channel_not_found")
        msg = self._find_message(channel, ts) if isinstance(ts, str) else None
        if msg is None:
            return _err("message_not_found")
        for key in _EDITABLE_FIELDS:
            if key in params:
                msg[key] = copy.deepcopy(params[key])
        msg["edited"] = {"user": self.bot_user_id, "ts": self._next_ts()}
        return {
            "ok": True,
            "channel": channel,
            "ts": ts,
            "text": msg.get("text", ""),
            "message": copy.deepcopy(msg),
        }

    def _chat_delete(self, params: dict[str, Any], token: str | None) -> dict[str, Any]:
        channel, ts = params.get("channel"), params.get("ts")
        if not channel:
            return _err("channel_not_found")
        msg = self._find_message(channel, ts) if isinstance(ts, str) else None
        if msg is None:
            return _err("message_not_found")
        self._messages[channel].remove(msg)
        return {"ok": True, "channel": channel, "ts": ts}

    def _chat_post_ephemeral(self, params: dict[str, Any], token: str | None) -> dict[str, Any]:
        channel, user = params.get("channel"), params.get("user")
        if not channel:
            return _err("channel_not_found")
        if not user:
            return _err("user_not_in_channel")
        if not any(params.get(k) for k in ("text", "blocks", "attachments", "markdown_text")):
            return _err("no_text")
        ts = self._next_ts()
        msg: dict[str, Any] = {
            "channel": channel,
            "user": user,
            "message_ts": ts,
            "text": params.get("text", ""),
        }
        for key in ("blocks", "attachments", "thread_ts"):
            if key in params:
                msg[key] = copy.deepcopy(params[key])
        self._ephemeral.append(msg)
        return {"ok": True, "message_ts": ts}

    def _views_open(self, params: dict[str, Any], token: str | None) -> dict[str, Any]:
        view = params.get("view")
        if not (params.get("trigger_id") or params.get("interactivity_pointer")):
            return _err("invalid_arguments")
        if not isinstance(view, dict):
            return _err("invalid_arguments")
        stored = self._new_view(view)
        self._views[stored["id"]] = stored
        return {"ok": True, "view": copy.deepcopy(stored)}

    def _views_push(self, params: dict[str, Any], token: str | None) -> dict[str, Any]:
        return self._views_open(params, token)

    def _views_update(self, params: dict[str, Any], token: str | None) -> dict[str, Any]:
        view = params.get("view")
        if not isinstance(view, dict):
            return _err("invalid_arguments")
        view_id, external_id = params.get("view_id"), params.get("external_id")
        current: dict[str, Any] | None = None
        if view_id:
            current = self._views.get(view_id)
        elif external_id:
            current = next(
                (v for v in self._views.values() if v.get("external_id") == external_id), None
            )
        else:
            return _err("invalid_arguments")
        if current is None:
            return _err("not_found")
        if params.get("hash") and params["hash"] != current["hash"]:
            return _err("hash_conflict")
        updated = self._new_view(view, previous=current["previous_view_id"])
        keep = ("id", "root_view_id", "state")
        updated.update({k: current[k] for k in keep})
        if "external_id" not in view:
            updated["external_id"] = current.get("external_id", "")
        self._views[current["id"]] = updated
        return {"ok": True, "view": copy.deepcopy(updated)}

    def _views_publish(self, params: dict[str, Any], token: str | None) -> dict[str, Any]:
        user_id, view = params.get("user_id"), params.get("view")
        if not user_id or not isinstance(view, dict):
            return _err("invalid_arguments")
        current = self._home_views.get(user_id)
        if current is not None and params.get("hash") and params["hash"] != current["hash"]:
            return _err("hash_conflict")
        stored = self._new_view({"type": "home", **view})
        if current is not None:
            stored["id"] = stored["root_view_id"] = current["id"]
        self._home_views[user_id] = stored
        return {"ok": True, "view": copy.deepcopy(stored)}

    def _usergroups_users_list(self, params: dict[str, Any], token: str | None) -> dict[str, Any]:
        if self.usergroups_error is not None:
            extra: dict[str, Any] = {}
            if self.usergroups_error == "missing_scope":
                extra = {"needed": "usergroups:read", "provided": self.scopes}
            return _err(self.usergroups_error, **extra)
        usergroup = params.get("usergroup")
        if not isinstance(usergroup, str) or usergroup not in self.usergroups:
            return _err("no_such_subteam")
        return {"ok": True, "users": list(self.usergroups[usergroup])}

    def _users_info(self, params: dict[str, Any], token: str | None) -> dict[str, Any]:
        user_id = params.get("user")
        if not isinstance(user_id, str) or not user_id:
            return _err("user_not_found")
        user = self.users.get(user_id)
        if user is None:
            if self.strict_lookups:
                return _err("user_not_found")
            user = self._default_user(user_id)
        return {"ok": True, "user": copy.deepcopy(user)}

    def _conversations_info(self, params: dict[str, Any], token: str | None) -> dict[str, Any]:
        channel_id = params.get("channel")
        if not isinstance(channel_id, str) or not channel_id:
            return _err("channel_not_found")
        channel = self.channels.get(channel_id)
        if channel is None:
            if self.strict_lookups:
                return _err("channel_not_found")
            channel = self._default_channel(channel_id)
        return {"ok": True, "channel": copy.deepcopy(channel)}

    def _conversations_history(self, params: dict[str, Any], token: str | None) -> dict[str, Any]:
        channel = params.get("channel")
        if not isinstance(channel, str) or not channel:
            return _err("channel_not_found")
        top_level = [
            m
            for m in self._messages.get(channel, [])
            if m.get("thread_ts") in (None, m["ts"]) or _truthy(m.get("reply_broadcast"))
        ]
        limit = int(params.get("limit") or 100)
        newest_first = list(reversed(top_level))
        return {
            "ok": True,
            "messages": copy.deepcopy(newest_first[:limit]),
            "has_more": len(newest_first) > limit,
            "response_metadata": {"next_cursor": ""},
        }

    def _conversations_replies(self, params: dict[str, Any], token: str | None) -> dict[str, Any]:
        channel, ts = params.get("channel"), params.get("ts")
        if not isinstance(channel, str) or not channel:
            return _err("channel_not_found")
        thread = [
            m for m in self._messages.get(channel, []) if m["ts"] == ts or m.get("thread_ts") == ts
        ]
        if not thread:
            return _err("thread_not_found")
        return {
            "ok": True,
            "messages": copy.deepcopy(thread),
            "has_more": False,
            "response_metadata": {"next_cursor": ""},
        }

    def _apps_connections_open(self, params: dict[str, Any], token: str | None) -> dict[str, Any]:
        return {"ok": True, "url": self.socket_url}


def _parse_response_url_body(raw: str) -> dict[str, Any] | None:
    """JSON body as Bolt/WebhookClient sends it (or a legacy ``payload=`` form)."""
    text = raw.strip()
    if not text.startswith("{"):
        payload = parse_qs(text).get("payload")
        if not payload:
            return None
        text = payload[0]
    try:
        body = json.loads(text)
    except json.JSONDecodeError:
        return None
    return body if isinstance(body, dict) else None


# ---------------------------------------------------------------------- request helpers


def sign_request(signing_secret: str, body: str, timestamp: int | None = None) -> dict[str, str]:
    """``X-Slack-Request-Timestamp`` + ``X-Slack-Signature`` headers for ``body``."""
    ts = str(int(time.time()) if timestamp is None else timestamp)
    signature = SignatureVerifier(signing_secret).generate_signature(timestamp=ts, body=body)
    if signature is None:  # only when timestamp is None, which it is not
        raise ValueError("could not sign request")
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": signature}


def slash_command_body(
    text: str,
    user_id: str = "U1",
    channel_id: str = "C1",
    command: str = "/astra",
    response_url: str = UNSET_RESPONSE_URL,
    trigger_id: str = DEFAULT_TRIGGER_ID,
    team_id: str = "T1",
    *,
    user_name: str | None = None,
    channel_name: str | None = None,
    team_domain: str = "astra-test",
    api_app_id: str = "A1",
) -> str:
    """Form body of a slash-command request, urlencoded like Slack sends it."""
    return urlencode(
        {
            "token": VERIFICATION_TOKEN,
            "team_id": team_id,
            "team_domain": team_domain,
            "channel_id": channel_id,
            "channel_name": channel_name or channel_id.lower(),
            "user_id": user_id,
            "user_name": user_name or user_id.lower(),
            "command": command,
            "text": text,
            "api_app_id": api_app_id,
            "is_enterprise_install": "false",
            "response_url": response_url,
            "trigger_id": trigger_id,
        }
    )


def _payload_body(payload: dict[str, Any]) -> str:
    return urlencode({"payload": json.dumps(payload, separators=(",", ":"))})


def _user_obj(user_id: str, team_id: str) -> dict[str, Any]:
    return {"id": user_id, "username": user_id.lower(), "name": user_id.lower(), "team_id": team_id}


def block_actions_body(
    action_id: str,
    value: str | None = None,
    user_id: str = "U1",
    channel_id: str = "C1",
    message_ts: str = "1700000000.000100",
    response_url: str = UNSET_RESPONSE_URL,
    *,
    block_id: str = "actions",
    action_type: str = "button",
    message: dict[str, Any] | None = None,
    view: dict[str, Any] | None = None,
    state_values: dict[str, Any] | None = None,
    trigger_id: str = DEFAULT_TRIGGER_ID,
    team_id: str = "T1",
    team_domain: str = "astra-test",
    api_app_id: str = "A1",
) -> str:
    """``payload=<json>`` body of a ``block_actions`` interaction, as Slack sends it.

    ``action_type`` ``"button"`` sends ``value``; ``*_select`` types send a
    ``selected_option``.  With ``view`` the action comes from a modal/home tab (no channel,
    message or response_url), otherwise from the message ``message_ts`` in ``channel_id``.
    """
    action: dict[str, Any] = {
        "action_id": action_id,
        "block_id": block_id,
        "type": action_type,
        "action_ts": f"{time.time():.6f}",
    }
    if action_type == "button":
        action["text"] = {"type": "plain_text", "text": value or action_id, "emoji": True}
        if value is not None:
            action["value"] = value
    elif action_type.endswith("_select"):
        action["selected_option"] = {
            "text": {"type": "plain_text", "text": value or "", "emoji": True},
            "value": value,
        }
    elif value is not None:
        action["value"] = value
    payload: dict[str, Any] = {
        "type": "block_actions",
        "user": _user_obj(user_id, team_id),
        "api_app_id": api_app_id,
        "token": VERIFICATION_TOKEN,
        "trigger_id": trigger_id,
        "team": {"id": team_id, "domain": team_domain},
        "enterprise": None,
        "is_enterprise_install": False,
        "state": {"values": state_values or {}},
        "actions": [action],
    }
    if view is not None:
        payload["container"] = {"type": "view", "view_id": view.get("id", "")}
        payload["view"] = view
    else:
        payload["container"] = {
            "type": "message",
            "message_ts": message_ts,
            "channel_id": channel_id,
            "is_ephemeral": False,
        }
        payload["channel"] = {"id": channel_id, "name": channel_id.lower()}
        payload["message"] = message or {
            "type": "message",
            "user": "UBOT",
            "bot_id": "BBOT",
            "ts": message_ts,
            "text": "",
            "blocks": [],
        }
        payload["response_url"] = response_url
    return _payload_body(payload)


def view_submission_body(
    callback_id: str,
    values: dict[str, dict[str, dict[str, Any]]] | None = None,
    user_id: str = "U1",
    *,
    view_id: str = "V0000000001",
    private_metadata: str = "",
    external_id: str = "",
    blocks: list[dict[str, Any]] | None = None,
    title: str = "Astra",
    response_urls: list[dict[str, Any]] | None = None,
    trigger_id: str = DEFAULT_TRIGGER_ID,
    team_id: str = "T1",
    team_domain: str = "astra-test",
    api_app_id: str = "A1",
) -> str:
    """``payload=<json>`` body of a ``view_submission``.

    ``values`` is ``view.state.values``: ``{block_id: {action_id: {"type": ..., "value": ...}}}``.
    """
    view = {
        "id": view_id,
        "team_id": team_id,
        "type": "modal",
        "blocks": blocks or [],
        "private_metadata": private_metadata,
        "callback_id": callback_id,
        "state": {"values": values or {}},
        "hash": "1700000000.fakehash",
        "title": {"type": "plain_text", "text": title, "emoji": True},
        "clear_on_close": False,
        "notify_on_close": False,
        "close": {"type": "plain_text", "text": "Cancel", "emoji": True},
        "submit": {"type": "plain_text", "text": "Submit", "emoji": True},
        "previous_view_id": None,
        "root_view_id": view_id,
        "app_id": api_app_id,
        "external_id": external_id,
        "app_installed_team_id": team_id,
        "bot_id": "BBOT",
    }
    payload = {
        "type": "view_submission",
        "team": {"id": team_id, "domain": team_domain},
        "user": _user_obj(user_id, team_id),
        "api_app_id": api_app_id,
        "token": VERIFICATION_TOKEN,
        "trigger_id": trigger_id,
        "view": view,
        "response_urls": response_urls or [],
        "is_enterprise_install": False,
        "enterprise": None,
    }
    return _payload_body(payload)


def event_body(
    event: dict[str, Any],
    event_id: str = "Ev0000000001",
    *,
    team_id: str = "T1",
    api_app_id: str = "A1",
    bot_user_id: str = "UBOT",
    event_time: int | None = None,
) -> str:
    """JSON body of an Events API ``event_callback`` wrapping ``event``."""
    return json.dumps(
        {
            "token": VERIFICATION_TOKEN,
            "team_id": team_id,
            "api_app_id": api_app_id,
            "event": event,
            "type": "event_callback",
            "event_id": event_id,
            "event_time": int(time.time()) if event_time is None else event_time,
            "authorizations": [
                {
                    "enterprise_id": None,
                    "team_id": team_id,
                    "user_id": bot_user_id,
                    "is_bot": True,
                    "is_enterprise_install": False,
                }
            ],
            "is_ext_shared_channel": False,
            "event_context": f"4-fake-{event_id}",
        }
    )


def url_verification_body(challenge: str = "fake-challenge") -> str:
    """JSON body of the Events API ``url_verification`` handshake."""
    return json.dumps(
        {"token": VERIFICATION_TOKEN, "challenge": challenge, "type": "url_verification"}
    )

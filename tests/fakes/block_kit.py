"""Slack's Block Kit rules as the fake Web API enforces them: a payload in, Slack's refusal out.

:func:`check_message` takes the body of ``chat.postMessage`` / ``chat.update`` /
``chat.postEphemeral`` / a ``response_url`` post; :func:`check_view` takes the ``view`` of
``views.open`` / ``views.update`` / ``views.push`` / ``views.publish``. Each returns ``None``
when Slack would accept the payload, else a :class:`Refusal` with the error code Slack
answers and its reasons, worded as Slack words them (``must be less than 3001 characters
[json-pointer:/blocks/0/text/text]``).

Every limit below names the reference page it comes from:

- BLOCKS: https://api.slack.com/reference/block-kit/blocks
- ELEMENTS: https://api.slack.com/reference/block-kit/block-elements
- OBJECTS: https://api.slack.com/reference/block-kit/composition-objects
- VIEWS: https://api.slack.com/reference/surfaces/views
- POST: https://api.slack.com/methods/chat.postMessage

slack_sdk's models check some of these when a block is built, not all: an ``action_id``
repeated within a block, a ``block_id`` repeated in a message, an ``initial_option`` that is
not one of the options, a modal with inputs and no submit pass its ``validate_json()`` and
are refused by Slack with the whole message.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = [
    "MAX_MESSAGE_BLOCKS",
    "MAX_MESSAGE_TEXT",
    "MAX_VIEW_BLOCKS",
    "Refusal",
    "check_message",
    "check_view",
]

BLOCKS = "https://api.slack.com/reference/block-kit/blocks"
ELEMENTS = "https://api.slack.com/reference/block-kit/block-elements"
OBJECTS = "https://api.slack.com/reference/block-kit/composition-objects"
VIEWS = "https://api.slack.com/reference/surfaces/views"
POST = "https://api.slack.com/methods/chat.postMessage"

# BLOCKS: "You can include up to 50 blocks in each message, and 100 blocks in modals or
# Home tabs."
MAX_MESSAGE_BLOCKS = 50
MAX_VIEW_BLOCKS = 100
# POST, "Truncating content": text over 40,000 characters is refused with msg_too_long.
MAX_MESSAGE_TEXT = 40_000
# BLOCKS, every block: "block_id … Maximum length for this field is 255 characters."
MAX_BLOCK_ID = 255
# ELEMENTS, every interactive element: "action_id … Maximum length is 255 characters."
MAX_ACTION_ID = 255


@dataclass(frozen=True)
class Refusal:
    """What Slack answers instead of ``ok``: an error code and the reasons behind it."""

    error: str
    reasons: tuple[str, ...]

    def body(self, *, view: bool = False) -> dict[str, Any]:
        """The JSON Slack answers. Messages: ``errors`` plus the same lines, prefixed
        ``[ERROR]``, in ``response_metadata.messages``; views (``invalid_arguments``) carry
        the reasons only in ``response_metadata.messages``."""
        messages = [f"[ERROR] {r}" for r in self.reasons]
        out: dict[str, Any] = {"ok": False, "error": self.error}
        if not view and self.reasons:
            out["errors"] = list(self.reasons)
        if messages:
            out["response_metadata"] = {"messages": messages}
        return out


# The fields each block / element / object may carry; anything else is refused
# ("unknown fields on a block or element"): BLOCKS, ELEMENTS and OBJECTS list them.
_BLOCK_FIELDS: Mapping[str, frozenset[str]] = {
    # BLOCKS#section
    "section": frozenset({"type", "block_id", "text", "fields", "accessory", "expand"}),
    # BLOCKS#actions
    "actions": frozenset({"type", "block_id", "elements"}),
    # BLOCKS#context
    "context": frozenset({"type", "block_id", "elements"}),
    # BLOCKS#divider
    "divider": frozenset({"type", "block_id"}),
    # BLOCKS#header
    "header": frozenset({"type", "block_id", "text"}),
    # BLOCKS#input
    "input": frozenset(
        {"type", "block_id", "label", "element", "dispatch_action", "hint", "optional"}
    ),
    # BLOCKS#image
    "image": frozenset({"type", "block_id", "image_url", "slack_file", "alt_text", "title"}),
}
_ELEMENT_FIELDS: Mapping[str, frozenset[str]] = {
    # ELEMENTS#button
    "button": frozenset(
        {"type", "text", "action_id", "url", "value", "style", "confirm", "accessibility_label"}
    ),
    # ELEMENTS#static_select
    "static_select": frozenset(
        {
            "type",
            "action_id",
            "options",
            "option_groups",
            "initial_option",
            "confirm",
            "focus_on_load",
            "placeholder",
        }
    ),
    # ELEMENTS#overflow
    "overflow": frozenset({"type", "action_id", "options", "confirm"}),
    # ELEMENTS#input (plain-text input)
    "plain_text_input": frozenset(
        {
            "type",
            "action_id",
            "initial_value",
            "multiline",
            "min_length",
            "max_length",
            "dispatch_action_config",
            "focus_on_load",
            "placeholder",
        }
    ),
    # ELEMENTS#image
    "image": frozenset({"type", "image_url", "slack_file", "alt_text"}),
}
# OBJECTS#text
_TEXT_FIELDS: Mapping[str, frozenset[str]] = {
    "plain_text": frozenset({"type", "text", "emoji"}),
    "mrkdwn": frozenset({"type", "text", "verbatim"}),
}
# OBJECTS#confirm, OBJECTS#option
_CONFIRM_FIELDS = frozenset({"title", "text", "confirm", "deny", "style"})
_OPTION_FIELDS = frozenset({"text", "value", "description", "url"})
# VIEWS#modal, VIEWS#home
_VIEW_FIELDS: Mapping[str, frozenset[str]] = {
    "modal": frozenset(
        {
            "type",
            "title",
            "blocks",
            "close",
            "submit",
            "private_metadata",
            "callback_id",
            "clear_on_close",
            "notify_on_close",
            "external_id",
            "submit_disabled",
        }
    ),
    "home": frozenset({"type", "blocks", "private_metadata", "callback_id", "external_id"}),
}
# Where each element may stand (BLOCKS: each block's "elements" / "accessory" / "element").
_IN_ACTIONS = frozenset({"button", "static_select", "overflow"})
_IN_ACCESSORY = frozenset({"button", "static_select", "overflow", "image"})
_IN_INPUT = frozenset({"plain_text_input", "static_select"})
_STYLES = frozenset({"primary", "danger"})


class _Checker:
    """Walks a payload and collects Slack's reasons, each with its JSON pointer."""

    def __init__(self) -> None:
        self.reasons: list[str] = []
        self.block_ids: set[str] = set()

    def fail(self, pointer: str, reason: str) -> None:
        self.reasons.append(f"{reason} [json-pointer:{pointer}]")

    # ---------------------------------------------------------------- primitives

    def max_len(self, pointer: str, value: Any, limit: int) -> None:
        if not isinstance(value, str):
            self.fail(pointer, "must provide a string")
        elif len(value) > limit:
            self.fail(pointer, f"must be less than {limit + 1} characters")

    def max_items(self, pointer: str, value: Any, limit: int, *, at_least: int = 1) -> list[Any]:
        if not isinstance(value, list):
            self.fail(pointer, "must provide an array")
            return []
        if len(value) < at_least:
            self.fail(pointer, f"must provide at least {at_least} items")
        if len(value) > limit:
            self.fail(pointer, f"must be less than {limit + 1} items")
        return value

    def known_fields(self, pointer: str, obj: Mapping[str, Any], allowed: frozenset[str]) -> None:
        for key in sorted(set(obj) - allowed):
            self.fail(f"{pointer}/{key}", f"unknown field `{key}`")

    def text(self, pointer: str, obj: Any, limit: int, *, plain: bool = False) -> None:
        """A text object (OBJECTS#text): ``plain_text`` or ``mrkdwn``, 1 to ``limit``
        characters."""
        if not isinstance(obj, Mapping):
            self.fail(pointer, "must provide an object")
            return
        kind = obj.get("type")
        if kind not in _TEXT_FIELDS:
            self.fail(f"{pointer}/type", f"unsupported type: {kind}")
            return
        if plain and kind != "plain_text":
            self.fail(f"{pointer}/type", "must be plain_text")
        self.known_fields(pointer, obj, _TEXT_FIELDS[kind])
        value = obj.get("text")
        if isinstance(value, str) and not value:
            self.fail(f"{pointer}/text", "must be more than 0 characters")
        else:
            self.max_len(f"{pointer}/text", value, limit)

    def block_id(self, pointer: str, block: Mapping[str, Any]) -> None:
        """BLOCKS: ``block_id`` at most 255 characters and unique within the message or view
        ("block_id should be unique for each message")."""
        if "block_id" not in block:
            return
        value = block["block_id"]
        self.max_len(f"{pointer}/block_id", value, MAX_BLOCK_ID)
        if isinstance(value, str):
            if value in self.block_ids:
                self.fail(f"{pointer}/block_id", f"duplicate block_id `{value}`")
            self.block_ids.add(value)

    # ---------------------------------------------------------------- objects

    def confirm(self, pointer: str, obj: Any) -> None:
        """OBJECTS#confirm: title ≤ 100, text ≤ 300, confirm ≤ 30, deny ≤ 30, all four
        required (plain_text except ``text``)."""
        if not isinstance(obj, Mapping):
            self.fail(pointer, "must provide an object")
            return
        self.known_fields(pointer, obj, _CONFIRM_FIELDS)
        for key, limit in (("title", 100), ("confirm", 30), ("deny", 30)):
            self.text(f"{pointer}/{key}", obj.get(key), limit, plain=True)
        self.text(f"{pointer}/text", obj.get("text"), 300)
        if "style" in obj and obj["style"] not in _STYLES:
            self.fail(f"{pointer}/style", "must be one of primary, danger")

    def option(self, pointer: str, obj: Any) -> None:
        """OBJECTS#option: text ≤ 75, value ≤ 150, description ≤ 75, url ≤ 3000."""
        if not isinstance(obj, Mapping):
            self.fail(pointer, "must provide an object")
            return
        self.known_fields(pointer, obj, _OPTION_FIELDS)
        self.text(f"{pointer}/text", obj.get("text"), 75, plain=True)
        self.max_len(f"{pointer}/value", obj.get("value"), 150)
        if "description" in obj:
            self.text(f"{pointer}/description", obj["description"], 75, plain=True)
        if "url" in obj:
            self.max_len(f"{pointer}/url", obj["url"], 3000)

    # ---------------------------------------------------------------- elements

    def element(self, pointer: str, el: Any, allowed: frozenset[str]) -> str | None:
        """One element; returns its ``action_id`` (for the block's uniqueness check)."""
        if not isinstance(el, Mapping):
            self.fail(pointer, "must provide an object")
            return None
        kind = el.get("type")
        if kind not in allowed or kind not in _ELEMENT_FIELDS:
            self.fail(f"{pointer}/type", f"unsupported type: {kind}")
            return None
        self.known_fields(pointer, el, _ELEMENT_FIELDS[kind])
        action_id = el.get("action_id")
        if action_id is not None:
            self.max_len(f"{pointer}/action_id", action_id, MAX_ACTION_ID)
        if "confirm" in el:
            self.confirm(f"{pointer}/confirm", el["confirm"])
        if kind == "button":
            # ELEMENTS#button: text ≤ 75 (plain_text), value ≤ 2000, url ≤ 3000, style.
            self.text(f"{pointer}/text", el.get("text"), 75, plain=True)
            if "value" in el:
                self.max_len(f"{pointer}/value", el["value"], 2000)
            if "url" in el:
                self.max_len(f"{pointer}/url", el["url"], 3000)
            if "style" in el and el["style"] not in _STYLES:
                self.fail(f"{pointer}/style", "must be one of primary, danger")
            if "accessibility_label" in el:
                self.max_len(f"{pointer}/accessibility_label", el["accessibility_label"], 75)
        elif kind == "static_select":
            self.static_select(pointer, el)
        elif kind == "overflow":
            # ELEMENTS#overflow: 1 to 5 options.
            options = self.max_items(f"{pointer}/options", el.get("options"), 5)
            for i, o in enumerate(options):
                self.option(f"{pointer}/options/{i}", o)
        elif kind == "plain_text_input":
            # ELEMENTS#input: placeholder ≤ 150, min_length ≤ 3000, 1 ≤ max_length ≤ 3000.
            if "placeholder" in el:
                self.text(f"{pointer}/placeholder", el["placeholder"], 150, plain=True)
            for key, low in (("min_length", 0), ("max_length", 1)):
                value = el.get(key)
                if value is not None and not (isinstance(value, int) and low <= value <= 3000):
                    self.fail(f"{pointer}/{key}", f"must be between {low} and 3000")
        elif kind == "image":
            self.max_len(f"{pointer}/image_url", el.get("image_url"), 3000)
            self.max_len(f"{pointer}/alt_text", el.get("alt_text"), 2000)
        return action_id if isinstance(action_id, str) else None

    def static_select(self, pointer: str, el: Mapping[str, Any]) -> None:
        """ELEMENTS#static_select: up to 100 options (or option groups), placeholder ≤ 150,
        and an ``initial_option`` that "exactly matches one of the options"."""
        if "placeholder" in el:
            self.text(f"{pointer}/placeholder", el["placeholder"], 150, plain=True)
        options: list[Any] = []
        if "options" in el:
            options = self.max_items(f"{pointer}/options", el["options"], 100)
            for i, o in enumerate(options):
                self.option(f"{pointer}/options/{i}", o)
        elif "option_groups" in el:
            groups = self.max_items(f"{pointer}/option_groups", el["option_groups"], 100)
            for g, group in enumerate(groups):
                inner = group.get("options") if isinstance(group, Mapping) else None
                got = self.max_items(f"{pointer}/option_groups/{g}/options", inner, 100)
                for i, o in enumerate(got):
                    self.option(f"{pointer}/option_groups/{g}/options/{i}", o)
                options.extend(got)
        else:
            self.fail(pointer, "must define either `options` or `option_groups`")
        if "initial_option" in el:
            initial = el["initial_option"]
            self.option(f"{pointer}/initial_option", initial)
            if initial not in options:
                self.fail(f"{pointer}/initial_option", "must match one of the options")

    # ---------------------------------------------------------------- blocks

    def blocks(self, pointer: str, blocks: Any, limit: int) -> None:
        for i, block in enumerate(self.max_items(pointer, blocks, limit, at_least=0)):
            self.block(f"{pointer}/{i}", block)

    def block(self, pointer: str, block: Any) -> None:
        if not isinstance(block, Mapping):
            self.fail(pointer, "must provide an object")
            return
        kind = block.get("type")
        if kind not in _BLOCK_FIELDS:
            self.fail(f"{pointer}/type", f"unsupported type: {kind}")
            return
        self.known_fields(pointer, block, _BLOCK_FIELDS[kind])
        self.block_id(pointer, block)
        if kind == "section":
            # BLOCKS#section: text ≤ 3000 (and not empty), or up to 10 fields of ≤ 2000.
            if "text" not in block and "fields" not in block:
                self.fail(pointer, "must define either `text` or `fields`")
            if "text" in block:
                self.text(f"{pointer}/text", block["text"], 3000)
            if "fields" in block:
                fields = self.max_items(f"{pointer}/fields", block["fields"], 10)
                for i, f in enumerate(fields):
                    self.text(f"{pointer}/fields/{i}", f, 2000)
            if "accessory" in block:
                self.element(f"{pointer}/accessory", block["accessory"], _IN_ACCESSORY)
        elif kind == "actions":
            # BLOCKS#actions: up to 25 elements; ELEMENTS: "action_id … should be unique
            # among all other action_ids in the containing block".
            elements = self.max_items(f"{pointer}/elements", block.get("elements"), 25)
            seen: set[str] = set()
            for i, el in enumerate(elements):
                action_id = self.element(f"{pointer}/elements/{i}", el, _IN_ACTIONS)
                if action_id is None:
                    continue
                if action_id in seen:
                    self.fail(
                        f"{pointer}/elements/{i}/action_id",
                        f"duplicate action_id `{action_id}` in this block",
                    )
                seen.add(action_id)
        elif kind == "context":
            # BLOCKS#context: up to 10 elements, text objects or images.
            elements = self.max_items(f"{pointer}/elements", block.get("elements"), 10)
            for i, el in enumerate(elements):
                where = f"{pointer}/elements/{i}"
                if isinstance(el, Mapping) and el.get("type") in _TEXT_FIELDS:
                    self.text(where, el, 3000)
                else:
                    self.element(where, el, frozenset({"image"}))
        elif kind == "header":
            # BLOCKS#header: plain_text, at most 150 characters.
            self.text(f"{pointer}/text", block.get("text"), 150, plain=True)
        elif kind == "input":
            # BLOCKS#input: label and hint plain_text ≤ 2000, one element.
            self.text(f"{pointer}/label", block.get("label"), 2000, plain=True)
            if "hint" in block:
                self.text(f"{pointer}/hint", block["hint"], 2000, plain=True)
            self.element(f"{pointer}/element", block.get("element"), _IN_INPUT)
        elif kind == "image":
            # BLOCKS#image: image_url ≤ 3000, alt_text ≤ 2000, title ≤ 2000.
            if "slack_file" not in block:
                self.max_len(f"{pointer}/image_url", block.get("image_url"), 3000)
            self.max_len(f"{pointer}/alt_text", block.get("alt_text"), 2000)
            if "title" in block:
                self.text(f"{pointer}/title", block["title"], 2000, plain=True)


def check_message(payload: Mapping[str, Any]) -> Refusal | None:
    """The refusal Slack answers for a message body, or ``None`` if it would accept it."""
    text = payload.get("text")
    if isinstance(text, str) and len(text) > MAX_MESSAGE_TEXT:
        # POST, "Truncating content" / errors: msg_too_long.
        return Refusal("msg_too_long", ())
    blocks = payload.get("blocks")
    if blocks is None:
        return None
    if isinstance(blocks, str):  # slack_sdk sends JSON; a string here was not decodable
        return Refusal("invalid_blocks_format", ())
    checker = _Checker()
    checker.blocks("/blocks", blocks, MAX_MESSAGE_BLOCKS)
    if blocks and not (isinstance(text, str) and text.strip()):
        # POST, "text": with blocks, text "is used as a fallback string to display in
        # notifications"; Slack answers a warning (missing_text) and notifications show
        # nothing. The fake refuses it, so that no message of the bot goes without one.
        checker.fail("/text", "a top-level `text` fallback is required with `blocks`")
    return Refusal("invalid_blocks", tuple(checker.reasons)) if checker.reasons else None


def check_view(view: Any) -> Refusal | None:
    """The refusal Slack answers for a ``view`` (``invalid_arguments``, as views.* do), or
    ``None`` if it would accept it."""
    checker = _Checker()
    if not isinstance(view, Mapping):
        checker.fail("/view", "must provide an object")
        return Refusal("invalid_arguments", tuple(checker.reasons))
    kind = view.get("type")
    if kind not in _VIEW_FIELDS:
        checker.fail("/view/type", f"unsupported type: {kind}")
        return Refusal("invalid_arguments", tuple(checker.reasons))
    checker.known_fields("/view", view, _VIEW_FIELDS[kind])
    blocks = view.get("blocks")
    checker.blocks("/view/blocks", blocks, MAX_VIEW_BLOCKS)
    # VIEWS: private_metadata ≤ 3000, callback_id ≤ 255, external_id ≤ 255.
    for key, limit in (("private_metadata", 3000), ("callback_id", 255), ("external_id", 255)):
        if key in view:
            checker.max_len(f"/view/{key}", view[key], limit)
    if kind == "modal":
        # VIEWS#modal: title, close and submit plain_text ≤ 24; "submit … required when an
        # input block is within the blocks array".
        checker.text("/view/title", view.get("title"), 24, plain=True)
        for key in ("close", "submit"):
            if key in view:
                checker.text(f"/view/{key}", view[key], 24, plain=True)
        has_input = isinstance(blocks, Sequence) and any(
            isinstance(b, Mapping) and b.get("type") == "input" for b in blocks
        )
        if has_input and "submit" not in view:
            checker.fail("/view/submit", "must provide `submit` when the view has input blocks")
    return Refusal("invalid_arguments", tuple(checker.reasons)) if checker.reasons else None

"""PURE: forms as Slack modals (and shell prompts): their fields, the view, the submitted values."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from slack_sdk.models.blocks import Block

from bot.render.core import shorten

FORM_CREATE = "astra_form_create"
ACTION_FORM_CHANGE = "astra_form_change"  # a select that redraws the form (cloud → regions)

#: What a form whose state the bot did not sign says (and the audit row's reason).
FORM_REFUSED = (
    "This form is not one the bot opened for you: close it and run `/astra db create` again."
)
FORM_UNKNOWN = "This form is not known to this bot."
NAME_NEEDED = "A name is needed."
CLOUDS = ("gcp", "aws", "azure")


@dataclass(frozen=True)
class FormField:
    name: str
    label: str
    kind: str = "text"  # text | select
    options: tuple[tuple[str, str], ...] = ()  # (value, label)
    initial: str | None = None
    optional: bool = False
    hint: str = ""
    redraws: bool = False  # changing it redraws the form (its options depend on it)


@dataclass(frozen=True)
class Form:
    """A form: a Slack modal, or prompts in the shell. Submitting it builds a command."""

    callback_id: str
    title: str
    submit: str
    fields: tuple[FormField, ...]
    context: str = ""  # carried through the submission (Slack private_metadata)


def pick_region(cloud: str) -> str:
    return f"Pick a region of {cloud}."


def create_form(
    context: str, values: Mapping[str, str], cloud: str, regions: Sequence[str], region: str | None
) -> Form:
    """The `db create` form: ``values`` as typed so far, the regions of the chosen cloud."""
    return Form(
        callback_id=FORM_CREATE,
        title="Create a database",
        submit="Create",
        context=context,
        fields=(
            FormField("name", "Name", initial=values.get("name"),
                      hint="Letters, digits, - and _; up to 50."),
            FormField("cloud", "Cloud", "select", tuple((c, c.upper()) for c in CLOUDS),
                      initial=cloud, redraws=True),
            FormField("region", "Region", "select", tuple((r, r) for r in regions),
                      initial=region),
            FormField("keyspace", "Keyspace",
                      initial=values.get("keyspace") or "default_keyspace"),
            FormField("vector", "Type", "select",
                      (("vector", "Vector database"), ("non-vector", "Non-vector")),
                      initial=values.get("vector") or "vector"),
            FormField("capacity_units", "Capacity units", optional=True,
                      initial=values.get("capacity_units") or "1"),
        ),
    )  # fmt: skip


def form_view(form: Form) -> dict[str, Any]:
    from slack_sdk.models.blocks import (
        InputBlock,
        Option,
        PlainTextInputElement,
        StaticSelectElement,
    )
    from slack_sdk.models.views import View

    blocks: list[Block] = []
    for f in form.fields:
        element: Any
        if f.kind == "select":
            options = [Option(value=v, text=shorten(label, 75)) for v, label in f.options[:100]]
            initial = next((o for o in options if o.value == f.initial), None)
            element = StaticSelectElement(
                action_id=ACTION_FORM_CHANGE if f.redraws else f.name,
                options=options,
                initial_option=initial,
            )
        else:
            element = PlainTextInputElement(action_id=f.name, initial_value=f.initial or None)
        blocks.append(
            InputBlock(
                block_id=f.name,
                label=f.label,
                element=element,
                optional=f.optional or None,
                hint=f.hint or None,
                dispatch_action=True if f.redraws else None,
            )
        )
    view = View(
        type="modal",
        callback_id=form.callback_id,
        title=shorten(form.title, 24),
        submit=form.submit,
        close="Cancel",
        blocks=blocks,
        private_metadata=form.context,
    )
    view.validate_json()
    return dict(view.to_dict())


def form_values(state: Mapping[str, Any]) -> dict[str, str]:
    """The values of a submitted modal (``view.state.values``), by field name."""
    out: dict[str, str] = {}
    for block_id, actions in (state or {}).items():
        for action in (actions or {}).values():
            if not isinstance(action, Mapping):
                continue
            selected = action.get("selected_option")
            value = selected.get("value") if isinstance(selected, Mapping) else action.get("value")
            if value is not None:
                out[str(block_id)] = str(value)
    return out

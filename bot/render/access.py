"""PURE: the words of access lists: a database's allowed addresses, and the DevOps API's."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.render.core import Message, count, day, plain, shorten
from bot.render.lists import bullet_list
from bot.render.mrkdwn import Mrkdwn, md, user


@dataclass(frozen=True)
class AddressView:
    """One entry of an access list, as it is shown."""

    address: str
    enabled: bool = True
    description: str = ""
    #: Astra's ``lastUpdateDateTime``, shown as its day
    updated: str | None = None


def _line(a: AddressView, *, clip_at: int | None = 120) -> str:
    state = "enabled" if a.enabled else "disabled"
    shown = a.description if clip_at is None else shorten(a.description, clip_at)
    desc = f" — {shown}" if a.description else ""
    when = f" · updated {day(a.updated)}" if a.updated else ""
    return f"`{a.address}` {state}{desc}{when}"


def devops_access_list(addresses: Sequence[AddressView]) -> tuple[Message, str]:
    """The DevOps API's own list, and its audit line."""
    lines = [_line(a, clip_at=None) for a in addresses]
    return bullet_list(
        "DevOps API access list",
        lines,
        empty="No addresses: the DevOps API accepts this organization's tokens from anywhere.",
    ), count(len(lines), "devops address", "devops addresses")


def access_list(db_name: str, enabled: bool, addresses: Sequence[AddressView]) -> Message:
    state = (
        "enabled: only these addresses may connect"
        if enabled
        else "not enforced: any address may connect"
    )
    return bullet_list(
        f"Access list of {db_name} ({state})",
        [_line(a) for a in addresses],
        empty="No addresses.",
    )


def first_entry(cidr: str, db_name: str) -> Mrkdwn:
    """What the confirmation of the first entry of an empty list says."""
    return md(
        "add `{}` to the access list of *{}*. This is the first entry: Astra will "
        "then refuse every client not on the list.",
        cidr,
        db_name,
    )


def already_allowed(address: str, db_name: str) -> Message:
    return plain(f"`{address}` is already allowed on *{db_name}*.")


def allowed(by: str, cidr: str, description: str, db_name: str, *, enforced_now: bool) -> Message:
    text = md(
        ":shield: {} allowed `{}` ({}) on the access list of *{}*.",
        user(by),
        cidr,
        shorten(description, 120),
        db_name,
    )
    if enforced_now:
        # Astra starts enforcing a list once it has an address: say so, loudly.
        text += md(
            "\n:warning: This was the first address: the access list is now enforced and only "
            "listed addresses may connect."
        )
    return plain(text)


def not_listed(cidr: str, db_name: str, addresses: Sequence[str]) -> tuple[str, str]:
    """The message and hint of an address that is not on the list."""
    listed = ", ".join(f"`{a}`" for a in addresses) or "none"
    return f"`{cidr}` is not on the access list of `{db_name}`.", f"Its addresses: {listed}."


def removed(address: str, db_name: str, by: str, *, now_empty: bool) -> Message:
    text = md(
        ":shield: Removed `{}` from the access list of *{}* (asked by {}).",
        address,
        db_name,
        user(by),
    )
    if now_empty:
        text += md("\n:warning: The access list is now empty.")
    return plain(text)

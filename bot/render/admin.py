"""PURE: the words of access-list writes, the DevOps API access list, role updates, legacy
tokens, password resets and engine types: confirmations that show the diff, answers,
announcements. Every address, description and name is foreign (escaped by ``md``).
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.astra.models import AccessList, AccessListValidation, AddressEntry, EntryDiff, Role
from bot.render.core import Message, count, plain, shorten
from bot.render.lists import bullet_list, secret_once
from bot.render.mrkdwn import Mrkdwn, join, md, user

#: Lines of a diff shown in a confirmation before "… and N more" (Slack: 3,000 characters).
DIFF_LINES = 15

_EGRESS_SETTING = "ASTRA_BOT_EGRESS_CIDRS"


def address(e: AddressEntry) -> Mrkdwn:
    state = "" if e.enabled else md(" _(disabled)_")
    desc = md(" — {}", shorten(e.description, 80)) if e.description else ""
    return md("`{}`{}{}", e.address, state, desc)


def _changed(old: AddressEntry, new: AddressEntry) -> Mrkdwn:
    parts: list[Mrkdwn] = []
    if old.enabled != new.enabled:
        parts.append(md("enabled") if new.enabled else md("disabled"))
    if old.description != new.description:
        parts.append(
            md(
                "description “{}” → “{}”",
                shorten(old.description, 60),
                shorten(new.description, 60),
            )
        )
    return md("~ `{}`: {}", new.address, join("; ", parts))


def diff_lines(diff: EntryDiff) -> Mrkdwn:
    """``+`` added, ``−`` removed, ``~`` changed, then how many stay; clipped."""
    lines = [md("+ {}", address(e)) for e in diff.added]
    lines += [md("− {}", address(e)) for e in diff.removed]
    lines += [_changed(old, new) for old, new in diff.changed]
    if len(lines) > DIFF_LINES:
        lines = [*lines[:DIFF_LINES], md("… and {} more", len(lines) - DIFF_LINES)]
    if not lines:
        lines = [md("no change")]
    if diff.kept:
        lines.append(md("{} unchanged", count(diff.kept, "address", "addresses")))
    return join("\n", lines)


# ---------------------------------------------------------------------------- database lists


def replace_summary(db: str, diff: EntryDiff) -> Mrkdwn:
    return md("replace the whole access list of *{}*:\n{}", db, diff_lines(diff))


def update_summary(db: str, diff: EntryDiff) -> Mrkdwn:
    return md("update the access list of *{}*:\n{}", db, diff_lines(diff))


def clear_summary(db: str, entries: Sequence[AddressEntry]) -> Mrkdwn:
    gone = diff_lines(EntryDiff((), tuple(entries), (), 0))
    return md(
        "delete the whole access list of *{}* ({}); any address may then connect:\n{}",
        db,
        count(len(entries), "address", "addresses"),
        gone,
    )


def list_changed(by: str, db: str, diff: EntryDiff, cidr: str | None = None) -> Message:
    """A database's list replaced (no ``cidr``) or one entry of it updated, with the diff."""
    what = md("Updated `{}` in", cidr) if cidr else md("Replaced")
    return plain(
        md(
            ":shield: {} the access list of *{}* (asked by {}):\n{}",
            what,
            db,
            user(by),
            diff_lines(diff),
        )
    )


def list_cleared(by: str, db: str, n: int) -> Message:
    removed = count(n, "address", "addresses")
    return plain(
        md(
            ":shield: Deleted the access list of *{}* ({} removed; asked by {}).",
            db,
            removed,
            user(by),
        )
    )


def all_lists(rows: Sequence[tuple[str, AccessList]]) -> Message:
    """Every database's list: ``(database name, its list)``, by name."""
    lines = []
    for name, acl in rows:
        entries = [AddressEntry(a.address, a.enabled, a.description) for a in acl.addresses]
        state = "enforced" if acl.configurations.access_list_enabled else "not enforced"
        shown = join(", ", (address(e) for e in entries[:5]))
        more = md(", … {} more", len(entries) - 5) if len(entries) > 5 else ""
        lines.append(
            md(
                "*{}* · {} · {}{}",
                name,
                state,
                count(len(entries), "address", "addresses"),
                md(": {}{}", shown, more) if entries else "",
            )
        )
    return bullet_list(f"Access lists of every database ({len(rows)})", lines, empty="None.")


def validation(result: AccessListValidation, entries: Sequence[AddressEntry]) -> Message:
    listed = join(", ", (md("`{}`", e.address) for e in entries))
    if result.valid:
        return plain(md(":white_check_mark: Astra finds this access list valid: {}.", listed))
    problems = count(len(result.validation_failures), "problem")
    return bullet_list(
        f"Astra finds this access list not valid ({problems})",
        list(result.validation_failures) or ["(Astra gave no reason)"],
    )


def template(acl: AccessList) -> Message:
    lines = [address(AddressEntry(a.address, a.enabled, a.description)) for a in acl.addresses]
    enforced = "enforced" if acl.configurations.access_list_enabled else "not enforced"
    lines.append(md("the list: {}", enforced))
    lines.append(
        md("apply one with `{}`", "/astra access-list replace <db> <cidr>… --description …")
    )
    return bullet_list("Astra's access-list template", lines)


# ---------------------------------------------------------------------------- DevOps API list


def lockout(egress: Sequence[str], left_out: Sequence[str], forced: bool) -> Mrkdwn:
    """What the change does to the bot's own access to the DevOps API."""
    if not egress:
        return md(
            ":warning: The bot cannot tell whether its own requests stay allowed: {} is not set. "
            "Forced: if its address is not in the new list, the bot is locked out of the "
            "DevOps API until someone fixes the list in the Astra portal.",
            _EGRESS_SETTING,
        )
    if left_out:
        return md(
            ":rotating_light: This locks the bot out of the DevOps API: its address {} is not "
            "in the new list.{}",
            join(", ", (md("`{}`", c) for c in left_out)),
            md(" Forced.") if forced else "",
        )
    return md(
        "The bot's own address{} {} stay{} allowed.",
        "es" if len(egress) > 1 else "",
        join(", ", (md("`{}`", c) for c in egress)),
        "" if len(egress) > 1 else "s",
    )


def devops_summary(what: str, diff: EntryDiff, note: Mrkdwn) -> Mrkdwn:
    return md("{} the DevOps API access list:\n{}\n{}", what, diff_lines(diff), note)


def devops_delete_summary(entries: Sequence[AddressEntry]) -> Mrkdwn:
    return md(
        "delete the whole DevOps API access list ({}); the DevOps API then accepts this "
        "organization's tokens from any address:\n{}",
        count(len(entries), "address", "addresses"),
        diff_lines(EntryDiff((), tuple(entries), (), 0)),
    )


def lockout_refused(egress: Sequence[str], left_out: Sequence[str]) -> tuple[str, str]:
    """The refusal of a change that may lock the bot out, and what to do: message, hint."""
    if not egress:
        return (
            f"The bot cannot tell whether this change keeps its own DevOps API requests "
            f"allowed: {_EGRESS_SETTING} (the addresses they come from) is not set.",
            f"Set {_EGRESS_SETTING}, or add `--force` if you are sure.",
        )
    return (
        f"This change would lock the bot out of the DevOps API: its address "
        f"{', '.join(left_out)} would not be in the list.",
        "Include the bot's address in the list, or add `--force` if you mean it.",
    )


def devops_changed(by: str, what: str, diff: EntryDiff) -> Message:
    return plain(
        md(
            ":shield: {} the DevOps API access list (asked by {}):\n{}",
            what,
            user(by),
            diff_lines(diff),
        )
    )


def devops_deleted(by: str, n: int) -> Message:
    return plain(
        md(
            ":shield: Deleted the DevOps API access list ({} removed; asked by {}): the DevOps "
            "API accepts this organization's tokens from any address.",
            count(n, "address", "addresses"),
            user(by),
        )
    )


# ---------------------------------------------------------------------------- roles


def _set_diff(label: str, old: Sequence[str], new: Sequence[str]) -> Mrkdwn | None:
    added = [x for x in new if x not in old]
    removed = [x for x in old if x not in new]
    if not added and not removed:
        return None
    parts = [md("+ `{}`", x) for x in added] + [md("− `{}`", x) for x in removed]
    if len(parts) > DIFF_LINES:
        parts = [*parts[:DIFF_LINES], md("… and {} more", len(parts) - DIFF_LINES)]
    return md("{}: {}", label, join(", ", parts))


def role_diff(before: Role, name: str, description: str, actions: Sequence[str],
              resources: Sequence[str]) -> Mrkdwn:  # fmt: skip
    """The change an update makes to a role: name, description, permissions, resources."""
    lines: list[Mrkdwn] = []
    if before.name != name:
        lines.append(md("name “{}” → “{}”", before.name, name))
    if before.policy.description != description:
        lines.append(
            md(
                "description “{}” → “{}”",
                shorten(before.policy.description, 80),
                shorten(description, 80),
            )
        )
    for label, old, new in (
        ("permissions", before.policy.actions, actions),
        ("resources", before.policy.resources, resources),
    ):
        line = _set_diff(label, old, new)
        if line is not None:
            lines.append(line)
    return join("\n", lines or [md("no change")])


def role_update_summary(before: Role, diff: Mrkdwn) -> Mrkdwn:
    return md("update the Astra role *{}* (`{}`):\n{}", before.name or before.id, before.id, diff)


def role_updated(by: str, before: Role, diff: Mrkdwn) -> Message:
    return plain(
        md(
            ":lock: Updated the Astra role *{}* (`{}`; asked by {}):\n{}",
            before.name or before.id,
            before.id,
            user(by),
            diff,
        )
    )


# ---------------------------------------------------------------------------- databases


def password_once(db: str, username: str, password: str) -> Message:
    """The new password, shown once, only to its requester."""
    return secret_once(
        f"New password of {username} on {db} — shown once, only to you",
        [md("*User*: `{}`", username), md("*Password*: `{}`", password)],
        "Copy it now into a secret store: the bot does not keep it and cannot show it again. "
        "Run the command again for another one.",
    )


def password_reset(by: str, db: str, username: str) -> Message:
    return plain(
        md(
            ":key: {} reset the password of the database user `{}` on *{}*. The new password "
            "was shown only to them.",
            user(by),
            username,
            db,
        )
    )


def engine_set(by: str, db: str, before: str | None, engine: str) -> Message:
    return plain(
        md(
            ":gear: {} set the engine type of *{}*{} to `{}`.",
            user(by),
            db,
            md(" (was `{}`)", before) if before else "",
            engine,
        )
    )

"""PURE: the bot's own permissions as words: bindings, guards, protections, roles, checks.

Each change's text is the answer and the audit row alike (the audit says what was done in
the words the caller read); the CLI prints the same messages as plain text. With several
orgs (``several``) each binding says where it holds ("in dev", "in every org"); with one,
nothing is said of orgs.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from bot.policy import Actor, Binding, Decision, Place, Rules, roles_of
from bot.render.core import Message, count, plain
from bot.render.lists import bullet_list
from bot.render.mrkdwn import Mrkdwn, channel, join, md, user

#: What the audit row of `perm check` says the subject may do (the check itself is allowed).
_FOUND = {"allow": "may run", "deny": "may not run", "confirm": "may run", "approve": "may run"}
_AFTER = {"confirm": " once confirmed", "approve": " once a second person approves"}


def _in(org: str | None, several: bool) -> Mrkdwn | str:
    """Where something holds: `` in dev``; `` in every org`` only when there are several."""
    if org:
        return md(" in {}", org)
    return " in every org" if several else ""


def roles_line(rules: Rules, actor: Actor, place: Place, *, several: bool = False) -> Mrkdwn:
    """Your roles here (in this org, when there are several), and this channel's guard if it
    has one."""
    where = _in(place.org, several) if several else ""
    bindings = roles_of(rules, actor, place)
    if not bindings:
        return md("You have no role here{}.", where)
    roles = join(", ", sorted({b.describe() for b in bindings}))
    guard = rules.guards.get(place.channel_id)
    capped = md(" This channel is guarded to {}.", guard) if guard else ""
    return md("Your roles{}: {}.{}", where, roles, capped)


def _scope(glob: str | None, org: str | None = None, several: bool = False) -> Mrkdwn | str:
    on = md(" on databases matching `{}`", glob) if glob else ""
    return md("{}{}", on, _in(org, several))


def granted(
    by: str,
    who: Mrkdwn,
    role: str,
    glob: str | None,
    added: bool,
    *,
    org: str | None = None,
    several: bool = False,
) -> Mrkdwn:
    scope = _scope(glob, org, several)
    if added:
        return md(":key: {} granted *{}*{} to {}.", user(by), role, scope, who)
    return md("{} already has *{}*{}.", who, role, scope)


def revoked(
    who: Mrkdwn,
    role: str,
    removed: bool,
    *,
    org: str | None = None,
    several: bool = False,
    scoped: Sequence[str] = (),
) -> Mrkdwn:
    """What a revoke did. ``scoped``: the orgs the subject still holds ``role`` in by a
    scoped binding, which a revoke without ``--org`` leaves alone (said, never silent)."""
    left = join(", ", sorted(set(scoped)))
    if removed:
        kept = md(" It still holds in {} (revoke those with `--org`).", left) if scoped else ""
        return md("Revoked *{}*{} from {}.{}", role, _in(org, several), who, kept)
    if scoped:
        first = sorted(scoped)[0]
        return md(
            "{} has no *{}* binding in every org, only in {}: revoke it with `--org {}`.",
            who,
            role,
            left,
            first,
        )
    return md("{} had no *{}* binding{}.", who, role, _in(org, several) if org else "")


def guarded(where: Mrkdwn, role: str) -> Mrkdwn:
    return md(":shield: {} is now guarded to *{}*.", where, role)


def unguarded(where: Mrkdwn, removed: bool) -> Mrkdwn:
    return md("Removed the guard of {}.", where) if removed else md("{} had no guard.", where)


# The texts of protections and custom roles are plain text (escaped when sent), and the
# audit row keeps them as typed.


def protected(glob: str, added: bool) -> str:
    if added:
        return (
            f":lock: Databases matching `{glob}` now need a second person's approval for "
            "destructive commands."
        )
    return f"`{glob}` was already protected."


def unprotected(glob: str, removed: bool) -> str:
    return f"`{glob}` is no longer protected." if removed else f"`{glob}` was not protected."


def role_defined(name: str, perms: Iterable[str]) -> str:
    return f"Custom role *{name}*: {' '.join(f'`{p}`' for p in perms)}."


def role_removed(name: str, removed: bool) -> str:
    return f"Deleted custom role *{name}*." if removed else f"No custom role *{name}*."


#: How a first binding or admin is made, in the words of where `perm list` was typed.
_GRANT = {
    True: ("`astra-bot perm grant <U…|S…|C…> <role>`", "`astra-bot perm grant U… admin`"),
    False: (
        "`/astra perm grant <@user|@group|#channel> <role>`",
        "`/astra perm grant @user admin`",
    ),
}


def rules_hints(rules: Rules, admins_configured: bool, *, cli: bool) -> list[str]:
    """What a store with no rules yet is missing, and how to add it (a fresh install)."""
    grant, admin = _GRANT[cli]
    out = []
    if not rules.bindings:
        out.append(f"no role bindings yet ({grant} adds one)")
    if not admins_configured and not any(b.role == "admin" for b in rules.bindings):
        out.append(
            "no admins: set ASTRA_BOT_ADMINS to Slack member ids (U…, comma-separated), "
            f"or run {admin}"
        )
    return out


def binding_line(b: Binding, several: bool) -> Mrkdwn:
    """A binding as `perm list` shows it: with several orgs, where it holds."""
    return md("{}{}", b.describe(), "" if b.org or not several else " in every org")


def rules_list(
    rules: Rules,
    admin_sources: Mapping[str, str],
    usergroups_unreadable: bool,
    *,
    admins_configured: bool = True,
    cli: bool = False,
    several: bool = False,
) -> tuple[str, Message]:
    """Every admin (and why), binding, guard, protection and custom role: the audit line
    (how many), and the list, with :func:`rules_hints` last (not counted).
    ``admins_configured``: someone is an admin outside the bindings (ASTRA_BOT_ADMINS, the
    shell's local admin); ``cli``: typed on the command line (the hints then say
    `astra-bot perm`)."""
    lines: list[str] = [
        md("{} → admin ({}){}", user(a), admin_sources.get(a, ""), _in(None, several))
        for a in sorted(rules.admins)
    ]
    lines += [binding_line(b, several) for b in rules.bindings]
    lines += [md("guard {} → {}", channel(c), r) for c, r in sorted(rules.guards.items())]
    lines += [md("protected `{}` (two-person rule)", g) for g in rules.protected]
    lines += [
        md("custom role *{}*: {}", n, " ".join(sorted(p)))
        for n, p in sorted(rules.custom_roles.items())
    ]
    if usergroups_unreadable:
        lines.append(
            ":warning: usergroup membership cannot be read (usergroups:read "
            "missing or not allowed on this plan): usergroup bindings are ignored."
        )
    n = len(lines)
    lines += rules_hints(rules, admins_configured, cli=cli)
    return count(n, "entry", "entries"), bullet_list("Permissions", lines)


def check(
    who: Mrkdwn, command: str, d: Decision, *, org: str | None = None, several: bool = False
) -> tuple[str, Message]:
    """What `perm check` found: its audit line, and its answer (``org``: the org it was
    decided in, None: every org; said when there are several)."""
    where = _in(org, several) if several else ""
    lines = [md("{} running `{}` here{}: *{}* — {}", who, command, where, d.outcome, d.reason)]
    if d.granted_by:
        lines.append(md("granted by: {}", join(", ", d.granted_by)))
    if d.capped_by:
        lines.append(md("capped by this channel's guard: {}", d.capped_by))
    audit = f"check: {who} {_FOUND[d.outcome]} `{command}`{where}{_AFTER.get(d.outcome, '')}"
    return audit, plain(join("\n", lines))

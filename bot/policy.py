"""PURE: who may do what, where (DESIGN §3).

    decide(rules, actor, place, command spec, resolved database name) -> Decision

- Deny by default. Rights come from role bindings that name Slack IDs (a user, a
  usergroup, or the channel the command is typed in), never display names.
- Effective rights = union of the bindings that apply, intersected with the channel's guard
  (or the workspace default guard). Admins from settings hold ``admin`` everywhere except
  where a guard caps them. A guard caps Astra actions only: ``perm`` and ``help`` are the
  bot's own administration (:data:`ADMINISTRATION`), never capped, so an admin can always
  ``perm list`` or ``perm unguard`` where they stand.
- A binding may be scoped to database names by a glob (``dev-*``): it grants an action on a
  database only if the database's name matches; it grants commands that target no
  database only if they change nothing (``db list``, ``region available``).
- A binding may be scoped to one configured org (``--org dev``): it holds only where the
  command runs in that org; an unscoped binding, and an admin from settings, holds in every
  org. A command decided "in every org" (:attr:`Place.org` None: a rule change that is not
  scoped, see :func:`decided_in`) counts only what holds in every org, so an admin of one
  org cannot grant themselves another. Guards are not org-scoped: a channel's guard caps
  the channel whatever org its commands go to.
- Destructive commands are never allowed outright: the decision is ``confirm``, or
  ``approve`` when the database is protected (two-person rule).
- ``help`` and ``perm whoami`` are open to everyone.

A permission is named after its command (``db.create``); a role is a set of permission
patterns with ``*`` wildcards (``keyspace.*``, ``*``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from typing import Literal

from bot.intents import COMMANDS, CommandSpec
from bot.render.mrkdwn import Mrkdwn, md, subject

BUILTIN_ROLES: Mapping[str, frozenset[str]] = {
    "viewer": frozenset(c.permission for c in COMMANDS if c.level == "viewer"),
    "operator": frozenset(c.permission for c in COMMANDS if c.level in {"viewer", "operator"}),
    "admin": frozenset({"*"}),
}
ROLE_ORDER = ("viewer", "operator", "admin")
#: Nouns that administer the bot itself: a channel guard does not cap them (DESIGN §3).
ADMINISTRATION = frozenset({"perm", "help"})
#: The rule changes that may be scoped to one org (``--org``); the others hold in every org.
SCOPED_CHANGES = frozenset({"perm.grant", "perm.revoke"})


@dataclass(frozen=True)
class Binding:
    subject_type: Literal["user", "usergroup", "channel"]
    subject_id: str
    role: str
    db_glob: str | None = None
    org: str | None = None  # the configured org it holds in; None: every org

    def describe(self) -> Mrkdwn:
        who = subject(self.subject_type, self.subject_id)
        scope = md(" on `{}`", self.db_glob) if self.db_glob else ""
        org = md(" in {}", self.org) if self.org else ""
        return md("{} → {}{}{}", who, self.role, scope, org)

    def holds_in(self, org: str | None) -> bool:
        """Whether the binding counts for a command in ``org`` (None: in every org)."""
        return self.org is None or self.org == org


@dataclass(frozen=True)
class Rules:
    """Everything the policy needs from the store, as plain data."""

    bindings: tuple[Binding, ...] = ()
    guards: Mapping[str, str] = field(default_factory=dict)  # channel id -> role
    custom_roles: Mapping[str, frozenset[str]] = field(default_factory=dict)
    protected: tuple[str, ...] = ()  # database-name globs
    admins: frozenset[str] = frozenset()
    default_guard: str | None = None  # caps every channel without its own guard (not DMs)

    def role_permissions(self, role: str) -> frozenset[str]:
        if role in BUILTIN_ROLES:
            return BUILTIN_ROLES[role]
        return self.custom_roles.get(role, frozenset())

    def role_exists(self, role: str) -> bool:
        return role in BUILTIN_ROLES or role in self.custom_roles


@dataclass(frozen=True)
class Actor:
    user_id: str
    usergroups: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Place:
    """Where a command runs: the channel, and the org (by configured name) its command goes
    to; ``org`` None decides it for every org at once (only unscoped bindings count)."""

    channel_id: str
    is_dm: bool = False
    org: str | None = None


@dataclass(frozen=True)
class Decision:
    outcome: Literal["allow", "deny", "confirm", "approve"]
    reason: str
    permission: str
    granted_by: tuple[str, ...] = ()  # descriptions of the bindings that allowed it
    capped_by: str | None = None  # the guard that removed it, if any
    needs: str | None = None  # the least role that would allow it

    @property
    def allowed(self) -> bool:
        return self.outcome != "deny"


def permits(patterns: Iterable[str], permission: str) -> bool:
    """Whether a set of permission patterns covers a permission (``db.*`` covers ``db.get``)."""
    for p in patterns:
        if p == "*" or p == permission or fnmatchcase(permission, p):
            return True
        if p.endswith(".*") and permission == p[:-2]:
            return True
    return False


def least_role(permission: str) -> str:
    for role in ROLE_ORDER:
        if permits(BUILTIN_ROLES[role], permission):
            return role
    return "admin"


def _applicable(
    rules: Rules, actor: Actor, place: Place, *, any_org: bool = False
) -> list[Binding]:
    """The bindings of ``actor`` here: in ``place.org`` (``any_org``: in whichever org)."""
    out = [Binding("user", a, "admin") for a in rules.admins if a == actor.user_id]
    for b in rules.bindings:
        if not any_org and not b.holds_in(place.org):
            continue
        if (
            (b.subject_type == "user" and b.subject_id == actor.user_id)
            or (b.subject_type == "usergroup" and b.subject_id in actor.usergroups)
            or (b.subject_type == "channel" and b.subject_id == place.channel_id)
        ):
            out.append(b)
    return out


def _guard_for(rules: Rules, place: Place) -> str | None:
    if place.channel_id in rules.guards:
        return rules.guards[place.channel_id]
    if place.is_dm:
        return None
    return rules.default_guard


def decide(
    rules: Rules,
    actor: Actor,
    place: Place,
    spec: CommandSpec,
    db_name: str | None = None,
    *,
    db_known: bool = True,
    who: str | None = None,
    destructive: bool = False,
) -> Decision:
    """Decide whether ``actor`` may run ``spec`` in ``place`` on database ``db_name``.

    ``db_known=False`` means the command targets a database whose name is not known yet
    (the user typed an id): scoped bindings are then counted as "could allow", and the
    caller must resolve the name and decide again before acting. ``who`` is how the
    reason names the actor when it is read by someone else (``perm check``); by default
    it speaks to the actor ("you"). ``destructive`` decides a command that is not
    destructive as one, for an instance that is (the first entry of an access list).
    """
    perm = spec.permission
    if spec.open_to_all:
        return Decision("allow", "open to everyone", perm)
    granting = _granting(rules, actor, place, spec, db_name, db_known)
    if not granting:
        return _not_granted(rules, actor, place, spec, db_name, who)
    needs = least_role(perm)
    granted = tuple(b.describe() for b in granting)
    guard = None if spec.noun in ADMINISTRATION else _guard_for(rules, place)
    if guard is not None and not permits(rules.role_permissions(guard), perm):
        reason = md(
            "`/astra {}` is not allowed in this channel: it is guarded to {} (needs {}).",
            spec.name,
            guard,
            needs,
        )
        return Decision("deny", reason, perm, granted, capped_by=guard, needs=needs)
    if not (spec.destructive or destructive):
        return Decision("allow", "allowed", perm, granted)
    if db_name is not None and any(fnmatchcase(db_name, g) for g in rules.protected):
        reason = md("`{}` is protected: a second person must approve.", db_name)
        return Decision("approve", reason, perm, granted_by=granted)
    return Decision("confirm", "destructive: needs a confirmation click", perm, granted)


def _granting(
    rules: Rules,
    actor: Actor,
    place: Place,
    spec: CommandSpec,
    db_name: str | None,
    db_known: bool,
) -> list[Binding]:
    """The bindings that grant ``spec`` here on ``db_name`` (before any guard)."""
    granting: list[Binding] = []
    for b in _applicable(rules, actor, place):
        if not permits(rules.role_permissions(b.role), spec.permission):
            continue
        if b.db_glob is not None:
            if db_name is None and db_known:
                if spec.mutating or spec.destructive:
                    continue  # a scoped binding grants no org-wide change
            elif db_name is not None and not fnmatchcase(db_name, b.db_glob):
                continue
        granting.append(b)
    return granting


def _not_granted(
    rules: Rules,
    actor: Actor,
    place: Place,
    spec: CommandSpec,
    db_name: str | None,
    who: str | None,
) -> Decision:
    """No binding grants it: denied, saying the least role that would."""
    perm = spec.permission
    needs = least_role(perm)
    scoped = any(
        b.db_glob and permits(rules.role_permissions(b.role), perm)
        for b in _applicable(rules, actor, place)
    )
    where = md(" on `{}`", db_name) if db_name and scoped else ""
    reason = md(
        "{} not allowed to run `/astra {}`{} (needs role {}).{}",
        "you are" if who is None else md("{} is", who),
        spec.name,
        where,
        needs,
        _elsewhere(rules, actor, place, perm, who),
    )
    return Decision("deny", reason, perm, needs=needs)


def _elsewhere(rules: Rules, actor: Actor, place: Place, perm: str, who: str | None) -> Mrkdwn:
    """Where a binding scoped to another org would have allowed it: said, so that the
    caller knows `--org` (or where the rule would hold) is what is missing."""
    orgs = sorted(
        {
            b.org
            for b in _applicable(rules, actor, place, any_org=True)
            if b.org is not None
            and b.org != place.org
            and permits(rules.role_permissions(b.role), perm)
        }
    )
    if not orgs:
        return md("")
    whose = "Your" if who is None else md("{}'s", who)
    return md(" {} roles in {} hold only there.", whose, ", ".join(orgs))


def visible_commands(rules: Rules, actor: Actor, place: Place) -> list[CommandSpec]:
    """The commands ``actor`` could run here on some database (for help)."""
    return [c for c in COMMANDS if decide(rules, actor, place, c, None, db_known=False).allowed]


def roles_of(rules: Rules, actor: Actor, place: Place) -> list[Binding]:
    return _applicable(rules, actor, place)


def decided_in(spec: CommandSpec, typed_org: str | None, command_org: str) -> str | None:
    """The org a command is decided in: the org it runs in (``--org``, else the channel's),
    except for a change of the rules. A grant or revoke holds in the org typed with
    ``--org``, or else in every org (None); guards, protections and custom roles hold in
    every org. So a change needs the right wherever it will hold: an admin of dev alone
    can grant in dev, not grant themselves prod, nor guard a channel for every org."""
    if spec.noun != "perm" or not spec.mutating:
        return command_org
    return typed_org if spec.permission in SCOPED_CHANGES else None

"""The policy with several orgs (DESIGN §2, §3): a binding scoped to one org holds only there,
an unscoped one everywhere; `--org` combines with `--db` globs and channel guards; a rule
change that holds in every org needs the right in every org."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.intents import COMMANDS, SPECS
from bot.policy import (
    Actor,
    Binding,
    Place,
    Rules,
    decide,
    decided_in,
    roles_of,
    visible_commands,
)

ANA = Actor("UANA")
ORGS = ("prod", "dev")


def here(org: str | None, channel: str = "C1", *, dm: bool = False) -> Place:
    return Place(channel, dm, org)


def test_scoped_operator_creates_in_dev_only() -> None:
    r = Rules(bindings=(Binding("user", "UANA", "operator", org="dev"),))
    assert decide(r, ANA, here("dev"), SPECS["db.create"], "orders").outcome == "allow"
    denied = decide(r, ANA, here("prod"), SPECS["db.create"], "orders")
    assert denied.outcome == "deny"
    assert denied.reason == (
        "you are not allowed to run `/astra db create` (needs role operator). Your roles in "
        "dev hold only there."
    )
    # decided for every org at once: a scoped binding does not count
    assert not decide(r, ANA, here(None), SPECS["db.create"], "orders").allowed


def test_unscoped_binding_holds_in_every_org() -> None:
    r = Rules(bindings=(Binding("user", "UANA", "viewer"),))
    for org in (*ORGS, None):
        assert decide(r, ANA, here(org), SPECS["db.list"]).allowed, org


def test_settings_admins_are_admins_in_every_org() -> None:
    r = Rules(admins=frozenset({"UANA"}))
    for org in (*ORGS, None):
        for perm in ("perm.grant", "token.create", "db.create"):
            assert decide(r, ANA, here(org), SPECS[perm], "x").allowed, (org, perm)


def test_org_scope_and_db_glob_both_apply() -> None:
    r = Rules(bindings=(Binding("user", "UANA", "operator", "dev-*", org="dev"),))
    assert decide(r, ANA, here("dev"), SPECS["db.create"], "dev-a").allowed
    assert not decide(r, ANA, here("dev"), SPECS["db.create"], "orders").allowed
    assert not decide(r, ANA, here("prod"), SPECS["db.create"], "dev-a").allowed
    # the glob still limits org-wide reads to none of the changes
    assert decide(r, ANA, here("dev"), SPECS["db.list"]).allowed
    assert not decide(r, ANA, here("prod"), SPECS["db.list"]).allowed


def test_guard_caps_every_org() -> None:
    r = Rules(
        bindings=(Binding("user", "UANA", "operator", org="dev"),),
        guards={"CGEN": "viewer"},
    )
    capped = decide(r, ANA, here("dev", "CGEN"), SPECS["db.create"], "x")
    assert capped.outcome == "deny" and capped.capped_by == "viewer"
    assert decide(r, ANA, here("dev", "CGEN"), SPECS["db.list"]).allowed
    assert decide(r, ANA, here("dev", "COPS"), SPECS["db.create"], "x").allowed
    # the guard does not turn a prod denial into anything else
    assert not decide(r, ANA, here("prod", "COPS"), SPECS["db.list"]).allowed


def test_channel_and_usergroup_bindings_scope_too() -> None:
    r = Rules(
        bindings=(
            Binding("channel", "CDEV", "operator", org="dev"),
            Binding("usergroup", "SDBA", "viewer", org="prod"),
        )
    )
    assert decide(r, ANA, here("dev", "CDEV"), SPECS["db.create"], "x").allowed
    assert not decide(r, ANA, here("prod", "CDEV"), SPECS["db.create"], "x").allowed
    dba = Actor("UB", frozenset({"SDBA"}))
    assert decide(r, dba, here("prod"), SPECS["db.list"]).allowed
    assert not decide(r, dba, here("dev"), SPECS["db.list"]).allowed


def test_help_and_roles_answer_per_org() -> None:
    r = Rules(
        bindings=(
            Binding("user", "UANA", "viewer"),
            Binding("user", "UANA", "operator", org="dev"),
        )
    )
    dev = {c.permission for c in visible_commands(r, ANA, here("dev"))}
    prod = {c.permission for c in visible_commands(r, ANA, here("prod"))}
    assert "db.create" in dev and "db.create" not in prod
    assert "db.list" in dev and "db.list" in prod
    assert [b.role for b in roles_of(r, ANA, here("dev"))] == ["viewer", "operator"]
    assert [b.role for b in roles_of(r, ANA, here("prod"))] == ["viewer"]


def test_describe_names_the_org_scope() -> None:
    assert Binding("user", "UANA", "operator", "dev-*", "dev").describe() == (
        "<@UANA> → operator on `dev-*` in dev"
    )
    assert Binding("user", "UANA", "viewer").describe() == "<@UANA> → viewer"


def test_rule_changes_are_decided_where_they_hold() -> None:
    grant, guard, dblist = SPECS["perm.grant"], SPECS["perm.guard"], SPECS["db.list"]
    assert decided_in(grant, "dev", "prod") == "dev"
    assert decided_in(grant, None, "dev") is None  # unscoped: holds in every org
    assert decided_in(SPECS["perm.revoke"], None, "dev") is None
    assert decided_in(guard, "dev", "dev") is None  # a guard caps every org
    assert decided_in(SPECS["perm.protect"], "dev", "dev") is None
    assert decided_in(SPECS["perm.list"], None, "dev") == "dev"
    assert decided_in(dblist, None, "dev") == "dev"
    assert decided_in(dblist, "prod", "prod") == "prod"


def test_an_admin_of_one_org_cannot_grant_beyond_it() -> None:
    r = Rules(bindings=(Binding("user", "UANA", "admin", org="dev"),))
    grant = SPECS["perm.grant"]
    assert decide(r, ANA, here(decided_in(grant, "dev", "dev")), grant).allowed
    assert not decide(r, ANA, here(decided_in(grant, None, "dev")), grant).allowed
    assert not decide(r, ANA, here(decided_in(grant, "prod", "prod")), grant).allowed
    guard = SPECS["perm.guard"]
    assert not decide(r, ANA, here(decided_in(guard, None, "dev")), guard).allowed


# ---------------------------------------------------------------- properties

ORG = st.sampled_from([None, *ORGS])
SUBJ = st.sampled_from([("user", "UANA"), ("usergroup", "SDBA"), ("channel", "C1")])
ROLE = st.sampled_from(["viewer", "operator", "admin", "custom"])
GLOB = st.one_of(st.none(), st.sampled_from(["dev-*", "orders"]))
BINDING = st.builds(lambda s, r, g, o: Binding(s[0], s[1], r, g, o), SUBJ, ROLE, GLOB, ORG)
CUSTOM = {"custom": frozenset({"keyspace.*", "db.get", "db.list"})}
ACTOR = st.sampled_from([Actor("UANA"), Actor("UANA", frozenset({"SDBA"})), Actor("UZED")])
CHANNEL = st.sampled_from([("C1", False), ("C2", False), ("D1", True)])
SPEC = st.sampled_from(COMMANDS)
NAME = st.one_of(st.none(), st.sampled_from(["dev-a", "orders", "misc"]))
GUARD = st.one_of(st.none(), ROLE)


def _rules(bs: list[Binding], guard: str | None, admins: frozenset[str] = frozenset()) -> Rules:
    guards = {"C1": guard} if guard else {}
    return Rules(bindings=tuple(bs), custom_roles=CUSTOM, guards=guards, admins=admins)


@settings(max_examples=400, deadline=None)
@given(st.lists(BINDING, max_size=6), GUARD, ACTOR, CHANNEL, SPEC, NAME, ORG)
def test_a_binding_scoped_elsewhere_never_grants(bs, guard, actor, ch, spec, name, org) -> None:  # type: ignore[no-untyped-def]
    """Removing every binding scoped to another org changes no decision in this one (a
    denial may only add where the missing role is held)."""
    place = Place(ch[0], ch[1], org)
    mine = [b for b in bs if b.org is None or b.org == org]
    full = decide(_rules(bs, guard), actor, place, spec, name)
    only = decide(_rules(mine, guard), actor, place, spec, name)
    assert (full.outcome, full.granted_by, full.capped_by) == (
        only.outcome,
        only.granted_by,
        only.capped_by,
    )
    assert full.reason.startswith(only.reason.rstrip("."))


@settings(max_examples=400, deadline=None)
@given(st.lists(BINDING, max_size=6), GUARD, ACTOR, CHANNEL, SPEC, NAME)
def test_unscoped_rights_hold_in_every_org(bs, guard, actor, ch, spec, name) -> None:  # type: ignore[no-untyped-def]
    """What is allowed for every org at once (only unscoped bindings) is allowed in each."""
    every = decide(_rules(bs, guard), actor, Place(ch[0], ch[1], None), spec, name)
    for org in ORGS:
        each = decide(_rules(bs, guard), actor, Place(ch[0], ch[1], org), spec, name)
        assert not every.allowed or each.allowed, org


@settings(max_examples=300, deadline=None)
@given(st.lists(BINDING, max_size=6), GUARD, CHANNEL, SPEC, NAME, ORG)
def test_settings_admins_decide_alike_in_every_org(bs, guard, ch, spec, name, org) -> None:  # type: ignore[no-untyped-def]
    """An ASTRA_BOT_ADMINS admin is decided the same in any org as for every org."""
    r = _rules(bs, guard, frozenset({"UANA"}))
    every = decide(r, ANA, Place(ch[0], ch[1], None), spec, name)
    here_ = decide(r, ANA, Place(ch[0], ch[1], org), spec, name)
    assert every.outcome == here_.outcome


@settings(max_examples=300, deadline=None)
@given(st.lists(BINDING, max_size=6), ROLE, ACTOR, SPEC, NAME, ORG)
def test_a_guard_never_adds_a_right_in_any_org(bs, guard, actor, spec, name, org) -> None:  # type: ignore[no-untyped-def]
    place = Place("C1", False, org)
    free = decide(_rules(bs, None), actor, place, spec, name)
    capped = decide(_rules(bs, guard), actor, place, spec, name)
    assert free.allowed or not capped.allowed

"""The policy (DESIGN §3): deny by default, union of bindings ∩ guard, scopes, confirmations."""

from __future__ import annotations

from fnmatch import fnmatchcase

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.intents import COMMANDS, SPECS
from bot.policy import (
    BUILTIN_ROLES,
    Actor,
    Binding,
    Place,
    Rules,
    decide,
    permits,
    visible_commands,
)

ANA = Actor("UANA")
HERE = Place("C1")


def rules(*bindings: Binding, **kw: object) -> Rules:
    return Rules(bindings=bindings, **kw)  # type: ignore[arg-type]


def test_deny_by_default_names_the_role_needed() -> None:
    d = decide(Rules(), ANA, HERE, SPECS["db.create"], "orders")
    assert d.outcome == "deny"
    assert "needs role operator" in d.reason


def test_help_and_whoami_open_to_all() -> None:
    for perm in ("help", "perm.whoami"):
        assert decide(Rules(), ANA, HERE, SPECS[perm]).outcome == "allow"


def test_viewer_reads_but_does_not_write() -> None:
    r = rules(Binding("user", "UANA", "viewer"))
    assert decide(r, ANA, HERE, SPECS["db.list"]).outcome == "allow"
    assert decide(r, ANA, HERE, SPECS["db.get"], "orders").outcome == "allow"
    assert decide(r, ANA, HERE, SPECS["db.create"], "x").outcome == "deny"


def test_operator_changes_databases_admin_owns_tokens() -> None:
    r = rules(Binding("user", "UANA", "operator"))
    assert decide(r, ANA, HERE, SPECS["db.create"], "x").outcome == "allow"
    assert decide(r, ANA, HERE, SPECS["scb"], "x").outcome == "allow"
    assert decide(r, ANA, HERE, SPECS["token.create"]).outcome == "deny"
    assert decide(r, ANA, HERE, SPECS["perm.grant"]).outcome == "deny"


def test_destructive_needs_confirmation_even_for_admins() -> None:
    r = Rules(admins=frozenset({"UANA"}))
    for spec in COMMANDS:
        if spec.destructive:
            assert decide(r, ANA, HERE, spec, "orders").outcome == "confirm", spec.name


def test_protected_database_needs_approval() -> None:
    r = Rules(admins=frozenset({"UANA"}), protected=("prod-*",))
    assert decide(r, ANA, HERE, SPECS["db.delete"], "prod-orders").outcome == "approve"
    assert decide(r, ANA, HERE, SPECS["db.delete"], "dev-orders").outcome == "confirm"


def test_scoped_binding() -> None:
    r = rules(Binding("user", "UANA", "operator", "dev-*"))
    assert decide(r, ANA, HERE, SPECS["db.create"], "dev-x").outcome == "allow"
    assert decide(r, ANA, HERE, SPECS["db.create"], "prod-orders").outcome == "deny"
    assert decide(r, ANA, HERE, SPECS["db.delete"], "prod-orders").outcome == "deny"
    # a read that targets no database is fine; an org-wide change is not
    assert decide(r, ANA, HERE, SPECS["db.list"]).outcome == "allow"
    # unknown name (an id was typed): "could allow", to be decided again once resolved
    assert decide(r, ANA, HERE, SPECS["db.delete"], None, db_known=False).allowed


def test_guard_caps_admins_in_that_channel_only() -> None:
    r = Rules(admins=frozenset({"UANA"}), guards={"CGEN": "viewer"})
    assert decide(r, ANA, Place("CGEN"), SPECS["db.create"], "x").outcome == "deny"
    assert decide(r, ANA, Place("CGEN"), SPECS["db.list"]).outcome == "allow"
    assert decide(r, ANA, Place("COPS"), SPECS["db.create"], "x").outcome == "allow"


def test_default_guard_spares_dms() -> None:
    r = Rules(admins=frozenset({"UANA"}), default_guard="viewer")
    assert decide(r, ANA, Place("C9"), SPECS["db.create"], "x").outcome == "deny"
    assert decide(r, ANA, Place("D9", is_dm=True), SPECS["db.create"], "x").outcome == "allow"


def test_usergroup_and_channel_bindings() -> None:
    r = rules(Binding("usergroup", "SDBA", "operator"), Binding("channel", "COPS", "viewer"))
    assert decide(r, Actor("UB", frozenset({"SDBA"})), HERE, SPECS["db.create"], "x").allowed
    assert not decide(r, Actor("UB"), HERE, SPECS["db.create"], "x").allowed
    assert decide(r, Actor("UB"), Place("COPS"), SPECS["db.list"]).allowed
    assert not decide(r, Actor("UB"), Place("C2"), SPECS["db.list"]).allowed


def test_custom_role() -> None:
    r = Rules(
        bindings=(Binding("user", "UANA", "ks"),),
        custom_roles={"ks": frozenset({"keyspace.*", "db.get"})},
    )
    assert decide(r, ANA, HERE, SPECS["keyspace.create"], "x").allowed
    assert decide(r, ANA, HERE, SPECS["db.get"], "x").allowed
    assert not decide(r, ANA, HERE, SPECS["db.create"], "x").allowed


def test_permits_patterns() -> None:
    assert permits(["db.*"], "db.create")
    assert permits(["telemetry.*"], "telemetry.metrics.set")
    assert not permits(["db.*"], "keyspace.create")
    assert permits(["*"], "anything")


def test_help_lists_only_allowed() -> None:
    r = rules(Binding("user", "UANA", "viewer"))
    names = {c.permission for c in visible_commands(r, ANA, HERE)}
    assert "db.list" in names and "db.create" not in names and "token.list" not in names


# ---------------------------------------------------------------- properties

ROLE = st.sampled_from([*sorted(BUILTIN_ROLES), "custom"])
GLOB = st.one_of(st.none(), st.sampled_from(["dev-*", "prod-*", "orders", "*-test"]))
SUBJ = st.sampled_from(
    [
        ("user", "UANA"),
        ("user", "UBOB"),
        ("usergroup", "SDBA"),
        ("channel", "C1"),
        ("channel", "C2"),
    ]
)
BINDING = st.builds(lambda s, r, g: Binding(s[0], s[1], r, g), SUBJ, ROLE, GLOB)
NAME = st.sampled_from(["dev-a", "prod-orders", "orders", "x-test", "misc"])
SPEC = st.sampled_from(COMMANDS)
CUSTOM = {"custom": frozenset({"keyspace.*", "db.get", "db.list"})}
ACTOR = st.sampled_from([Actor("UANA"), Actor("UANA", frozenset({"SDBA"})), Actor("UZED")])
PLACE = st.sampled_from([Place("C1"), Place("C2"), Place("D1", is_dm=True)])


@settings(max_examples=300, deadline=None)
@given(st.lists(BINDING, max_size=6), BINDING, ACTOR, PLACE, SPEC, st.one_of(st.none(), NAME))
def test_adding_a_binding_never_removes_a_right(bs, extra, actor, place, spec, name) -> None:  # type: ignore[no-untyped-def]
    before = decide(Rules(bindings=tuple(bs), custom_roles=CUSTOM), actor, place, spec, name)
    after = decide(Rules(bindings=(*bs, extra), custom_roles=CUSTOM), actor, place, spec, name)
    assert not before.allowed or after.allowed


@settings(max_examples=300, deadline=None)
@given(st.lists(BINDING, max_size=6), ROLE, ACTOR, SPEC, st.one_of(st.none(), NAME))
def test_a_guard_never_adds_a_right(bs, guard, actor, spec, name) -> None:  # type: ignore[no-untyped-def]
    place = Place("C1")
    free = decide(Rules(bindings=tuple(bs), custom_roles=CUSTOM), actor, place, spec, name)
    guarded = decide(
        Rules(bindings=tuple(bs), custom_roles=CUSTOM, guards={"C1": guard}),
        actor,
        place,
        spec,
        name,
    )
    assert free.allowed or not guarded.allowed


@settings(max_examples=300, deadline=None)
@given(st.lists(BINDING, max_size=6), ACTOR, PLACE, SPEC, NAME)
def test_scope_globs_never_leak(bs, actor, place, spec, name) -> None:  # type: ignore[no-untyped-def]
    r = Rules(bindings=tuple(bs), custom_roles=CUSTOM)
    d = decide(r, actor, place, spec, name)
    if d.allowed and not spec.open_to_all:
        # some binding that applies here has no scope, or a scope that matches the name
        unscoped_or_matching = [b for b in bs if b.db_glob is None or fnmatchcase(name, b.db_glob)]
        assert decide(
            Rules(bindings=tuple(unscoped_or_matching), custom_roles=CUSTOM),
            actor,
            place,
            spec,
            name,
        ).allowed


@settings(max_examples=200, deadline=None)
@given(ACTOR, PLACE, SPEC, st.one_of(st.none(), NAME))
def test_deny_by_default_property(actor, place, spec, name) -> None:  # type: ignore[no-untyped-def]
    d = decide(Rules(), actor, place, spec, name)
    assert d.allowed == spec.open_to_all


ADMINISTRATION = [s for s in COMMANDS if s.noun in {"perm", "help"}]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(BINDING, max_size=6),
    ROLE,
    ACTOR,
    PLACE,
    st.sampled_from(ADMINISTRATION),
    st.one_of(st.none(), NAME),
    st.booleans(),
)
def test_a_guard_never_caps_the_bots_administration(
    bs,
    guard,
    actor,
    place,
    spec,
    name,  # type: ignore[no-untyped-def]
    default,
) -> None:
    """DESIGN §3: a guard caps Astra actions; `perm`, `help` and `perm whoami` are the bot's
    own administration and decide the same with or without a guard."""
    base = Rules(bindings=tuple(bs), custom_roles=CUSTOM, admins=frozenset({"UANA"}))
    capped = Rules(
        bindings=tuple(bs),
        custom_roles=CUSTOM,
        admins=frozenset({"UANA"}),
        guards={place.channel_id: guard},
        default_guard=guard if default else None,
    )
    free = decide(base, actor, place, spec, name)
    guarded = decide(capped, actor, place, spec, name)
    assert (free.outcome, free.capped_by) == (guarded.outcome, guarded.capped_by)


def test_admin_administers_a_guarded_channel() -> None:
    r = Rules(admins=frozenset({"UANA"}), guards={"CGEN": "viewer"})
    for perm in ("perm.list", "perm.unguard", "perm.grant", "help"):
        assert decide(r, ANA, Place("CGEN"), SPECS[perm]).allowed, perm
    assert not decide(r, ANA, Place("CGEN"), SPECS["db.create"], "x").allowed

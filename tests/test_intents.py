"""The /astra grammar: every command of DESIGN §2 parses; bad input gets a usage error."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.errors import UsageError
from bot.intents import COMMANDS, SPECS, Subject, parse, tokenize
from tests.command_samples import required_only


def test_create_with_every_option() -> None:
    i = parse(
        "db create orders --cloud GCP --region us-east1 --keyspace shop "
        "--tier serverless --capacity-units 2 --non-vector"
    )
    assert i.permission == "db.create"
    assert i.arg("name") == "orders"
    assert i.opt("cloud") == "gcp"
    assert i.opt("region") == "us-east1"
    assert i.opt("keyspace") == "shop"
    assert i.opt_num("capacity_units") == 2
    assert i.switch("vector") is False
    assert i.target_db == "orders"


def test_flag_equals_form_and_quotes() -> None:
    i = parse('token create --role="Database Administrator" --description "ci bot"')
    assert i.many("role") == ("Database Administrator",)
    assert i.opt("description") == "ci bot"


def test_many_flag_accepts_repeats_and_lists() -> None:
    i = parse("token create --role a --role b c")
    assert i.many("role") == ("a", "b", "c")


def test_slack_smart_quotes_and_entities() -> None:
    i = parse("user invite ana@example.com --role “Read Only User”")
    assert i.many("role") == ("Read Only User",)
    assert tokenize("a &amp; b") == ["a", "&", "b"]


@pytest.mark.parametrize(
    ("token", "subject"),
    [
        ("<@U123ABC|ana>", Subject("user", "U123ABC")),
        ("<@W123ABC>", Subject("user", "W123ABC")),
        ("<#C0123|ops>", Subject("channel", "C0123")),
        ("<!subteam^S0ABC|@dba>", Subject("usergroup", "S0ABC")),
        ("U999", Subject("user", "U999")),
        ("S999", Subject("usergroup", "S999")),
    ],
)
def test_subjects_by_id(token: str, subject: Subject) -> None:
    assert parse(f"perm grant {token} operator").subject("subject") == subject


def test_display_names_are_not_subjects() -> None:
    with pytest.raises(UsageError, match="not a Slack user"):
        parse("perm grant @ana operator")


@pytest.mark.parametrize(
    ("text", "suggestion"),
    [
        ("db craete x", "/astra db create"),
        ("dv list", "/astra db"),
        ("db create x --clod gcp", "--cloud"),
        ("db create x --cloud gpc", "gcp"),
        ("keyspace lst orders", "/astra keyspace list"),
    ],
)
def test_did_you_mean(text: str, suggestion: str) -> None:
    with pytest.raises(UsageError) as exc:
        parse(text)
    assert suggestion in exc.value.suggestions


def test_missing_name_gives_usage() -> None:
    with pytest.raises(UsageError) as exc:
        parse("db create")
    assert exc.value.usage is not None and exc.value.usage.startswith("/astra db create <name>")


@pytest.mark.parametrize(
    "text",
    [
        "db create bad!name",
        "db create -leading",
        "db get",
        "db resize orders many",
        "keyspace create orders 1bad",
        "access-list add orders 300.1.1.1",
        "access-list add orders 10.0.0.1/24",
        "db list extra",
        "db create x --vector --non-vector",
        "db create x --region",
        "db create x --cloud gcp --cloud aws",
        "user invite not-an-email",
        'db get "unclosed',
    ],
)
def test_bad_input_is_a_usage_error(text: str) -> None:
    with pytest.raises(UsageError):
        parse(text)


def test_cidr_normalised_and_host_bits_explained() -> None:
    assert parse("access-list add orders 10.0.0.0/24").arg("cidr") == "10.0.0.0/24"
    assert parse("access-list add orders 203.0.113.7").arg("cidr") == "203.0.113.7"
    with pytest.raises(UsageError) as exc:
        parse("access-list add orders 10.0.0.1/24")
    assert "10.0.0.0/24" in str(exc.value)


def test_empty_text_is_help() -> None:
    assert parse("").permission == "help"
    assert parse("   ").permission == "help"


def test_every_command_has_a_usage_and_round_trips() -> None:
    for spec in COMMANDS:
        intent = parse(required_only(spec))
        assert intent.spec is spec, spec.name
        assert parse(intent.canonical()).args == intent.args, spec.name
        assert spec.usage.startswith(f"/astra {spec.name}")


def test_destructive_commands_are_the_documented_set() -> None:
    destructive = {c.permission for c in COMMANDS if c.destructive}
    assert destructive == {
        "db.delete",
        "db.park",
        "keyspace.delete",
        "region.remove",
        "access-list.remove",
        "token.revoke",
        "user.remove",
        "role.delete",
        "telemetry.audit-log.delete",
        "private-link.principal.remove",
        "private-link.endpoint.reject",
        "custom-domain.remove",
        "peering.delete",
        # whole lists and entries replaced, updated or cleared; a role changed (the
        # confirmation shows the diff)
        "access-list.replace",
        "access-list.update",
        "access-list.clear",
        "access-list.devops.add",
        "access-list.devops.replace",
        "access-list.devops.update",
        "access-list.devops.delete",
        "role.update",
    }


@settings(max_examples=400, deadline=None)
@given(st.text(max_size=200))
def test_no_input_crashes_the_parser(text: str) -> None:
    try:
        intent = parse(text)
    except UsageError as err:
        assert err.user_message
    else:
        assert intent.spec.permission in SPECS


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(COMMANDS),
    st.lists(
        st.one_of(
            st.sampled_from(
                ["--cloud", "--region", "--db", "--", "-", "=", '"', "<@U1>", "<#C1|x>", "all"]
            ),
            st.text(min_size=1, max_size=12),
        ),
        max_size=6,
    ),
)
def test_no_command_with_junk_crashes(spec: object, junk: list[str]) -> None:
    from bot.intents import CommandSpec

    assert isinstance(spec, CommandSpec)
    with contextlib.suppress(UsageError):
        parse(" ".join([spec.noun, *spec.verb, *junk]))


# -- numbers and statuses are validated here, once, with the range in the message (issue 14)


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("db create x --capacity-units -3", "between 1 and 100"),
        ("db create x --capacity-units 0", "between 1 and 100"),
        ("db create x --capacity-units 101", "between 1 and 100"),
        ("db create x --capacity-units 99999", "between 1 and 100"),
        ("db resize orders 0", "between 1 and 100"),
        ("db resize orders 101", "between 1 and 100"),
        ("db list --page 0", "1 or more"),
        ("db list --page -1", "1 or more"),
        ("audit --limit -5", "between 1 and 100"),
        ("audit --limit 0", "between 1 and 100"),
        ("audit --limit 1000", "between 1 and 100"),
    ],
)
def test_numbers_out_of_range_say_the_range(text: str, says: str) -> None:
    with pytest.raises(UsageError) as exc:
        parse(text)
    assert says in exc.value.user_message
    assert exc.value.usage is not None


def test_numbers_at_the_ends_of_their_range_parse() -> None:
    assert parse("db create x --capacity-units 1").opt_num("capacity_units") == 1
    assert parse("db create x --capacity-units 100").opt_num("capacity_units") == 100
    assert parse("db resize orders 100").num("units") == 100
    assert parse("db list --page 1").opt_num("page") == 1
    assert parse("audit --limit 100").opt_num("limit") == 100


def test_classic_tiers_start_with_at_most_12_capacity_units() -> None:
    # devops-api-official: "For Cxx and Dxx tiers, the max CU on startup is 12."
    assert parse("db create x --tier C10 --capacity-units 12").opt_num("capacity_units") == 12
    with pytest.raises(UsageError) as exc:
        parse("db create x --tier C10 --capacity-units 13")
    assert "12" in exc.value.user_message and "C10" in exc.value.user_message


def test_the_create_form_runs_the_parsers_check_of_capacity_units() -> None:
    from bot.intents import check_value

    for bad in ("-3", "0", "101"):
        problem = check_value("db.create", "capacity_units", bad)
        assert problem is not None and "between 1 and 100" in problem
    assert check_value("db.create", "capacity_units", "4") is None


def test_unknown_status_names_the_known_ones_with_did_you_mean() -> None:
    with pytest.raises(UsageError) as exc:
        parse("db list --status BOGUS")
    assert "ACTIVE" in exc.value.user_message and "TERMINATED" in exc.value.user_message
    with pytest.raises(UsageError) as exc:
        parse("db list --status ACTIV")
    assert "ACTIVE" in exc.value.suggestions
    assert parse("db list --status active").opt("status") == "ACTIVE"
    assert parse("db list --status PARKED").opt("status") == "PARKED"


def test_command_named_finds_the_command_even_when_its_arguments_do_not_parse() -> None:
    from bot.intents import command_named

    assert command_named("db create") is SPECS["db.create"]
    assert command_named("/astra db resize orders many") is SPECS["db.resize"]
    assert command_named("audit --limit -5") is SPECS["audit"]
    for text in ("", "db craete", "dv list", 'db get "unclosed'):
        assert command_named(text) is None


@pytest.mark.parametrize(
    ("text", "message", "hint"),
    [
        ("db get orders!", "<db>: `orders!` is not a database name or id.", None),
        (
            "db create -x",
            "<name>: `-x` is not a valid database name.",
            "Use 1–50 letters, digits, `-` or `_`, starting and ending with a letter or digit.",
        ),
        (
            "keyspace create orders 1shop",
            "<keyspace>: `1shop` is not a valid keyspace name.",
            "Use up to 48 letters, digits or `_`, starting with a letter.",
        ),
        (
            "region add orders us_east1",
            "<region>: `us_east1` is not a region name (like `us-east1`).",
            None,
        ),
        (
            "perm protect 'dev/*'",
            "<glob>: `dev/*` is not a database-name pattern (like `dev-*`).",
            None,
        ),
        ("token revoke a/b", "<client_id>: `a/b` is not an id.", None),
    ],
)
def test_a_value_not_of_its_kind_says_what_it_is_not(
    text: str, message: str, hint: str | None
) -> None:
    with pytest.raises(UsageError) as exc:
        parse(text)
    assert exc.value.hint == hint
    assert str(exc.value) == (f"{message} {hint}" if hint else message)


def test_region_names_are_kept_in_lower_case() -> None:
    assert parse("region add orders US-East1").arg("region") == "us-east1"


def test_a_switch_is_not_read_as_a_number() -> None:
    c = parse("db create x --vector")
    assert c.switch("vector") is True and c.opt_num("vector") is None
    with pytest.raises(KeyError):
        c.num("vector")

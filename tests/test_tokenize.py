"""The command tokenizer: shell-like splitting with the semantics of ``shlex.split`` (POSIX
mode, no comments), in one linear pass; and the limit on a command's length."""

from __future__ import annotations

import shlex

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from bot.errors import UsageError
from bot.intents import MAX_TEXT_CHARS, parse, split_words, tokenize

# the characters that matter to the splitter, plus some that must not
ALPHABET = st.sampled_from(list(" \t\r\n\\'\"ab-=#\u00a0\u2003\x00é“”"))


def _shlex(text: str) -> list[str] | None:
    try:
        return shlex.split(text, posix=True)
    except ValueError:
        return None


def _ours(text: str) -> list[str] | None:
    try:
        return split_words(text)
    except ValueError:
        return None


@given(st.text(ALPHABET, max_size=40))
@settings(max_examples=1500, deadline=None)
@example('a"b c"d')
@example("\"\" '' x")
@example('"\\x\\"\\\\"')
@example("\\")
@example('"abc\\')
@example("a\\\nb")
def test_splitting_is_shlex_split(text: str) -> None:
    assert _ours(text) == _shlex(text)


@given(st.text(max_size=60))
@settings(max_examples=500, deadline=None)
def test_splitting_is_shlex_split_on_any_text(text: str) -> None:
    assert _ours(text) == _shlex(text)


def test_a_one_megabyte_token_tokenizes() -> None:
    word = "x" * 1_000_000
    assert tokenize(f"db create {word}") == ["db", "create", word]
    quoted = '"' + 'a b\\"' * 200_000 + '"'
    assert tokenize(quoted) == ['a b"' * 200_000]


def test_an_unclosed_quote_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="quote is not closed"):
        tokenize('db create "orders')


def test_a_command_longer_than_slack_sends_is_refused_before_it_is_read() -> None:
    parse("db list " + " " * (MAX_TEXT_CHARS - 8))  # at the limit: fine
    with pytest.raises(UsageError) as err:
        parse("db create " + "x" * MAX_TEXT_CHARS)
    assert "too long" in err.value.user_message
    assert f"{MAX_TEXT_CHARS:,}" in err.value.user_message

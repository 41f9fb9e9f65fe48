"""PURE: command text → words, like a shell, after undoing Slack's escaping and quotes."""

from __future__ import annotations

import html
import re

from bot.errors import UsageError

_SMART_QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "‘": "'", "’": "'"})


#: The longest command text accepted. Slack's documentation gives no separate limit for a
#: slash command's ``text`` (it is typed in the message composer); 4,000 characters is the
#: length Slack documents for a message's text (https://api.slack.com/methods/
#: chat.postMessage#truncating: "limit the number of characters in the text field to 4,000
#: characters"), and far above any command of the grammar (the longest real ones, a role
#: with every permission, are a few hundred characters).
MAX_TEXT_CHARS = 4000

# shlex's POSIX-mode characters (shlex.shlex(posix=True)): whitespace, quotes, escape
_WHITESPACE = " \t\r\n"
_PLAIN_RUN = re.compile(r"[^ \t\r\n\\'\"]+")
_DOUBLE_QUOTED_RUN = re.compile(r'[^"\\]+')


def split_words(text: str) -> list[str]:
    """``shlex.split(text)`` (POSIX mode, no comments) in one linear pass.

    shlex builds each token one character at a time by string concatenation on an
    attribute, which is quadratic in the token's length (a 1 MB word took seconds); here
    runs of ordinary characters are taken whole. Same results, same ValueError on an
    unclosed quote or a trailing backslash (tests/test_tokenize.py checks both against
    shlex on random input)."""
    words: list[str] = []
    word: list[str] = []
    started = False  # a word is open: even `""` is a word
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c in _WHITESPACE:
            if started:
                words.append("".join(word))
                word, started = [], False
            i += 1
            continue
        started = True
        if c == "\\":  # outside quotes: the next character, whatever it is
            if i + 1 >= n:
                raise ValueError("No escaped character")
            word.append(text[i + 1])
            i += 2
        elif c == "'":  # single quotes: everything up to the next one, verbatim
            end = text.find("'", i + 1)
            if end < 0:
                raise ValueError("No closing quotation")
            word.append(text[i + 1 : end])
            i = end + 1
        elif c == '"':
            i = _double_quoted(text, i + 1, word)
        else:
            run = _PLAIN_RUN.match(text, i)
            assert run is not None  # c is none of the characters above
            word.append(run.group())
            i = run.end()
    if started:
        words.append("".join(word))
    return words


def _double_quoted(text: str, i: int, word: list[str]) -> int:
    """Reads a double-quoted part from ``text[i:]`` (just after its opening quote) into
    ``word``; the index after its closing quote. A backslash escapes only `"` and itself."""
    n = len(text)
    while True:
        if i >= n:
            raise ValueError("No closing quotation")
        c = text[i]
        if c == '"':
            return i + 1
        if c == "\\":
            if i + 1 >= n:
                raise ValueError("No escaped character")
            nxt = text[i + 1]
            word.append(nxt if nxt in '"\\' else c + nxt)
            i += 2
            continue
        run = _DOUBLE_QUOTED_RUN.match(text, i)
        assert run is not None  # c is neither `"` nor a backslash
        word.append(run.group())
        i = run.end()


def tokenize(text: str) -> list[str]:
    """Split like a shell (quotes group words), after undoing Slack's escaping."""
    cleaned = text.translate(_SMART_QUOTES).replace("\u00a0", " ").strip()
    try:
        tokens = split_words(cleaned)
    except ValueError as exc:
        raise UsageError(
            "A quote is not closed.", hint="Close the quote, or drop it.", usage=None
        ) from exc
    # Slack sends `&`, `<` and `>` typed by the user as HTML entities; its own escapes
    # (<@U…>) arrive as real angle brackets and are left alone by unescape.
    return [html.unescape(t) for t in tokens]

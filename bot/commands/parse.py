"""PURE: command text → a typed command (:class:`~bot.commands.base.Command`) or UsageError.

Nothing here does I/O: database names are not resolved to ids here (that needs Astra),
only checked for shape. Every value is validated once, here, by :mod:`bot.commands.values`.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass, field

# The command modules register their classes as they are imported.
from bot.commands import chat, db, iam, org, perm  # noqa: F401
from bot.commands.base import REGISTRY, Command
from bot.commands.grammar import COMMANDS, NOUNS, SPECS
from bot.commands.spec import CLASSIC_START_MAX_UNITS, CommandSpec, Flag
from bot.commands.tokenize import MAX_TEXT_CHARS, tokenize
from bot.commands.values import Value, clip, convert
from bot.errors import UsageError


def _suggest(word: str, options: list[str]) -> list[str]:
    cutoff = 0.5 if len(word) <= 3 else 0.6  # `dv` → `db`
    return difflib.get_close_matches(word, options, n=3, cutoff=cutoff)


def _find_spec(tokens: list[str]) -> tuple[CommandSpec, list[str]]:
    noun = tokens[0].lower()
    if noun not in NOUNS:
        sugg = _suggest(noun, list(NOUNS))
        raise UsageError(
            f"`{clip(tokens[0])}` is not an /astra command.",
            suggestions=[f"/astra {s}" for s in sugg],
            hint="`/astra help` lists what you may run.",
        )
    candidates = [c for c in COMMANDS if c.noun == noun]
    rest = tokens[1:]
    # Longest verb first, so `perm role create` wins over a verb-less form.
    for spec in sorted(candidates, key=lambda c: -len(c.verb)):
        n = len(spec.verb)
        if n and [t.lower() for t in rest[:n]] == list(spec.verb):
            return spec, rest[n:]
    verbless = next((c for c in candidates if not c.verb), None)
    if verbless is not None:
        return verbless, rest
    raise _no_such_verb(noun, candidates, rest)


def _no_such_verb(noun: str, candidates: list[CommandSpec], rest: list[str]) -> UsageError:
    verbs = sorted({" ".join(c.verb) for c in candidates})
    if not rest or rest[0].startswith("--"):
        return UsageError(
            f"`/astra {noun}` needs a verb: {', '.join(verbs)}.",
            suggestions=[f"/astra {noun} {v}" for v in verbs],
        )
    typed = " ".join(rest[:2]).lower() if any(" " in v for v in verbs) else rest[0].lower()
    sugg = _suggest(rest[0].lower(), verbs) or _suggest(typed, verbs)
    return UsageError(
        f"`{clip(rest[0])}` is not a verb of `/astra {noun}` (try {', '.join(verbs)}).",
        suggestions=[f"/astra {noun} {s}" for s in sugg],
    )


def _words(text: str) -> list[str]:
    """The tokens of a command, without a leading `/astra`."""
    tokens = tokenize(text)
    if tokens and tokens[0].lower() in {"/astra", "astra"}:
        tokens = tokens[1:]
    return tokens


def command_named(text: str) -> CommandSpec | None:
    """The command a text names by its noun and verb, even when its arguments do not
    parse (None when it names none): whether the caller may run it is decided before a
    usage message or a form is shown to them."""
    try:
        tokens = _words(text)
        return _find_spec(tokens)[0] if tokens else None
    except UsageError:
        return None


def _check_text(text: str) -> None:
    if len(text) > MAX_TEXT_CHARS:
        raise UsageError(
            f"That command is too long: {len(text):,} characters, and a command may have "
            f"at most {MAX_TEXT_CHARS:,}.",
            hint="Shorten it; nothing was run.",
        )
    if "\x00" in text:
        # Slack never sends a NUL byte, and PostgreSQL cannot store one in text: refused
        # here, before anything is decided or sent (the refusal itself is audited).
        raise UsageError(
            "The command contains a NUL character (\\0), which Slack never sends; nothing was run.",
            hint="Type the command again without it.",
        )


def parse(text: str) -> Command:
    """Parse the text after `/astra`. Raises UsageError with a usage line and suggestions."""
    _check_text(text)
    tokens = _words(text)
    if not tokens:
        return REGISTRY["help"].build({"topic": None})
    spec, rest = _find_spec(tokens)
    raw_at = next((i for i, p in enumerate(spec.params) if p.raw), None)
    if raw_at is not None and len(rest) > raw_at:
        args = _raw_tail(spec, rest, raw_at)
    else:
        read = _Reader(spec)
        positionals = read.options(rest)
        args = read.args
        _positionals(spec, positionals, args)
        _check_together(spec, args)
    return REGISTRY[spec.permission].build(args)


def _raw_tail(spec: CommandSpec, rest: list[str], raw_at: int) -> dict[str, Value]:
    """`perm check @ana db create x --region r`: the tail is another command, verbatim."""
    args: dict[str, Value] = {}
    for p, tok in zip(spec.params[:raw_at], rest[:raw_at], strict=True):
        args[p.name] = convert(spec, f"<{p.name}>", p.kind, tok, p)
    args[spec.params[raw_at].name] = tuple(rest[raw_at:])
    return args


@dataclass
class _Reader:
    """Reads a command's options out of its tokens, leaving the positionals."""

    spec: CommandSpec
    args: dict[str, Value] = field(default_factory=dict)
    many: dict[str, list[str]] = field(default_factory=dict)

    def options(self, rest: list[str]) -> list[str]:
        positionals: list[str] = []
        i = 0
        while i < len(rest):
            tok = rest[i]
            i += 1
            if tok.startswith("--") and len(tok) > 2:
                i = self._option(tok, rest, i)
            else:
                positionals.append(tok)
        self._convert_many()
        return positionals

    def _flag(self, name: str) -> Flag:
        flags = {f.name: f for f in self.spec.flags}
        if name not in flags:
            sugg = _suggest(name, list(flags))
            known = ", ".join(f"--{f.name}" for f in flags.values() if not f.hidden) or "none"
            raise UsageError(
                f"`--{clip(name)}` is not an option of `/astra {self.spec.name}` "
                f"(options: {known}).",
                usage=self.spec.usage,
                suggestions=[f"--{s}" for s in sugg],
            )
        return flags[name]

    def _option(self, tok: str, rest: list[str], i: int) -> int:
        """Reads the option ``tok`` (and its values from ``rest[i:]``); the next index."""
        name, eq, inline = tok[2:].partition("=")
        name = name.lower()
        flag = self._flag(name)
        usage = self.spec.usage
        if flag.kind == "switch":
            if eq:
                raise UsageError(f"`--{name}` takes no value.", usage=usage)
            if flag.target in self.args:
                # given twice is refused as for options with values: `--force --force`
                # reads like a stutter, and `--enable --disable` contradicts itself
                again = self.args[flag.target] is flag.value
                said = "is given twice" if again else "contradicts an earlier option"
                raise UsageError(f"`--{name}` {said}.", usage=usage)
            self.args[flag.target] = flag.value
            return i
        values: list[str] = []
        if eq:
            values.append(inline)
        elif i < len(rest) and not rest[i].startswith("--"):
            values.append(rest[i])
            i += 1
        else:
            raise UsageError(f"`--{name}` needs a value.", usage=usage)
        if flag.many:
            while i < len(rest) and not rest[i].startswith("--"):
                values.append(rest[i])
                i += 1
            self.many.setdefault(flag.target, []).extend(values)
            return i
        if flag.target in self.args:
            raise UsageError(f"`--{name}` is given twice.", usage=usage)
        self.args[flag.target] = convert(self.spec, f"--{name}", flag.kind, values[0], flag)
        return i

    def _convert_many(self) -> None:
        for target, values in self.many.items():
            flag = next(f for f in self.spec.flags if f.target == target)
            what = f"--{flag.name}"
            converted = tuple(convert(self.spec, what, flag.kind, v, flag) for v in values)
            self.args[target] = tuple(str(c) for c in converted)


def _positionals(spec: CommandSpec, positionals: list[str], args: dict[str, Value]) -> None:
    """Assigns the positional tokens to the command's parameters, in order."""
    for p in spec.params:
        if p.rest:
            if not positionals and not p.optional:
                raise UsageError(f"`/astra {spec.name}` needs <{p.name}>.", usage=spec.usage)
            conv = [convert(spec, f"<{p.name}>", p.kind, v, p) for v in positionals]
            args[p.name] = tuple(c for c in conv if isinstance(c, str))
            positionals = []
            continue
        if not positionals:
            if p.optional:
                args[p.name] = None
                continue
            raise UsageError(
                f"`/astra {spec.name}` needs <{p.name}>" + (f" ({p.help})." if p.help else "."),
                usage=spec.usage,
            )
        args[p.name] = convert(spec, f"<{p.name}>", p.kind, positionals.pop(0), p)
    if positionals:
        extra = " ".join(clip(x) for x in positionals)
        raise UsageError(f"Unexpected `{extra}` after the command.", usage=spec.usage)


def _check_together(spec: CommandSpec, args: Mapping[str, Value]) -> None:
    """Rules between two values of one command."""
    if spec.permission == "db.create":
        tier, units = args.get("tier"), args.get("capacity_units")
        if (
            isinstance(tier, str)
            and tier[:1] in {"C", "D"}
            and isinstance(units, int)
            and units > CLASSIC_START_MAX_UNITS
        ):
            raise UsageError(
                f"--capacity-units: a {tier} database starts with at most "
                f"{CLASSIC_START_MAX_UNITS} capacity units, not {units}.",
                usage=spec.usage,
                hint="Create it smaller, then `/astra db resize` it (3 units more at a time).",
            )


def check_value(permission: str, name: str, raw: str) -> str | None:
    """Why ``raw`` is not a valid value of a command's parameter or option (None if it is).
    Used to show errors on the fields of a form before the command is built."""
    spec = SPECS[permission]
    param = next((p for p in spec.params if p.name == name), None)
    flag = next((f for f in spec.flags if f.target == name), None)
    kind = param.kind if param else (flag.kind if flag else "text")
    try:
        convert(spec, name, kind, raw, param or flag)
    except UsageError as err:
        msg = err.user_message.partition(": ")[2] or err.user_message
        return f"{msg} {err.hint}" if err.hint else msg
    return None


def specs_for_topic(topic: str | None) -> list[CommandSpec]:
    """The commands a help topic names (a noun), or all."""
    if not topic:
        return list(COMMANDS)
    topic = topic.lower()
    found = [c for c in COMMANDS if c.noun == topic]
    if not found:
        sugg = _suggest(topic, list(NOUNS))
        raise UsageError(
            f"There is no help topic `{clip(topic)}`.",
            suggestions=[f"/astra help {s}" for s in sugg],
            hint=f"Topics: {', '.join(NOUNS)}.",
        )
    return found

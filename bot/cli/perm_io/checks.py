"""One value of a permissions file checked: a glob, a permission, a subject, a role."""

from __future__ import annotations

import difflib
import shlex
from collections.abc import Iterable

from bot.errors import UsageError
from bot.intents import SPECS, Subject, parse, parse_subject
from bot.policy import BUILTIN_ROLES, permits

# ---------------------------------------------------------------------------- checks


def glob_problem(glob: str) -> str | None:
    """Why ``glob`` is not a database-name pattern (the grammar's rule), or None."""
    try:
        parse(f"perm protect {shlex.quote(glob)}")
    except UsageError as err:
        return err.user_message.removeprefix("<glob>: ")
    return None


def permission_problem(pattern: str) -> str | None:
    """Why ``pattern`` names no command permission (``db.create``, ``keyspace.*``), or None."""
    if not pattern or any(c.isspace() for c in pattern):
        return f"`{pattern}` is not a permission (no spaces: `db.create`, `keyspace.*`)."
    if any(permits([pattern], p) for p in SPECS):
        return None
    near = difflib.get_close_matches(pattern, list(SPECS), n=3, cutoff=0.5)
    hint = f" Did you mean {' or '.join(f'`{n}`' for n in near)}?" if near else ""
    return f"`{pattern}` names no command permission.{hint}"


def subject_problem(raw: str, *, channel_only: bool = False) -> tuple[Subject | None, str | None]:
    subj = parse_subject(raw)
    if subj is None:
        what = (
            "a Slack channel ID (C…)"
            if channel_only
            else ("a Slack ID: user U…, usergroup S… or channel C… (or its <@…> escape)")
        )
        return None, f"`{raw}` is not {what}; display names are not allowed."
    if channel_only and subj.type != "channel":
        return None, f"`{raw}` is a {subj.type}, not a channel."
    if len(subj.id) > 32:
        return None, f"`{raw}` is too long for a Slack ID."
    return subj, None


def check_role(role: str, custom: Iterable[str]) -> str | None:
    known = [*BUILTIN_ROLES, *custom]
    if role in known:
        return None
    near = difflib.get_close_matches(role, known, n=2, cutoff=0.5)
    hint = f" Did you mean {' or '.join(f'`{n}`' for n in near)}?" if near else ""
    return f"there is no role `{role}` (roles: {', '.join(known)}).{hint}"

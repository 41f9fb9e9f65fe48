"""PURE: the organization's Astra roles, users and application tokens, as messages."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from bot.astra.models import CreatedToken, Role, Token, User
from bot.render.core import Message, count, day, plain, shorten
from bot.render.lists import bullet_list, secret_once
from bot.render.mrkdwn import Mrkdwn, join, md, user

_NONE = "—"


def role_names(ids: Iterable[str], roles: Mapping[str, Role]) -> str:
    """Role ids by their names where known (a role without a name, or unknown, by its id)."""
    names = [roles[i].name if i in roles and roles[i].name else f"`{i}`" for i in ids]
    return ", ".join(names) or "no role"


def names_of(roles: Iterable[Role]) -> str:
    """``Admin, Reader``: roles by name (by id where they have none)."""
    return ", ".join(r.name or r.id for r in roles)


# ---------------------------------------------------------------------------- roles


def _asked(done: Mrkdwn, by: str) -> Message:
    """What was done, at whose request (a confirmed command: the clicker is not the asker)."""
    return plain(md("{} (asked by {}).", done, user(by)))


def role_list(roles: Sequence[Role]) -> tuple[str, Message]:
    """The roles by name: the audit line (how many), and the list."""
    lines = [
        md("*{}* `{}` · {}", r.name or _NONE, r.id, count(len(r.policy.actions), "permission"))
        + (
            md(" — {}", shorten(r.policy.description, 80))
            if r.policy.description and r.policy.description != r.name
            else ""
        )
        for r in sorted(roles, key=lambda r: r.name.lower())
    ]
    return count(len(roles), "role"), bullet_list(f"Astra roles ({len(roles)})", lines)


def role_scope(db_ids: Sequence[str], db_names: Mapping[str, str]) -> Mrkdwn:
    """What a role's databases say: none (the organization only), every one, or some."""
    if not db_ids:
        return md("the organization only")
    if "*" in db_ids:
        return md("all databases")
    return join(
        ", ",
        (md("*{}* (`{}`)", db_names[d], d) if d in db_names else md("`{}`", d) for d in db_ids),
    )


def role_detail(role: Role, scope: Mrkdwn) -> Message:
    actions = sorted(role.policy.actions)
    lines = [
        md("Id: `{}`", role.id),
        md("Description: {}", shorten(role.policy.description, 300) or _NONE),
        md("Effect: {}", role.policy.effect),
        md("Scope: {}", scope),
        md("Permissions ({}): ", len(actions))
        + (join(", ", (md("`{}`", a) for a in actions)) or "none"),
    ]
    if role.last_update_datetime:
        lines.append(md("Last updated: {}", role.last_update_datetime))
    return bullet_list(f"Astra role {role.name or role.id}", lines)


def role_created(
    by: str, name: str, role_id: str, actions: Sequence[str], dbs: Sequence[str]
) -> Message:
    scope = join(", ", (md("*{}*", d) for d in dbs)) if dbs else md("all databases")
    return plain(
        md(
            ":lock: {} created the Astra role *{}* (`{}`): {} on {}.",
            user(by),
            name,
            role_id,
            join(", ", (md("`{}`", a) for a in actions)),
            scope,
        )
    )


def role_deleted(by: str, role: Role) -> Message:
    done = md(":wastebasket: Deleted the Astra role *{}* (`{}`)", role.name or role.id, role.id)
    return _asked(done, by)


# ---------------------------------------------------------------------------- users


def user_list(users: Sequence[User]) -> tuple[str, Message]:
    """The users by email: the audit line (how many), and the list."""
    lines = [
        md(
            "{} `{}` {} · {}",
            u.email or _NONE,
            u.user_id,
            u.status or "?",
            join(", ", (r.name or md("`{}`", r.id) for r in u.roles)) or "no role",
        )
        for u in sorted(users, key=lambda u: u.email.lower())
    ]
    title = f"Users of the organization ({len(users)})"
    return count(len(users), "user"), bullet_list(title, lines)


def user_invited(by: str, email: str, roles: Sequence[Role]) -> Message:
    return plain(
        md(
            ":key: {} invited {} to the Astra organization as {}.",
            user(by),
            email,
            names_of(roles),
        )
    )


def user_removed(by: str, member: User) -> Message:
    who = member.email or member.user_id
    return _asked(
        md(":wastebasket: Removed {} (`{}`) from the Astra organization", who, member.user_id), by
    )


def user_roles_set(by: str, member: User, roles: Sequence[Role]) -> Message:
    return plain(
        md(
            ":key: {} set the Astra roles of {}: {} → {}.",
            user(by),
            member.email or member.user_id,
            names_of(member.roles) or "no role",
            names_of(roles),
        )
    )


# ---------------------------------------------------------------------------- tokens


def token_list(tokens: Sequence[Token], roles: Mapping[str, Role], own: str | None) -> Message:
    """The tokens, oldest first; ``roles`` by id (empty when they may not be read), ``own``
    the client id of the bot's own token."""
    lines = []
    for t in sorted(tokens, key=lambda t: (t.generated_on or "", t.client_id)):
        desc = md(" — “{}”", shorten(t.description, 80)) if t.description else ""
        expires = day(t.token_expiry)
        expiry = md(" · expires {}", expires) if expires != _NONE else ""
        mine = md(" · *this bot's token*") if own and t.client_id == own else ""
        lines.append(
            md(
                "`{}` {}{} · generated {}{}{}",
                t.client_id,
                role_names(t.roles, roles),
                desc,
                day(t.generated_on),
                expiry,
                mine,
            )
        )
    return bullet_list(f"Application tokens ({len(tokens)})", lines)


def token_secret(created: CreatedToken, roles: Sequence[Role]) -> Message:
    """The new token's secret, shown once, only to its requester."""
    lines = [
        md("*Client ID*: `{}`", created.client_id),
        md("*Client secret*: `{}`", created.secret.get_secret_value()),
    ]
    if created.token is not None:
        lines.append(md("*Token*: `{}`", created.token.get_secret_value()))
    lines.append(md("*Roles*: {}", names_of(roles)))
    if created.token_expiry:
        lines.append(md("*Expires*: {}", created.token_expiry))
    return secret_once(
        "New Astra application token — shown once, only to you",
        lines,
        "Copy it now into a secret store: the bot does not keep it and cannot show it "
        "again. If it is lost or leaked, `/astra token revoke "
        f"{created.client_id}` and create another.",
    )


def token_created(
    by: str, client_id: str, roles: Sequence[Role], description: str | None
) -> Message:
    return plain(
        md(
            ":key: {} created an Astra application token `{}` ({}){}. The secret was shown "
            "only to them.",
            user(by),
            client_id,
            names_of(roles),
            " — " + shorten(description, 80) if description else "",
        )
    )


def token_revoked(by: str, client_id: str) -> Message:
    return _asked(md(":key: Revoked the Astra token `{}`", client_id), by)

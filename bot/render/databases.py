"""PURE: databases as messages: a page of the list, the detail, a status, run buttons."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from slack_sdk.models.blocks import ActionsBlock, Block, ButtonElement, HeaderBlock, SectionBlock

from bot.render.core import (
    ACTION_PAGE,
    ACTION_RUN,
    MAX_FIELD,
    Message,
    _context,
    _mrkdwn,
    _msg,
    button_id,
    count,
    emoji,
    plain,
    shorten,
)
from bot.render.mrkdwn import Mrkdwn, clip, escape, join, md


@dataclass(frozen=True)
class DbView:
    """What the renderer needs of a database (built from the Astra model by the service)."""

    id: str
    name: str
    status: str
    cloud: str = ""
    region: str = ""
    tier: str = ""
    keyspaces: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    endpoint: str | None = None
    created: str | None = None
    capacity_units: int | None = None
    db_type: str | None = None
    message: str | None = None


def _db_line(db: DbView) -> Mrkdwn:
    where = f"{db.cloud.lower()}/{db.region}" if db.region else db.cloud.lower()
    ks = md(" · keyspaces: {}", ", ".join(db.keyspaces)) if db.keyspaces else ""
    return md("{} *{}* `{}` {} · {}{}", emoji(db.status), db.name, db.id, db.status, where, ks)


PAGE_SIZE = 20


def page_count(n: int) -> int:
    """How many pages ``n`` databases fill (at least one)."""
    return max(1, -(-n // PAGE_SIZE))


def db_list(
    dbs: Sequence[DbView], *, filters: str = "", page: int = 1, command: str = "db list"
) -> Message:
    """One page of databases, with Previous / Next buttons when there are more."""
    if not dbs:
        text = (
            md("No databases match {}.", filters)
            if filters
            else md("No databases in this organization.")
        )
        return plain(text)
    pages = page_count(len(dbs))
    page = min(max(1, page), pages)
    shown = list(dbs)[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    header = escape(count(len(dbs), "database")) + (md(" ({})", filters) if filters else "")
    if pages > 1:
        header += md(" · page {} of {}", page, pages)
    blocks: list[Block] = [SectionBlock(text=_mrkdwn(md("*{}*", header)))]
    chunk: list[Mrkdwn] = []
    size = 0
    for db in shown:
        line = clip(_db_line(db), 600)
        if size + len(line) + 1 > 2800:
            blocks.append(SectionBlock(text=_mrkdwn(join("\n", chunk))))
            chunk, size = [], 0
        chunk.append(line)
        size += len(line) + 1
    if chunk:
        blocks.append(SectionBlock(text=_mrkdwn(join("\n", chunk))))
    if pages > 1:
        buttons = []
        if page > 1:
            buttons.append(
                ButtonElement(
                    text="◀ Previous",
                    action_id=button_id(ACTION_PAGE, "prev"),
                    value=f"{command} --page {page - 1}",
                )
            )
        if page < pages:
            buttons.append(
                ButtonElement(
                    text="Next ▶",
                    action_id=button_id(ACTION_PAGE, "next"),
                    value=f"{command} --page {page + 1}",
                )
            )
        blocks.append(ActionsBlock(block_id="pages", elements=buttons))
        blocks.append(_context(md("Narrow with `--name 'glob'`, `--status` or `--cloud`.")))
    return _msg(header + md("\n") + join("\n", (_db_line(d) for d in shown)), blocks)


def run_buttons(actions: Sequence[tuple[str, str, bool]]) -> ActionsBlock | None:
    """Buttons that run a command as the person who clicks: (label, command, danger)."""
    if not actions:
        return None
    return ActionsBlock(
        block_id="next",
        elements=[
            ButtonElement(
                text=label,
                action_id=button_id(ACTION_RUN, n),
                value=command,
                style="danger" if danger else None,
            )
            for n, (label, command, danger) in enumerate(actions[:5])
        ],
    )


def db_detail(db: DbView, actions: Sequence[tuple[str, str, bool]] = ()) -> Message:
    fields = [
        md("*Status*\n{} {}", emoji(db.status), db.status),
        md("*Id*\n`{}`", db.id),
        md("*Cloud / region*\n{} / {}", db.cloud.lower(), db.region),
        md("*Tier*\n{}", db.tier or "—")
        + (md(" · {} CU", db.capacity_units) if db.capacity_units else ""),
        md("*Keyspaces*\n{}", ", ".join(db.keyspaces) or "—"),
        md("*Regions*\n{}", ", ".join(db.regions) or db.region),
    ]
    if db.db_type:
        fields.append(md("*Type*\n{}", db.db_type))
    if db.created:
        fields.append(md("*Created*\n{}", db.created))
    blocks: list[Block] = [
        HeaderBlock(text=shorten(db.name, 150)),
        SectionBlock(fields=[_mrkdwn(clip(f, MAX_FIELD)) for f in fields[:10]]),
    ]
    if db.endpoint:
        blocks.append(SectionBlock(text=_mrkdwn(md("*Data API endpoint*\n{}", db.endpoint))))
    if db.message:
        blocks.append(_context(escape(db.message)))
    buttons = run_buttons(actions)
    if buttons is not None:
        blocks.append(buttons)
    return _msg(md("{} ({}) is {}", db.name, db.id, db.status), blocks)


def db_status(db: DbView) -> Message:
    return plain(md("{} *{}* `{}` is {}.", emoji(db.status), db.name, db.id, db.status))


def list_filters(status: str, cloud: str | None, glob: str | None) -> str:
    """What a `db list` was narrowed to, as its title says it."""
    parts = (status and f"status {status}", cloud and f"cloud {cloud}", glob and f"name `{glob}`")
    return ", ".join(f for f in parts if f)


def no_such_page(page: int, pages: int) -> str:
    return (
        f"`--page {page}`: there {'is 1 page' if pages == 1 else f'are {pages} pages'}"
        f" of databases (1–{pages})."
    )


def db_actions(db_id: str, status: str, *, classic: bool) -> list[tuple[str, str, bool]]:
    """The buttons a database in ``status`` may show (label, command, destructive), before
    the policy keeps those the viewer may run."""
    wanted: list[tuple[str, str, bool]] = [("Watch", f"watch {db_id}", False)]
    if status == "ACTIVE":
        wanted.append(("Download bundle", f"scb {db_id}", False))
    wanted.append(("Keyspaces", f"keyspace list {db_id}", False))
    if classic and status == "ACTIVE":
        wanted.append(("Park", f"db park {db_id}", False))
    if classic and status == "PARKED":
        wanted.append(("Unpark", f"db unpark {db_id}", False))
    if status not in {"TERMINATING", "TERMINATED"}:
        wanted.append(("Delete", f"db delete {db_id}", True))
    return wanted

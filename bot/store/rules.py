"""The permission tables: role bindings, custom roles, channel guards, protected globs,
and the version the triggers of migration 0002 bump on every write to them."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, select, text, update

from bot.policy import Binding, Rules
from bot.store.group import TableGroup, rowcount
from bot.store.models import ChannelGuard, CustomRole, ProtectedGlob, RoleBinding, RulesVersion

RuleRows = tuple[
    Sequence[RoleBinding], Sequence[ChannelGuard], Sequence[CustomRole], Sequence[ProtectedGlob]
]


class RuleRepo(TableGroup):
    """The four permission tables, in one transaction."""

    async def version(self) -> int | None:
        """The rules version; None on a store not migrated to 0002."""
        return await self.s.scalar(select(RulesVersion.version).where(RulesVersion.id == 1))

    async def rows(self) -> RuleRows:
        """The four tables in this transaction's snapshot: bindings (in the order they were
        made), channel guards, custom roles, protected globs."""
        return (
            (await self.s.scalars(select(RoleBinding).order_by(RoleBinding.id))).all(),
            (await self.s.scalars(select(ChannelGuard))).all(),
            (await self.s.scalars(select(CustomRole))).all(),
            (await self.s.scalars(select(ProtectedGlob))).all(),
        )

    async def snapshot(self) -> None:
        """Make the reads that follow one consistent snapshot (call first)."""
        if self.tx.dialect == "postgresql":
            await self.s.connection(execution_options={"isolation_level": "REPEATABLE READ"})
        else:
            await self._sqlite_begin()

    async def lock(self) -> None:
        """Make concurrent writers of the four tables wait until this transaction ends (call
        first): the tables are locked on PostgreSQL, SQLite's write lock is taken."""
        if self.tx.dialect == "postgresql":
            await self.s.execute(
                text(
                    "LOCK TABLE role_bindings, channel_guards, protected_globs, "
                    "custom_roles IN EXCLUSIVE MODE"
                )
            )
        else:
            await self._sqlite_begin()

    async def _sqlite_begin(self) -> None:
        """Open SQLite's transaction now, with its write lock: the driver would not begin
        one for SELECTs, so several reads would not see one snapshot, and a writer could slip
        in between reads and writes. A write that matches no row does it."""
        await self.s.execute(
            update(CustomRole)
            .where(CustomRole.name.is_(None))
            .values(permissions=CustomRole.permissions)
        )

    # ---------------------------------------------------------------- bindings

    async def grant(
        self,
        subject_type: str,
        subject_id: str,
        role: str,
        db_glob: str | None,
        by: str,
        org: str | None = None,
    ) -> bool:
        """Add a binding (``org``: the org it holds in, None: every org); False when it
        already existed. An unscoped one does not name the column (NULL is its default), so
        a store taken back below migration 0004 still takes unscoped grants."""
        scope = {"org": org} if org is not None else {}
        return await self.tx.add_new(
            RoleBinding,
            subject_type=subject_type,
            subject_id=subject_id,
            role=role,
            db_glob=db_glob or "",
            **scope,
            created_by=by,
            created_at=self.tx.clock(),
        )

    async def revoke(
        self,
        subject_type: str,
        subject_id: str,
        role: str,
        db_glob: str | None,
        org: str | None = None,
    ) -> int:
        """Remove bindings of that org scope (``org`` None: the unscoped ones, never a
        scoped one by surprise); with no glob, every glob of that role for the subject."""
        q = delete(RoleBinding).where(
            RoleBinding.subject_type == subject_type,
            RoleBinding.subject_id == subject_id,
            RoleBinding.role == role,
            RoleBinding.org.is_(None) if org is None else RoleBinding.org == org,
        )
        if db_glob is not None:
            q = q.where(RoleBinding.db_glob == db_glob)
        res = await self.s.execute(q)
        return rowcount(res)

    # ---------------------------------------------------------------- guards

    async def set_guard(self, channel_id: str, role: str, by: str) -> None:
        row = await self.s.get(ChannelGuard, channel_id)
        if row is None:
            self.s.add(
                ChannelGuard(
                    channel_id=channel_id, role=role, created_by=by, created_at=self.tx.clock()
                )
            )
        else:
            row.role, row.created_by, row.created_at = role, by, self.tx.clock()
        await self.s.flush()

    async def remove_guard(self, channel_id: str) -> bool:
        res = await self.s.execute(
            delete(ChannelGuard).where(ChannelGuard.channel_id == channel_id)
        )
        return bool(res.rowcount)  # type: ignore[attr-defined]

    # ---------------------------------------------------------------- protected globs

    async def protect(self, glob: str, by: str) -> bool:
        return await self.tx.add_new(
            ProtectedGlob, glob=glob, created_by=by, created_at=self.tx.clock()
        )

    async def unprotect(self, glob: str) -> bool:
        res = await self.s.execute(delete(ProtectedGlob).where(ProtectedGlob.glob == glob))
        return bool(res.rowcount)  # type: ignore[attr-defined]

    # ---------------------------------------------------------------- custom roles

    async def create_role(self, name: str, permissions: Sequence[str], by: str) -> None:
        """Define a custom role, or redefine it."""
        row = await self.s.get(CustomRole, name)
        perms = " ".join(permissions)
        if row is None:
            self.s.add(
                CustomRole(name=name, permissions=perms, created_by=by, created_at=self.tx.clock())
            )
        else:
            row.permissions, row.created_by, row.created_at = perms, by, self.tx.clock()
        await self.s.flush()

    async def delete_role(self, name: str) -> bool:
        res = await self.s.execute(delete(CustomRole).where(CustomRole.name == name))
        return bool(res.rowcount)  # type: ignore[attr-defined]


class RulesCache:
    """The rules one process last read, kept while the store's rules version stays."""

    def __init__(self) -> None:
        self._cached: tuple[int, Rules] | None = None

    async def read(
        self, repo: RuleRepo, admins: frozenset[str], default_guard: str | None
    ) -> Rules:
        """The permission rules as they are now. Read again only when the store's rules
        version moved (triggers bump it on every write, from any process): one small SELECT
        when nothing changed. The version is read first, so rules read after a concurrent
        write are kept under the older version and read again next time, never the
        reverse."""
        version = await repo.version()
        cached = self._cached
        if (
            version is not None
            and cached is not None
            and cached[0] == version
            and cached[1].admins == admins
            and cached[1].default_guard == default_guard
        ):
            return cached[1]
        bindings, guards, roles, prot = await repo.rows()
        rules = Rules(
            bindings=tuple(
                Binding(b.subject_type, b.subject_id, b.role, b.db_glob or None, b.org)  # type: ignore[arg-type]
                for b in bindings
            ),
            guards={g.channel_id: g.role for g in guards},
            custom_roles={r.name: frozenset(r.permissions.split()) for r in roles},
            protected=tuple(p.glob for p in prot),
            admins=admins,
            default_guard=default_guard,
        )
        # no version row (a store not migrated to 0002): never cached
        self._cached = (version, rules) if version is not None else None
        return rules

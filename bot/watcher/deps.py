"""What every part of the watcher is given: the store, the orgs, the notifier, the clock."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.astra.orgs import Orgs
from bot.ports import Notifier
from bot.store.repo import Store

if TYPE_CHECKING:
    from bot.metrics import Metrics


@dataclass(frozen=True)
class WatcherDeps:
    """One watcher's dependencies, built once by :class:`bot.watcher.tick.Watcher`."""

    store: Store
    #: the configured Astra orgs, each with its own client (bot/astra/orgs.py)
    orgs: Orgs
    #: every notice and progress update goes through it redacted (bot/redact.py)
    notifier: Notifier
    clock: Callable[[], float]
    #: this watcher's lease owner in the store (replicas share the work by leases)
    owner: str
    #: ASTRA_BOT_POLL_INTERVAL, or the composition root's override
    interval: float
    metrics: Metrics | None = None

    def org_label(self, org_id: str) -> str | None:
        """The name messages give the org ``org_id`` (bot/render/orgs.py): its name when the
        bot serves several orgs, None with one (its messages are unchanged)."""
        org = self.orgs.by_id(org_id) if self.orgs.several else None
        return org.name if org is not None else None

"""What every part of the watcher is given: the store, Astra, the notifier, the clock."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.astra.client import AstraClient
from bot.ports import Notifier
from bot.store.repo import Store

if TYPE_CHECKING:
    from bot.metrics import Metrics


@dataclass(frozen=True)
class WatcherDeps:
    """One watcher's dependencies, built once by :class:`bot.watcher.tick.Watcher`."""

    store: Store
    astra: AstraClient
    #: every notice and progress update goes through it redacted (bot/redact.py)
    notifier: Notifier
    clock: Callable[[], float]
    #: this watcher's lease owner in the store (replicas share the work by leases)
    owner: str
    #: ASTRA_BOT_POLL_INTERVAL, or the composition root's override
    interval: float
    metrics: Metrics | None = None

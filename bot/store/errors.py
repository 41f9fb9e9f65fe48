"""The one translation of the store's failures (SQLAlchemy, the drivers, the network) into
:class:`~bot.errors.StoreError`, as httpx errors are translated once in the Astra client.

:func:`translated` wraps every public coroutine of a class (the :class:`~bot.store.repo.Store`)
so that no driver exception — an asyncpg ``CharacterNotInRepertoireError``, a lost connection —
leaves bot/store/ untranslated; :func:`store_error` is the translation itself, which
``Store.transaction()`` applies to the transactions opened at the edge. The user's message
names the failure's kind only: a driver's text can quote the SQL parameters. The driver's own
words are logged once.
"""

from __future__ import annotations

import functools
import inspect
import logging
from collections.abc import Awaitable, Callable
from typing import ParamSpec, TypeVar

from sqlalchemy.exc import SQLAlchemyError

from bot.errors import StoreError

log = logging.getLogger("astra_bot.store")

#: What a store call can fail with: SQLAlchemy's tree (driver errors are wrapped in it) and
#: OSError (a refused or dropped connection surfaces as one before SQLAlchemy wraps it).
FAILURES: tuple[type[BaseException], ...] = (SQLAlchemyError, OSError)

P = ParamSpec("P")
R = TypeVar("R")
C = TypeVar("C", bound=type)


def store_error(exc: BaseException, doing: str, *, hint: str | None = None) -> StoreError:
    """The StoreError for ``exc``, raised while the store was ``doing`` something."""
    orig = getattr(exc, "orig", None) or exc
    driver = str(orig).strip().splitlines()[0][:200] if str(orig).strip() else ""
    log.warning("store failed while %s: %s: %s", doing, type(orig).__name__, driver)
    return StoreError(
        f"The bot's store (its own database) failed while {doing} ({type(exc).__name__}).",
        hint=hint
        or "Try again in a moment; if it keeps failing, an admin should run `astra-bot doctor`.",
    )


def translated(fn: Callable[P, Awaitable[R]]) -> Callable[P, Awaitable[R]]:
    """``fn`` with its store failures raised as StoreError (``raise … from exc``)."""
    doing = fn.__name__.strip("_").replace("_", " ")

    @functools.wraps(fn)
    async def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return await fn(*args, **kwargs)
        except FAILURES as exc:
            raise store_error(exc, f"running `{doing}`") from exc

    return wrapper


def translate_errors(cls: C) -> C:
    """Class decorator: every public coroutine method of ``cls`` is :func:`translated`."""
    for name, member in list(vars(cls).items()):
        if not name.startswith("_") and inspect.iscoroutinefunction(member):
            setattr(cls, name, translated(member))
    return cls

"""PURE: how a message names the organization a database is in, when the bot serves several."""

from __future__ import annotations


def in_org(name: str, org: str | None) -> str:
    """``orders (prod)``: ``org`` is given only when the bot serves several orgs (DESIGN §2:
    every message naming a database names its org then); with one org, ``orders`` as before.
    The result is foreign text like ``name`` (escaped where it is shown)."""
    return f"{name} ({org})" if org else name

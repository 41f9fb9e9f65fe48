"""Alembic migrations of the bot's store (see bot/store/db.py)."""

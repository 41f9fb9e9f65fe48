"""`astra-bot audit export` and `astra-bot doctor` as commands: arguments in, report out."""

from __future__ import annotations

import argparse
import asyncio
import sys

from bot.bootstrap import open_store
from bot.cli import doctor
from bot.cli.audit_export import export_jsonl, parse_since
from bot.logs import setup_logging
from bot.settings import Settings


async def audit(settings: Settings, args: argparse.Namespace) -> int:
    """Audit rows as JSON lines on stdout, oldest first."""
    since = parse_since(args.since) if args.since else None
    engine, store = await open_store(settings)
    try:
        await export_jsonl(store, sys.stdout, since=since, limit=args.limit, after_id=args.after_id)
    finally:
        await engine.dispose()
    return 0


def run_doctor(*, as_json: bool) -> int:
    """Settings are read by the doctor itself: a value pydantic refuses is one of its
    findings, not a reason to stop."""
    settings, problems = doctor.load_settings()
    secrets = settings.secret_values()
    setup_logging("text", quiet=True, secrets=secrets)  # stdout is the report's
    report = asyncio.run(doctor.diagnose(settings, problems))
    out = doctor.format_json(report, secrets) if as_json else doctor.format_text(report, secrets)
    sys.stdout.write(out)
    return report.exit_code

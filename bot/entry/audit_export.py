"""`python -m bot audit`: export the audit trail as JSONL or CSV."""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
from datetime import UTC, datetime
from typing import TextIO

from bot.errors import ConfigError
from bot.settings import Settings
from bot.store import AuditLog, connect

FIELDS = ("id", "at", "actor", "action", "item", "outcome", "details")


def parse_since(value: str | None) -> datetime | None:
    """`2026-11-24`, `2026-11-24T09:00+01:00` (naive means UTC)."""
    if not value:
        return None
    try:
        t = datetime.fromisoformat(value)
    except ValueError:
        raise ConfigError("--since", f"{value!r} is not a date like 2026-11-24 or "
                          "2026-11-24T09:00+01:00") from None
    return t if t.tzinfo else t.replace(tzinfo=UTC)


def main(settings: Settings, args: argparse.Namespace, out: TextIO) -> int:
    log = AuditLog(connect(**settings.redis()))
    entries = log.entries(parse_since(args.since))
    if args.format == "csv":
        writer = csv.DictWriter(out, fieldnames=FIELDS, extrasaction="ignore")
        writer.writeheader()
        for e in entries:
            writer.writerow(e)
    else:
        for e in entries:
            row: dict[str, object] = dict(e)
            with contextlib.suppress(ValueError):  # plain-text details stay as they are
                row["details"] = json.loads(e.get("details") or "{}")
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    return 0

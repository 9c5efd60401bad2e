"""JSONL ingest: validate each line, enqueue the good ones, report the bad ones by line number."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field

from bot.errors import MentionError
from bot.models import Mention, parse_mention
from bot.sources.registry import networks
from bot.store import MentionQueue

BATCH = 200  # mentions queued per round trip (and per WAIT for a replica)


@dataclass
class IngestReport:
    accepted: int = 0
    duplicates: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return {"accepted": self.accepted, "duplicate": self.duplicates,
                "rejected": [{"line": n, "reason": r} for n, r in self.rejected]}


def ingest_body(body: str, queue: MentionQueue) -> IngestReport:
    """An HTTP body: one JSON mention (pretty-printed is fine) or JSONL."""
    text = body.lstrip("\ufeff").strip()
    if text.startswith("{") and "\n" in text:
        try:
            obj = json.loads(text)
        except json.JSONDecodeError:
            obj = None  # not one document: read it as JSONL
        if isinstance(obj, dict):
            return ingest_lines([json.dumps(obj, ensure_ascii=False)], queue)
    return ingest_lines(text.splitlines(), queue)


def ingest_lines(lines: Iterable[str], queue: MentionQueue) -> IngestReport:
    """Enqueue every valid mention; blank lines are skipped; nothing stops at a bad line."""
    report = IngestReport()
    known = {name: spec.handle_optional for name, spec in networks().items()}
    batch: list[Mention] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            report.rejected.append((number, f"not valid JSON ({exc.msg} at column {exc.colno})"))
            continue
        try:
            mention = parse_mention(obj, known)
        except MentionError as exc:
            report.rejected.append((number, str(exc)))
            continue
        batch.append(mention)
        if len(batch) >= BATCH:
            _enqueue(batch, queue, report)
    _enqueue(batch, queue, report)
    return report


def _enqueue(batch: list[Mention], queue: MentionQueue, report: IngestReport) -> None:
    """Queue `batch` (one round trip; a replica holds it when this returns) and empty it."""
    for queued in queue.enqueue_many(batch):
        if queued:
            report.accepted += 1
        else:
            report.duplicates += 1
    batch.clear()

"""The audit trail: an append-only Redis Stream.

Entries are never changed. They are deleted only by data protection (`bot.store.privacy`):
trimmed after `retention.audit`, or, on an erasure request, the entries about that customer
(replaced by one line saying an erasure happened).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any, cast

import redis
from redis.typing import EncodableT, FieldT

from bot.store import keys, riding


class AuditLog:
    """Owns `at:audit`. Each entry: who, what, when, item, outcome, plus details."""

    def __init__(self, r: redis.Redis) -> None:
        self.r = r

    def record(
        self, actor: str, action: str, item: int | None, outcome: str, **details: Any
    ) -> None:
        """Append one entry (with the next round trip inside `bot.store.riding.ride_along`, a
        worker's intake; else now)."""
        fields: dict[FieldT, EncodableT] = {
            "at": datetime.now(UTC).isoformat(timespec="milliseconds"),
            "actor": actor,
            "action": action,
            "item": "" if item is None else str(item),
            "outcome": outcome,
            "details": json.dumps(details, ensure_ascii=False, default=str),
        }
        riding.later(self.r, keys.AUDIT_STREAM, lambda pipe: pipe.xadd(keys.AUDIT_STREAM, fields))

    def entries(self, since: datetime | None = None, batch: int = 1000) -> Iterator[dict[str, str]]:
        """Entries in order, from `since` on (all when None)."""
        start = f"{int(since.timestamp() * 1000)}-0" if since else "-"
        while True:
            # decode_responses=True: ids and fields are str; a missing stream reads as []
            rows = cast("list[tuple[str, dict[str, str]]]",
                        self.r.xrange(keys.AUDIT_STREAM, min=start, max="+", count=batch))
            for entry_id, fields in rows:
                yield {"id": entry_id, **fields}
            if len(rows) < batch:
                return
            last = rows[-1][0]
            ms, seq = last.split("-")
            start = f"{ms}-{int(seq) + 1}"

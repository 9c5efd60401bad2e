"""The dead-letter stream, read and emptied by an operator (`python -m bot dead-letters`).

The worker parks a mention whose intake failed `MAX_DELIVERIES` times (`MentionQueue.dead_letter`,
kept with its reason). Once the cause is fixed (the bot invited to the channel, a token
renewed) the operator sends it back. Re-queuing is one Lua call: the mention is appended to the
mention stream and deleted from the dead-letter stream together, so it is never in both and
never in neither. It goes round the `at:seen:*` dedupe, which would call it a duplicate: it was
accepted once already.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import cast

import redis

from bot.store import keys

_REQUEUE = """
local rows = redis.call('XRANGE', KEYS[1], ARGV[1], ARGV[1])
if #rows == 0 then return false end
local fields, mention = rows[1][2], nil
for i = 1, #fields, 2 do
  if fields[i] == 'mention' then mention = fields[i + 1] end
end
if not mention then return false end
local id = redis.call('XADD', KEYS[2], '*', 'mention', mention)
redis.call('XDEL', KEYS[1], ARGV[1])
return id
"""

_STREAM_ID = re.compile(r"\d{1,20}-\d{1,20}")


@dataclass(frozen=True)
class DeadLetter:
    """One parked mention, described without its text: ids, when, and why."""

    dead_id: str  # id in the dead-letter stream (what `--retry` takes)
    parked_at: datetime
    mention_key: str  # network:id, or "?" when the stored mention cannot be read
    reason: str
    entry_id: str  # its id in the mention stream when it failed


class DeadLetters:
    """Owns reading and re-queuing `at:stream:dead` (parking is `MentionQueue.dead_letter`)."""

    def __init__(self, r: redis.Redis) -> None:
        self.r = r
        self._requeue = r.register_script(_REQUEUE)

    def count(self) -> int:
        return cast("int", self.r.xlen(keys.DEAD_LETTERS))

    def entries(self, batch: int = 500) -> Iterator[DeadLetter]:
        """Every parked mention, oldest first."""
        start = "-"
        while True:
            rows = cast("list[tuple[str, dict[str, str]]]",
                        self.r.xrange(keys.DEAD_LETTERS, min=start, max="+", count=batch))
            for dead_id, fields in rows:
                yield _letter(dead_id, fields)
            if len(rows) < batch:
                return
            start = "(" + rows[-1][0]

    def get(self, dead_id: str) -> DeadLetter | None:
        if not _STREAM_ID.fullmatch(dead_id):
            return None
        rows = cast("list[tuple[str, dict[str, str]]]",
                    self.r.xrange(keys.DEAD_LETTERS, min=dead_id, max=dead_id))
        return _letter(*rows[0]) if rows else None

    def requeue(self, dead_id: str) -> str | None:
        """Move one parked mention back into the mention stream; its new entry id, or None
        if `dead_id` is not (or no longer) parked."""
        if not _STREAM_ID.fullmatch(dead_id):
            return None
        new_id = self._requeue(keys=[keys.DEAD_LETTERS, keys.MENTION_STREAM], args=[dead_id])
        return str(new_id) if new_id else None


def _letter(dead_id: str, fields: dict[str, str]) -> DeadLetter:
    try:
        raw = json.loads(fields.get("mention", ""))
        key = f"{raw['network']}:{raw['id']}"
    except (ValueError, TypeError, KeyError):
        key = "?"
    parked_at = datetime.fromtimestamp(int(dead_id.split("-")[0]) / 1000, UTC)
    return DeadLetter(dead_id, parked_at, key, fields.get("reason", ""), fields.get("entry", ""))

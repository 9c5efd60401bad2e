"""Internal notes on items (issue 16): the team's own words, shown in the thread and the
history, never sent to a network.

Owns `at:notes:*` (one LIST per item). Notes are deleted with the item's customer data when an
item is anonymised (`bot.store.privacy` deletes them): they may well quote the customer.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import cast

import redis

from bot.store import keys

MAX_NOTES = 200  # per item: the oldest go first beyond this


@dataclass(frozen=True)
class Note:
    at: datetime
    user: str
    text: str


class NoteStore:
    """Owns `at:notes:*`."""

    def __init__(self, r: redis.Redis) -> None:
        self.r = r

    def add(self, number: int, note: Note) -> None:
        raw = json.dumps({"at": note.at.isoformat(), "user": note.user, "text": note.text},
                         ensure_ascii=False)
        pipe = self.r.pipeline()
        pipe.rpush(keys.item_notes(number), raw)
        pipe.ltrim(keys.item_notes(number), -MAX_NOTES, -1)
        pipe.execute()

    def of(self, numbers: Iterable[int]) -> dict[int, list[Note]]:
        """The notes of each of `numbers` that has any, oldest first."""
        numbers = list(numbers)
        pipe = self.r.pipeline(transaction=False)
        for n in numbers:
            pipe.lrange(keys.item_notes(n), 0, -1)
        out: dict[int, list[Note]] = {}
        for n, rows in zip(numbers, pipe.execute(), strict=True):
            notes = [_note(raw) for raw in cast("list[str]", rows)]
            if notes:
                out[n] = notes
        return out


def _note(raw: str) -> Note:
    d = json.loads(raw)
    return Note(datetime.fromisoformat(d["at"]), str(d["user"]), str(d["text"]))

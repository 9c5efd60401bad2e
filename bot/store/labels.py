"""The team's labels as training examples (issue 14). Owns `at:labels` and `at:labels:order`.

One hash field per item and label group (`<item>:<group>`, a later label replaces the earlier);
the order set keeps when each was made, so training reads them in a stable order. Erasure
(`bot.store.privacy`) removes a customer's examples like all their data.
"""

from __future__ import annotations

from typing import cast

import redis

from bot.store import keys
from bot.triage.labels import LABELS, LabelExample

_PUT = """
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1])
return 1
"""


class LabelStore:
    """Stores and lists the team's label examples."""

    def __init__(self, r: redis.Redis) -> None:
        self.r = r
        self._put = r.register_script(_PUT)

    def put(self, example: LabelExample, when: float) -> None:
        """Store `example` (replacing the item's earlier label of the same group)."""
        field = f"{example.item}:{example.group}"
        self._put(keys=[keys.LABELS, keys.LABELS_ORDER], args=[field, example.to_json(), when])

    def all(self) -> list[LabelExample]:
        """Every example, oldest first (ties by field name: a stable order)."""
        fields = cast("list[str]", self.r.zrange(keys.LABELS_ORDER, 0, -1))
        if not fields:
            return []
        raws = cast("list[str | None]", self.r.hmget(keys.LABELS, fields))
        return [e for raw in raws if raw and (e := LabelExample.from_json(raw)) is not None]

    def for_item(self, number: int) -> list[LabelExample]:
        """The item's current labels, one per group."""
        fields = [f"{number}:{g}" for g in sorted({g for g, _ in LABELS.values()})]
        raws = cast("list[str | None]", self.r.hmget(keys.LABELS, fields))
        return [e for raw in raws if raw and (e := LabelExample.from_json(raw)) is not None]

    def count(self) -> int:
        return cast("int", self.r.hlen(keys.LABELS))

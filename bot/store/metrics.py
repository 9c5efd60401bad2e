"""The desk's counters and histograms, kept in Redis so every process adds to the same figures.

Layout: one hash `at:metrics`. Each field is JSON `[name, [[label, value], …], part]`; `part`
is `""` for a counter, `"le:<bound>"` for one histogram bucket (counts *not* cumulative; the
collector adds them up), `"sum"` and `"count"`. HINCRBY and HINCRBYFLOAT are atomic, so any
number of workers count exactly. The metric names, labels and buckets come from `bot.metrics`.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from functools import lru_cache
from typing import Any, cast

import redis

from bot.metrics import Call, Histogram, Labels, Snapshot, bucket_for, definition, labels_of
from bot.store import keys


def field(name: str, part: str = "", **labels: str) -> str:
    """The hash field of metric `name` with `labels` (and a histogram `part`)."""
    return _field(name, part, tuple(sorted(labels.items())))


@lru_cache(maxsize=4096)
def _field(name: str, part: str, labels: tuple[tuple[str, str], ...]) -> str:
    return json.dumps([name, [list(kv) for kv in labels_of(name, dict(labels))], part],
                      separators=(",", ":"))


class Tally:
    """Counts and observations added up in the process and sent as one increment per field
    (`MetricsStore.tally`): a worker counts a whole batch of entries with a few commands."""

    def __init__(self) -> None:
        self.ints: Counter[str] = Counter()
        self.floats: defaultdict[str, float] = defaultdict(float)

    def count(self, name: str, by: int = 1, **labels: str) -> None:
        """Add `by` to counter `name`."""
        if definition(name).kind != "counter":
            raise ValueError(f"{name} is not a counter")
        self.ints[field(name, **labels)] += by

    def observe(self, name: str, value: float, **labels: str) -> None:
        """One observation of histogram `name`."""
        if definition(name).kind != "histogram":
            raise ValueError(f"{name} is not a histogram")
        value = max(0.0, float(value))
        self.ints[field(name, f"le:{bucket_for(name, value)!r}", **labels)] += 1
        self.floats[field(name, "sum", **labels)] += value
        self.ints[field(name, "count", **labels)] += 1

    def send(self, client: Any) -> int:
        """Queue the increments into the pipeline `client`; how many commands that is."""
        for key, by in self.ints.items():
            client.hincrby(keys.METRICS, key, by)
        for key, value in self.floats.items():
            client.hincrbyfloat(keys.METRICS, key, value)
        return len(self.ints) + len(self.floats)


class MetricsStore:
    """Owns `at:metrics` (see the module docstring)."""

    def __init__(self, r: redis.Redis) -> None:
        self.r = r

    def count(self, name: str, by: int = 1, client: Any = None, **labels: str) -> None:
        """Add `by` to counter `name` (`client`: a pipeline to send it with, else now)."""
        tally = Tally()
        tally.count(name, by, **labels)
        self.add(tally, client)

    def observe(self, name: str, value: float, client: Any = None, **labels: str) -> None:
        """Record one observation of histogram `name` (one round trip, or into the pipeline
        `client`)."""
        tally = Tally()
        tally.observe(name, value, **labels)
        self.add(tally, client)

    def add(self, tally: Tally, client: Any = None) -> None:
        """Send what `tally` added up (`client`: a pipeline to send it with, else now)."""
        if client is not None:
            tally.send(client)
            return
        pipe = self.r.pipeline(transaction=False)
        if tally.send(pipe):
            pipe.execute()

    @staticmethod
    def tally() -> Tally:
        """Counts to add up here and send together (`add`)."""
        return Tally()

    def api_call(self, call: Call, client: Any = None) -> None:
        """Count one API call (`api_calls`)."""
        self.count("api_calls", api=call.api, method=call.method, outcome=call.outcome,
                   client=client)

    def read(self) -> Snapshot:
        """Every counter and histogram (gauges are the web's to add)."""
        raw = cast("dict[str, str]", self.r.hgetall(keys.METRICS))
        snap = Snapshot()
        for key, value in raw.items():
            try:
                name, pairs, part = json.loads(key)
                d = definition(name)
            except (ValueError, KeyError, TypeError):
                continue  # a field of a metric this version no longer has
            labels: Labels = tuple((str(k), str(v)) for k, v in pairs)
            if d.kind == "counter":
                snap.counters.setdefault(name, {})[labels] = float(value)
                continue
            h = snap.histograms.setdefault(name, {}).setdefault(labels, Histogram())
            if part == "sum":
                h.sum = float(value)
            elif part == "count":
                h.count = int(value)
            elif part.startswith("le:"):
                h.buckets[float(part[3:])] = int(value)
        return snap

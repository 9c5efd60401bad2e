"""The current triage model, shared through Redis (issue 14). Owns `at:triage:model` and
`at:triage:models`.

`python -m bot train` stores the model's bytes, version and threshold here; every worker, the
web process and `python -m bot triage` ask for the current version (one HGET) at most every
~30 s and load the bytes only when it changed, so a retrain reaches every machine that shares
the Redis without a restart or a shared disk.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Any, cast

import redis

from bot.store import keys

_PUT = """
redis.call('DEL', KEYS[1])
for i = 2, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
redis.call('ZADD', KEYS[2], ARGV[1], ARGV[3])
return 1
"""


@dataclass(frozen=True)
class StoredModel:
    version: str
    threshold: float
    sha256: str
    meta: dict[str, Any]
    npz: bytes


class ModelStore:
    """Put and read the current model; its version alone is a cheap read."""

    def __init__(self, r: redis.Redis) -> None:
        self.r = r
        self._put = r.register_script(_PUT)

    def put(self, model: StoredModel, when: float) -> None:
        """Make `model` the current one (atomically: readers see the old or the new, whole)."""
        fields = {"version": model.version, "threshold": repr(model.threshold),
                  "sha256": model.sha256, "meta": json.dumps(model.meta, ensure_ascii=False),
                  "npz": base64.b64encode(model.npz).decode("ascii")}
        flat = [x for kv in fields.items() for x in kv]
        self._put(keys=[keys.TRIAGE_MODEL, keys.TRIAGE_MODEL_HISTORY], args=[when, *flat])

    def version(self) -> str | None:
        """The current model's version; None while the shipped model is in use."""
        return cast("str | None", self.r.hget(keys.TRIAGE_MODEL, "version"))

    def get(self) -> StoredModel | None:
        h = cast("dict[str, str]", self.r.hgetall(keys.TRIAGE_MODEL))
        if not h.get("version") or not h.get("npz"):
            return None
        return StoredModel(h["version"], float(h["threshold"]), h.get("sha256", ""),
                           json.loads(h.get("meta") or "{}"), base64.b64decode(h["npz"]))

    def history(self) -> list[tuple[str, float]]:
        """Every version that became current, oldest first, with when."""
        return [(str(v), float(t)) for v, t in cast(
            "list[tuple[str, float]]", self.r.zrange(keys.TRIAGE_MODEL_HISTORY, 0, -1,
                                                     withscores=True))]

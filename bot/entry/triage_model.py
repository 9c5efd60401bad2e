"""Keep a process's triage on the current model (issue 14): the version in Redis is read at
most every `TRIAGE_MODEL_CHECK` seconds (default 30; one HGET), the model bytes only when the
version changed. Used by the worker (a scheduler job), the web process and `bot triage`."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from bot.store.triage_model import ModelStore
from bot.triage import Triage
from bot.triage.sentiment import SentimentModel

log = logging.getLogger(__name__)


class ModelRefresh:
    """`check()` switches `triage` to the current model when its version changed."""

    def __init__(self, store: ModelStore, triage: Triage, every_s: float = 30.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.store, self.triage, self.every_s, self.clock = store, triage, every_s, clock
        self._last = float("-inf")

    def check(self, *, now: bool = False) -> bool:
        """True when a new model was loaded. Not more often than `every_s` unless `now`."""
        if not now and self.clock() - self._last < self.every_s:
            return False
        self._last = self.clock()
        version = self.store.version()
        if version is None or version == self.triage.model_version:
            return False
        stored = self.store.get()
        if stored is None:
            return False
        self.triage.use(SentimentModel(npz=stored.npz, meta=stored.meta))
        log.info("triage: now on model %s (threshold %s)", stored.version, stored.threshold)
        return True

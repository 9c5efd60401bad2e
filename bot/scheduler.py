"""APScheduler jobs of the worker: source polling, timer ticks, the daily summary.

Job stores stay in memory per process (several schedulers on one job store double-fire);
what must happen once across workers is claimed in Redis by the job itself.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta

from apscheduler.schedulers.background import BackgroundScheduler

from bot.runtime import Runtime

log = logging.getLogger(__name__)

JOB_DEFAULTS = {"coalesce": True, "max_instances": 1, "misfire_grace_time": 30}


def _safe(name: str, fn: Callable[[], object]) -> Callable[[], None]:
    def run() -> None:
        try:
            fn()
        except Exception:
            log.exception("scheduled job %s failed", name)

    return run


def start_scheduler(rt: Runtime, extra: dict[str, tuple[timedelta, Callable[[], object]]]
                    | None = None) -> BackgroundScheduler:
    """Start the worker's jobs; `extra` adds (interval, callable) jobs by name."""
    scheduler = BackgroundScheduler(job_defaults=JOB_DEFAULTS, timezone=rt.config.timezone)
    for name, (every, fn) in (extra or {}).items():
        scheduler.add_job(_safe(name, fn), "interval", seconds=every.total_seconds(), id=name)
    scheduler.start()
    return scheduler

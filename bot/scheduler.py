"""Every job the worker runs, its interval and what keeps it once across workers.

| job            | every              | once across workers by                               |
|----------------|--------------------|------------------------------------------------------|
| `poll:<net>`   | `sources.<net>.poll_every` | lease `poll:<network>` for 90 % of the interval |
| `timers`       | 1 s                | each timer entry claimed atomically (`TimerStore`)   |
| `answers`      | 0.5 s              | incident answers: a consumer group (`AnswerQueue`)   |
| `daily_summary`| 1 min (posts at `summary.at`) | lease `summary:<day>` for 3 days          |
| `retention`    | 10 min (runs once a day; only with `retention:`) | lease `retention:<day>` for 3 days |
| `weekly_summary` | 1 min (posts Monday from 08:00, local) | lease `weekly-summary:<monday>` for 3 days |
| `health`       | 1 s                | lease `health` for 90 % of the interval (`bot.health`) |

A poll records what its API calls answered (`bot.health.record_poll`) and the timers job its
duration and what it fired (`bot.metrics`), for the watchdog and `/metrics` (issue 13).
| `praise`       | 1 min (posts at `praise.at`; only with `praise:`) | lease `praise:<day>` for 3 days |
| `triage_model` | `TRIAGE_MODEL_CHECK` (30 s) | per process: loads a retrained model (issue 14) |
| `retrain`      | 10 min (Mondays from 2:00; `triage.retrain: weekly`) | lease `retrain:<week>`, 8 days |
| `search_backfill` | 10 s until done | lease `find-backfill` (9 s); files items older than `/find` |
| `unsettled_replies` | 15 s | lease `unsettled-replies` (12 s); an unknown reply outcome on its card |

APScheduler's job stores stay in memory per process (several schedulers on one job store
double-fire); what must happen once is claimed in Redis by the job itself.

While Redis is unreachable a job is skipped for a growing pause (0.5 s up to 10 s) and the
outage is logged once per process (`Runtime.outage`), not as a traceback every tick.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from apscheduler.schedulers.background import BackgroundScheduler

from bot.health import Watchdog, record_poll
from bot.metrics import calls_seen
from bot.reports import daily_job, praise_job, weekly_job
from bot.sources.base import Network, PollerParts
from bot.sources.registry import networks
from bot.store.checkpoints import Checkpoints
from bot.store.outage import Backoff, Outage, unreachable
from bot.store.queue import consumer_name

if TYPE_CHECKING:
    from bot.desk import RetentionReport
    from bot.entry.runtime import Runtime

log = logging.getLogger(__name__)

JOB_DEFAULTS = {"coalesce": True, "max_instances": 1, "misfire_grace_time": 30}
TIMER_TICK = timedelta(seconds=1)
ANSWER_TICK = timedelta(seconds=0.5)
SUMMARY_CHECK = timedelta(minutes=1)
RETENTION_CHECK = timedelta(minutes=10)
HEALTH_CHECK = timedelta(seconds=1)


@dataclass(frozen=True)
class Job:
    """One scheduled job: how often, what, and the Redis lease that keeps it single (if any)."""

    every: timedelta
    run: Callable[[], object]
    lease: str = ""


def poll_job(rt: Runtime, spec: Network) -> Job | None:
    """The polling job of one network, or None (and one log line) without credentials."""
    settings = rt.settings.network(spec)
    if spec.poller is None:
        return None
    if not settings.configured:
        log.info("%s polling skipped: no credentials (%s*)", spec.label,
                 str(spec.settings.model_config.get("env_prefix", "")).upper())
        return None
    options = rt.config.source_options(spec.config_key)
    poller = spec.poller(PollerParts(settings, options, Checkpoints(rt.redis, spec.config_key)))
    lease = f"poll:{spec.name}"
    hold_ms = max(int(options.poll_every.total_seconds() * 900), 500)  # 90 % of the interval

    def run() -> int:
        if not rt.leases.take(lease, hold_ms):
            return 0  # another worker polled this interval
        with calls_seen() as calls:
            new = poller.poll(rt.queue.enqueue)
        record_poll(rt.health, spec.name, calls, new, time.time())
        return new

    return Job(options.poll_every, run, lease)


def retention_job(rt: Runtime) -> RetentionReport | None:
    """The day's retention run, once across workers: the first worker to check on a day takes
    the lease `retention:<day>` (3 days); a failed run gives it back so the next check retries.
    Returns None when another worker (or an earlier check) had the day."""
    day = rt.desk.now().astimezone(ZoneInfo(rt.config.timezone)).date().isoformat()
    lease = f"retention:{day}"
    if not rt.leases.take(lease, 3 * 86400 * 1000):
        return None
    try:
        return rt.desk.privacy.expire()
    except Exception:
        rt.leases.release(lease)
        raise


def timers_job(rt: Runtime) -> None:
    """One timer tick, measured and counted (`timer_tick_seconds`, warnings, breaches)."""
    started = time.monotonic()
    report = rt.desk.watch.tick()
    rt.metrics.observe("timer_tick_seconds", time.monotonic() - started)
    for name, n in (("timer_warnings", report.warned), ("timer_breaches", report.breached),
                    ("timer_reescalations", report.again)):
        if n:
            rt.metrics.count(name, n)


def watchdog(rt: Runtime) -> Watchdog:
    """The channel-health watchdog of this desk (`bot.health`), wired to the runtime."""
    from slack_sdk.errors import SlackApiError

    from bot.slack.client import TOKEN_REFUSED, make_client

    polled, webhooks, usage = [], [], {}
    for spec in networks().values():
        settings = rt.settings.network(spec)
        if not settings.configured:
            continue
        if spec.poller is not None:
            polled.append(spec.name)
        if spec.web_routes is not None:
            webhooks.append(spec.name)
        if spec.usage is not None:
            usage[spec.name] = (lambda ask, s: lambda: ask(s))(spec.usage, settings)
    client = make_client(rt.settings) if rt.settings.slack_bot_token else None

    def slack_check() -> str | None:
        assert client is not None
        try:
            client.auth_test()
        except SlackApiError as exc:
            error = str(exc.response.get("error") or "")
            return error if error in TOKEN_REFUSED else None
        except Exception:
            return None  # Slack not reachable: says nothing about the token
        return ""

    return Watchdog(rt.config, rt.health, rt.desk.clock, polled=polled, webhooks=webhooks,
                    post=rt.slack.post_message, take=rt.leases.take,
                    slack_check=slack_check if client is not None else None, usage=usage,
                    alerted=lambda kind: rt.metrics.count("health_alerts", condition=kind),
                    now=rt.desk.now)


def health_job(rt: Runtime, dog: Watchdog) -> Callable[[], object]:
    """The watchdog's look, once per interval across workers (lease `health`)."""
    hold_ms = max(int(HEALTH_CHECK.total_seconds() * 900), 500)

    def run() -> list[str]:
        if not rt.leases.take("health", hold_ms):
            return []
        return dog.check()

    return run


def worker_jobs(rt: Runtime, *, tick: timedelta = TIMER_TICK) -> dict[str, Job]:
    """Every job of the worker, by name."""
    jobs: dict[str, Job] = {}
    for spec in networks().values():
        job = poll_job(rt, spec)
        if job is not None:
            jobs[f"poll:{spec.config_key}"] = job
    jobs["timers"] = Job(tick, lambda: timers_job(rt))
    consumer = consumer_name()
    reclaim = rt.settings.worker_reclaim_ms
    jobs["answers"] = Job(ANSWER_TICK, lambda: rt.desk.incidents.send_answers(
        consumer, reclaim_idle_ms=reclaim))
    jobs["daily_summary"] = Job(SUMMARY_CHECK, lambda: daily_job(rt), "summary:<day>")
    jobs["weekly_summary"] = Job(SUMMARY_CHECK, lambda: weekly_job(rt), "weekly-summary:<monday>")
    if rt.config.retention.configured:
        jobs["retention"] = Job(RETENTION_CHECK, lambda: retention_job(rt), "retention:<day>")
    jobs["health"] = Job(HEALTH_CHECK, health_job(rt, watchdog(rt)), "health")
    # issue 14: a retrained triage model reaches this worker (every TRIAGE_MODEL_CHECK s)
    jobs["triage_model"] = Job(timedelta(seconds=rt.settings.triage_model_check),
                               rt.refresh_model)
    if rt.config.praise is not None:  # issue 14: the daily "Lob" digest
        jobs["praise"] = Job(SUMMARY_CHECK, lambda: praise_job(rt), "praise:<day>")
    # issue 16: items made before the search index existed are filed, a batch per run
    jobs["search_backfill"] = Job(BACKFILL_EVERY, backfill_job(rt), "find-backfill")
    # issue 15: a reply whose outcome a crash or a failover lost is shown on its card
    jobs["unsettled_replies"] = Job(UNSETTLED_EVERY, lambda: unsettled_job(rt),
                                    "unsettled-replies")
    if rt.config.triage.retrain == "weekly":
        jobs["retrain"] = Job(RETRAIN_CHECK, lambda: retrain_job(rt), "retrain:<week>")
    return jobs


RETRAIN_CHECK = timedelta(minutes=10)
BACKFILL_EVERY = timedelta(seconds=10)
UNSETTLED_EVERY = timedelta(seconds=15)


def unsettled_job(rt: Runtime) -> list[int]:
    """`Answers.show_unsettled`, once per run across workers (lease `unsettled-replies`)."""
    if not rt.leases.take("unsettled-replies", 12_000):
        return []
    return rt.desk.answers.show_unsettled(rt.desk.now().timestamp())


def backfill_job(rt: Runtime) -> Callable[[], int]:
    """One batch of the `/find` backfill (`Customers.backfill`) per run, once across workers
    (lease `find-backfill`, 9 s); once it is done this process stops asking Redis."""
    done = False

    def run() -> int:
        nonlocal done
        if done or not rt.leases.take("find-backfill", 9000):
            return 0
        filed = rt.desk.customers.backfill()
        done = not filed
        return filed

    return run


def retrain_job(rt: Runtime) -> object:
    """The weekly retrain (desk.yaml `triage.retrain: weekly`): Monday from 02:00 desk time,
    once across workers (lease `retrain:<ISO week>`, 8 days); refused like `bot train` when
    negative recall would fall. Returns the report, or None when not due / taken."""
    local = rt.desk.now().astimezone(ZoneInfo(rt.config.timezone))
    if local.isoweekday() != 1 or local.hour < 2:
        return None
    year, week, _ = local.isocalendar()
    lease = f"retrain:{year}-W{week:02d}"
    if not rt.leases.take(lease, 8 * 86400 * 1000):
        return None
    try:
        report = rt.retrain(by="scheduler")
    except ValueError:  # no labels yet: nothing to learn this week
        return None
    log.info("weekly retrain: %s", "replaced by " + report.new if report.replaced
             else "refused: " + "; ".join(report.refused))
    return report


def _safe(name: str, fn: Callable[[], object], outage: Outage,
          clock: Callable[[], float] = time.monotonic) -> Callable[[], None]:
    """`fn` as a job that never raises: a failure is logged; Redis unreachable is told to
    `outage` (one line per outage) and the job rests for a growing pause."""
    backoff = Backoff()
    resume_at = 0.0

    def run() -> None:
        nonlocal resume_at
        if clock() < resume_at:
            return
        try:
            fn()
        except Exception as exc:
            if not unreachable(exc):
                log.exception("scheduled job %s failed", name)
                return
            outage.lost(exc)
            resume_at = clock() + backoff.next()
            return
        backoff.reset()
        resume_at = 0.0

    return run


def start_scheduler(rt: Runtime, jobs: dict[str, Job]) -> BackgroundScheduler:
    """Start `jobs` on a background scheduler in this process."""
    scheduler = BackgroundScheduler(job_defaults=JOB_DEFAULTS, timezone=rt.config.timezone)
    for name, job in jobs.items():
        scheduler.add_job(_safe(name, job.run, rt.outage), "interval",
                          seconds=job.every.total_seconds(), id=name)
    scheduler.start()
    return scheduler

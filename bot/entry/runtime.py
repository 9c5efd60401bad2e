"""The one factory: settings + desk.yaml in, a wired `Runtime` (stores, Slack, networks, desk) out.

No module builds clients at import time; tests build as many runtimes as they like.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from typing import TYPE_CHECKING, Any

import redis

from bot import metrics
from bot.config import DeskConfig
from bot.desk import Desk, DeskStores, TargetWatch
from bot.entry.triage_model import ModelRefresh
from bot.settings import Settings
from bot.slack.board import SlackBoard
from bot.slack.client import make_client
from bot.slack.poster import SlackPort, WebSlack
from bot.sources.base import Replies
from bot.sources.registry import networks
from bot.store import AuditLog, ItemStore, MentionQueue, connect, keys
from bot.store.agents import KuerzelStore
from bot.store.answers import AnswerQueue
from bot.store.dead_letters import DeadLetters
from bot.store.health import HealthStore
from bot.store.heartbeats import Heartbeats
from bot.store.incidents import IncidentStore
from bot.store.layout import upgrade
from bot.store.leases import Leases
from bot.store.metrics import MetricsStore
from bot.store.notes import NoteStore
from bot.store.outage import Outage, unreachable
from bot.store.pacing import RedisPacer, Unpaced
from bot.store.privacy import PrivacyStore
from bot.store.riding import later
from bot.store.search import SearchIndex
from bot.store.timers import TimerStore
from bot.store.triage_model import ModelStore
from bot.store.webhooks import DeliveryLedger
from bot.triage import Triage, TriageRules

if TYPE_CHECKING:
    from bot.entry.train import Report

log = logging.getLogger(__name__)


def triage_rules(config: DeskConfig) -> TriageRules:
    """The triage rules `desk.yaml` describes."""
    kwargs = {}
    if config.triage.negative_threshold is not None:
        kwargs["negative_threshold"] = config.triage.negative_threshold
    return TriageRules(
        routes=tuple((r.channel, tuple(r.keywords)) for r in config.channels.routes),
        customer_number_patterns=tuple(config.triage.customer_numbers),
        hotlines=tuple(config.triage.hotlines),
        brand_names=tuple(config.triage.brand),
        **kwargs,
    )


def make_replies(settings: Settings) -> dict[str, Replies]:
    """The networks with credentials; the others are skipped with one log line each."""
    replies: dict[str, Replies] = {}
    for spec in networks().values():
        net = settings.network(spec)
        if net.configured:
            replies[spec.name] = spec.replies(net)
        else:
            log.info("%s: no credentials (%s*): replies skipped", spec.label,
                     str(spec.settings.model_config.get("env_prefix", "")).upper())
    return replies


@dataclass
class Runtime:
    settings: Settings
    config: DeskConfig
    redis: redis.Redis
    queue: MentionQueue
    items: ItemStore
    audit: AuditLog
    kuerzel: KuerzelStore
    leases: Leases
    deliveries: DeliveryLedger
    slack: SlackPort
    desk: Desk
    heartbeats: Heartbeats
    dead_letters: DeadLetters
    outage: Outage = field(default_factory=Outage)  # this process's view of Redis outages
    models: ModelRefresh | None = None  # issue 14: the retrained model reaches this process
    pacer: RedisPacer | None = None  # the channels' lines the worker announces entries in

    def refresh_model(self) -> bool:
        """Switch triage to a retrained model if there is a new one (the worker's
        `triage_model` job, every TRIAGE_MODEL_CHECK seconds)."""
        return self.models.check(now=True) if self.models else False

    def retrain(self, **options: Any) -> Report:
        """`python -m bot train` on this runtime's Redis (the weekly job; `bot.entry.train`)."""
        from bot.entry.train import retrain

        report = retrain(self.redis, self.config, **options)
        self.refresh_model()
        return report

    @cached_property
    def metrics(self) -> MetricsStore:
        """The desk's counters and histograms (issue 13; `bot.metrics`)."""
        return MetricsStore(self.redis)

    @cached_property
    def health(self) -> HealthStore:
        """What the channel-health watchdog reads (issue 13; `bot.health`)."""
        return HealthStore(self.redis)

    @property
    def timers(self) -> TargetWatch:
        """The response-target watch (the worker's `timers` job)."""
        return self.desk.watch


def _upgrade_layout(r: redis.Redis) -> None:
    """Rename keys written before issue 15 (see `bot.store.layout`); Redis down: next start."""
    try:
        upgrade(r)
    except Exception as exc:
        if not unreachable(exc):
            raise
        log.warning("key layout not checked: Redis unreachable (%s)", type(exc).__name__)


def build_runtime(
    settings: Settings,
    config: DeskConfig,
    *,
    slack: SlackPort | None = None,
    replies: Mapping[str, Replies] | None = None,
    triage: Triage | None = None,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> Runtime:
    """Wire everything from settings; pass `slack`/`replies` to replace the real ones (demo)."""
    r = connect(**settings.redis())
    if settings.redis_mode != "cluster":
        _upgrade_layout(r)
    stores = DeskStores(ItemStore(r), AuditLog(r), KuerzelStore(r), TimerStore(r),
                        IncidentStore(r), AnswerQueue(r), PrivacyStore(r), NoteStore(r),
                        SearchIndex(r))
    pacer = None
    if slack is None:
        interval = settings.slack_channel_interval_ms
        pacer = RedisPacer(r, interval_ms=interval) if interval else None
        slack = WebSlack(make_client(settings), make_client(settings, safe_to_repeat=False),
                         pacer or Unpaced())
    triage = triage or Triage(triage_rules(config))
    models = ModelRefresh(ModelStore(r), triage, settings.triage_model_check)
    try:
        models.check(now=True)  # start on the current retrained model, if there is one
    except redis.RedisError as exc:  # the worker's loop reports outages; the shipped one for now
        log.warning("triage model not read from Redis (%s): shipped model for now",
                    type(exc).__name__)
    desk = Desk(config, stores, SlackBoard(slack, config.language, config.timezone),
                make_replies(settings) if replies is None else replies, triage, now=now)
    rt = Runtime(settings, config, r, MentionQueue(r), stores.items, stores.audit,
                 stores.kuerzel, Leases(r), DeliveryLedger(r), slack, desk, Heartbeats(r),
                 DeadLetters(r), models=models, pacer=pacer)
    metrics.install(api_sink(rt.metrics, rt.health))
    return rt


# a Slack call that worked clears a refusal seen elsewhere (`HealthStore.slack_ok`) at most
# this often: not a write per card (issue 15); a refusal this process saw is cleared at once
SLACK_OK_EVERY_S = 5.0


def api_sink(store: MetricsStore, health: HealthStore,
             clock: Callable[[], float] = time.monotonic) -> metrics.ApiSink:
    """Counts every API call this process makes; a Slack call also tells channel health
    whether Slack takes our token (`bot.metrics.install`: one sink per process)."""
    cleared = [-math.inf]  # when this process last cleared a refusal

    def sink(call: metrics.Call) -> None:
        now = clock()
        clear = (call.api == "slack" and call.outcome == "ok"
                 and now - cleared[0] >= SLACK_OK_EVERY_S)
        if clear:
            cleared[0] = now

        def build(pipe: Any) -> None:
            store.api_call(call, client=pipe)
            if clear:  # in the same round trip
                health.slack_ok(client=pipe)

        later(store.r, keys.METRICS, build)  # a worker's intake: with its next round trip
        if call.api == "slack" and call.outcome == "unauthorized":
            cleared[0] = -math.inf  # the next call that works clears it
            health.slack_refused(call.detail, time.time())

    return sink

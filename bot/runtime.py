"""The one factory: settings + desk.yaml in, a wired `Runtime` (stores, Slack, networks, desk) out.

No module builds clients at import time; tests build as many runtimes as they like.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import redis

from bot.config import DeskConfig
from bot.desk import Desk
from bot.settings import Settings
from bot.slack.client import make_client
from bot.slack.poster import SlackPort, WebSlack
from bot.sources.base import Source
from bot.store import AuditLog, ItemStore, MentionQueue, connect
from bot.store.agents import KuerzelStore
from bot.store.pacing import RedisPacer
from bot.store.timers import TimerStore
from bot.timers import TimerService
from bot.triage import Triage, TriageRules

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


def make_sources(settings: Settings) -> dict[str, Source]:
    """The networks with credentials; the others are skipped with one log line each."""
    sources: dict[str, Source] = {}
    if settings.x_configured:
        from bot.sources.x import XSource
        from bot.sources.x import make_client as make_x

        sources["twitter"] = XSource(make_x(settings))
    else:
        log.info("X: no credentials (X_BEARER_TOKEN / X_CONSUMER_KEY …): source skipped")
    if settings.facebook_configured:
        from bot.sources.facebook import FacebookSource, make_http

        sources["facebook"] = FacebookSource(make_http(settings), settings.facebook_page_id)
    else:
        log.info("Facebook: no FACEBOOK_PAGE_ID / FACEBOOK_PAGE_TOKEN: source skipped")
    return sources


@dataclass
class Runtime:
    settings: Settings
    config: DeskConfig
    redis: redis.Redis
    queue: MentionQueue
    items: ItemStore
    audit: AuditLog
    kuerzel: KuerzelStore
    desk: Desk
    timers: TimerService | None = None


def build_runtime(
    settings: Settings,
    config: DeskConfig,
    *,
    slack: SlackPort | None = None,
    sources: dict[str, Source] | None = None,
    triage: Triage | None = None,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> Runtime:
    """Wire everything from settings; pass `slack`/`sources` to replace the real ones (demo)."""
    r = connect(settings.redis_url)
    items, audit, kuerzel = ItemStore(r), AuditLog(r), KuerzelStore(r)
    if slack is None:
        slack = WebSlack(make_client(settings), make_client(settings, safe_to_repeat=False),
                         RedisPacer(r))
    timers = TimerService(TimerStore(r), items, config, slack, now=now)
    desk = Desk(
        config, items, audit, kuerzel, slack,
        make_sources(settings) if sources is None else sources,
        triage or Triage(triage_rules(config)), now=now, timers=timers,
    )
    timers.bind(desk)
    return Runtime(settings, config, r, MentionQueue(r), items, audit, kuerzel, desk, timers)

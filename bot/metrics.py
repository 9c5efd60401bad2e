"""Every metric of the desk, named in one place, and how it reaches `GET /metrics`.

Why Redis and not each process's own registry: the desk runs one web process and any number of
workers, and Prometheus should scrape one address and see the whole desk, exactly. So every
counter and histogram below is kept in one Redis hash (`bot.store.metrics.MetricsStore`,
HINCRBY; a histogram is one counter per bucket plus its sum and count), whichever process
counted it, and the web process exposes them, with gauges read from Redis at scrape time,
through `DeskCollector` on its own `CollectorRegistry` (prometheus-client writes the text).
Nothing is lost when a worker restarts, two workers never report the same figure twice, and
any web process (behind a load balancer) answers the same numbers. The cost is one Redis round
trip per counted event, which is small next to the Slack or network call it counts.

API calls are counted where they happen: slack-sdk's retry-handler chain
(`bot.slack.client`), the requests adapter under tweepy (`bot.sources.x.transport`) and the
httpx transport under Graph and atproto (`bot.sources.observed`). Those clients are built by
the networks' factories, which know no Redis, so they report to `api_call`, a hook the
runtime points at its store once per process (`install`); until then calls are not counted.
`calls_seen()` additionally collects the calls made inside a block on this thread (the poll
job reads what a poll did from it: `bot.scheduler`).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)
from prometheus_client.registry import Collector

log = logging.getLogger(__name__)

PREFIX = "alert_team_"


@dataclass(frozen=True)
class Definition:
    """One metric: its name (without `alert_team_`), kind, help text and label names."""

    name: str
    kind: str  # counter | histogram | gauge
    help: str
    labels: tuple[str, ...] = ()
    buckets: tuple[float, ...] = ()  # histograms: upper bounds in seconds (+Inf is added)


_LATENCY = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
_CARD = (0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 900.0)

METRICS: dict[str, Definition] = {d.name: d for d in (
    # counters, exact across processes (Redis)
    Definition("mentions_ingested", "counter", "Mentions accepted into the queue (duplicates "
               "not counted), by network.", ("network",)),
    Definition("mentions_duplicate", "counter", "Mentions offered again after they were "
               "accepted (a network's retry, a caller sending again), by network.",
               ("network",)),
    Definition("mentions_triaged", "counter", "Mentions triaged by a worker, by network and "
               "sentiment.", ("network", "sentiment")),
    Definition("cards_posted", "counter", "Cards posted to Slack for new items, by network.",
               ("network",)),
    Definition("dead_letters_parked", "counter", "Mentions parked in the dead-letter stream "
               "after repeated failures."),
    Definition("timer_warnings", "counter", "Warnings posted before a response target."),
    Definition("timer_breaches", "counter", "Response targets breached (first escalation)."),
    Definition("timer_reescalations", "counter", "Escalations repeated after a further target."),
    Definition("api_calls", "counter", "Calls to Slack and the networks' APIs (each attempt, "
               "retries included), by API, method and outcome (ok, rate_limited, unauthorized, "
               "forbidden, client_error, server_error, unreachable, error).",
               ("api", "method", "outcome")),
    Definition("health_alerts", "counter", "Channel-health alerts posted to the leads, by "
               "condition.", ("condition",)),
    # histograms, exact across processes (Redis buckets)
    Definition("ack_seconds", "histogram", "Time from a Slack request reaching the web process "
               "to its acknowledgement, by kind (command, interaction, event).", ("kind",),
               _LATENCY),
    Definition("ingest_to_card_seconds", "histogram", "Time from a mention entering the queue "
               "to its card being posted, by network.", ("network",), _CARD),
    Definition("timer_tick_seconds", "histogram", "Duration of one run of the timers job.",
               (), _LATENCY),
    # gauges, read at scrape time
    Definition("queue_backlog", "gauge", "Queue length: mention-stream entries not yet "
               "acknowledged (pending) plus those not yet read."),
    Definition("queue_pending", "gauge", "Entries read by a worker and not yet acknowledged."),
    Definition("consumer_group_lag", "gauge", "Entries not yet read by the worker group."),
    Definition("dead_letters", "gauge", "Mentions in the dead-letter stream now (alert on > 0)."),
    Definition("open_items", "gauge", "Open items by state.", ("state",)),
    Definition("oldest_open_item_age_seconds", "gauge", "Age of the oldest open item since it "
               "was first seen (0 when none is open)."),
    Definition("workers_alive", "gauge", "Workers that reported within three heartbeat "
               "intervals."),
    Definition("channel_problem", "gauge", "1 while a channel-health condition holds, by "
               "network and condition.", ("network", "condition")),
)}


def definition(name: str) -> Definition:
    """The definition of metric `name`; KeyError names an undeclared metric (a typo)."""
    return METRICS[name]


# ----- what the store returns, what the collector needs ----------------------------------------
Labels = tuple[tuple[str, str], ...]


@dataclass
class Histogram:
    """One labelled histogram as stored: counts per bucket (not cumulative), sum, count."""

    buckets: dict[float, int] = field(default_factory=dict)  # upper bound (inf last) -> count
    sum: float = 0.0
    count: int = 0


@dataclass
class Snapshot:
    """Everything `GET /metrics` shows, read from Redis in one go."""

    counters: dict[str, dict[Labels, float]] = field(default_factory=dict)
    histograms: dict[str, dict[Labels, Histogram]] = field(default_factory=dict)
    gauges: dict[str, dict[Labels, float]] = field(default_factory=dict)


def labels_of(name: str, given: dict[str, str]) -> Labels:
    """`given` as the metric's labels in declared order; a missing or extra label is a bug."""
    d = definition(name)
    if set(given) != set(d.labels):
        raise ValueError(f"metric {name} takes labels {d.labels}, got {sorted(given)}")
    return tuple((k, str(given[k])) for k in d.labels)


def bucket_for(name: str, value: float) -> float:
    """The upper bound of the bucket `value` falls into (`inf` above the last)."""
    for bound in definition(name).buckets:
        if value <= bound:
            return bound
    return float("inf")


class DeskCollector(Collector):
    """prometheus-client collector over a `Snapshot` taken at every scrape."""

    def __init__(self, snapshot: Callable[[], Snapshot]) -> None:
        self.snapshot = snapshot

    def collect(self) -> Iterable[Metric]:
        snap = self.snapshot()
        for d in METRICS.values():
            name = PREFIX + d.name
            if d.kind == "counter":
                counter = CounterMetricFamily(name, d.help, labels=d.labels)
                for labels, value in sorted(_zero(d, snap.counters.get(d.name, {})).items()):
                    counter.add_metric([v for _, v in labels], value)
                yield counter
            elif d.kind == "gauge":
                gauge = GaugeMetricFamily(name, d.help, labels=d.labels)
                for labels, value in sorted(snap.gauges.get(d.name, {}).items()):
                    gauge.add_metric([v for _, v in labels], value)
                yield gauge
            else:
                hist = HistogramMetricFamily(name, d.help, labels=d.labels)
                for labels, h in sorted(snap.histograms.get(d.name, {}).items()):
                    hist.add_metric([v for _, v in labels], _cumulative(d, h), h.sum)
                yield hist


def _zero(d: Definition, samples: dict[Labels, float]) -> dict[Labels, float]:
    """An unlabelled counter shows 0 before its first event (alert rules can see it)."""
    return samples or ({(): 0.0} if not d.labels else {})


def _cumulative(d: Definition, h: Histogram) -> list[tuple[str, float]]:
    running, out = 0, []
    for bound in (*d.buckets, float("inf")):
        running += h.buckets.get(bound, 0)
        out.append(("+Inf" if bound == float("inf") else repr(bound), float(running)))
    return out


# ----- the process's hook for API calls -----------------------------------------------------
@dataclass(frozen=True)
class Call:
    """One API call as a transport saw it."""

    api: str
    method: str
    outcome: str
    status: int = 0  # HTTP status; 0 when the call never got an answer
    detail: str = ""  # the API's own error code (Slack `invalid_auth`, Graph `190`), if any


ApiSink = Callable[[Call], None]
"""Takes one API call (counts it; the runtime's sink also notes Slack refusing our token)."""


_sink: list[ApiSink] = []
_seen = threading.local()


def install(sink: ApiSink | None) -> None:
    """Count this process's API calls with `sink` (the runtime's store); None: stop counting."""
    _sink[:] = [sink] if sink is not None else []


def api_call(api: str, method: str, outcome: str, status: int = 0, detail: str = "") -> None:
    """Report one API call (every transport calls this once per attempt; never raises)."""
    call = Call(api, method, outcome, status, detail)
    for collector in getattr(_seen, "stack", ()):
        collector.append(call)
    for sink in list(_sink):
        try:
            sink(call)
        except Exception as exc:  # counting must never break the call it counts
            log.debug("API call not counted (%s)", type(exc).__name__)


@contextmanager
def calls_seen() -> Iterator[list[Call]]:
    """The API calls this thread makes inside the block, in order."""
    seen: list[Call] = []
    stack = getattr(_seen, "stack", None)
    if stack is None:
        stack = _seen.stack = []
    stack.append(seen)
    try:
        yield seen
    finally:
        stack.remove(seen)


def outcome_of_status(status: int) -> str:
    """The `outcome` label of an HTTP status (transports whose APIs speak plain HTTP)."""
    if 200 <= status < 400:
        return "ok"
    if status == 429:
        return "rate_limited"
    if status == 401:
        return "unauthorized"
    if status == 403:
        return "forbidden"
    if 400 <= status < 500:
        return "client_error"
    if status >= 500:
        return "server_error"
    return "unreachable"


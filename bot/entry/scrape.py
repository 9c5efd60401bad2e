"""What `GET /metrics` and `GET /healthz` read, and what the web process counts itself (issue 13).

`desk_snapshot` takes the counters and histograms every process wrote to Redis
(`bot.store.metrics`) and adds the gauges read now: queue, consumer-group lag, dead letters,
open items by state and the oldest one's age, workers alive, channel-health conditions.
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Any

from bot.entry.ack_first import form_of
from bot.messages import say
from bot.metrics import Snapshot
from bot.sources.registry import label
from bot.store.outage import unreachable

if TYPE_CHECKING:
    from bot.entry.runtime import Runtime

log = logging.getLogger(__name__)


def desk_snapshot(rt: Runtime, healthy_intervals: int) -> Snapshot:
    """Every metric of the desk as of now (one scrape)."""
    snap = rt.metrics.read()
    pending, lag = rt.queue.group_state()
    opened = rt.items.open_states()
    now = rt.desk.now()
    by_state: dict[str, int] = {}
    for state, _ in opened:
        by_state[state] = by_state.get(state, 0) + 1
    seen = [s for _, s in opened if s is not None]
    oldest = max(0.0, (now - min(seen)).total_seconds()) if seen else 0.0
    live = rt.heartbeats.liveness(healthy_intervals * rt.settings.heartbeat_interval)
    g = snap.gauges
    g["queue_backlog"] = {(): float(pending + lag)}
    g["queue_pending"] = {(): float(pending)}
    g["consumer_group_lag"] = {(): float(lag)}
    g["dead_letters"] = {(): float(rt.dead_letters.count())}
    g["open_items"] = {(("state", st),): float(n) for st, n in by_state.items()}
    g["oldest_open_item_age_seconds"] = {(): oldest}
    g["workers_alive"] = {(): float(len(live.alive))}
    g["channel_problem"] = {
        (("network", str(info.get("network", ""))), ("condition", str(info.get("kind", "")))): 1.0
        for info in rt.health.raised().values()}
    slack = rt.health.slack_state()
    if slack is not None:
        g["channel_problem"][(("network", "slack"), ("condition", "slack"))] = 1.0
    return snap


def channel_health(rt: Runtime) -> dict[str, Any]:
    """The `/healthz` part about the channels: problems raised by the watchdog (`channels`,
    only when there are any), and whether Slack takes our token (if not, `ok` is False: no
    alert can reach anyone in Slack)."""
    problems = [{"network": label(str(info.get("network"))) if info.get("network") != "slack"
                 else "Slack", "condition": info.get("kind"), "detail": info.get("detail")}
                for _, info in sorted(rt.health.raised().items())]
    body: dict[str, Any] = {"channels": problems} if problems else {}
    slack = rt.health.slack_state()
    if slack is not None:
        body["ok"] = False
        body["slack"] = "refused"
        body["reason"] = say("health.slack", "en", detail=slack[0])
    return body


def record_ack(rt: Runtime, seconds: float, body: bytes) -> None:
    """Count one Slack request's time to its ack (`ack_seconds`, by kind)."""
    try:
        rt.metrics.observe("ack_seconds", seconds, kind=form_of(body))
    except Exception as exc:  # the request was answered; a lost figure is all that happens
        if unreachable(exc):
            rt.outage.lost(exc)  # one line per outage, not one per request
        else:
            log.warning("ack time not counted (%s)", type(exc).__name__)


def heard_now(rt: Runtime, network: str) -> None:
    """A verified webhook delivery of `network` arrived now (channel health)."""
    rt.health.webhook_heard(network, time.time())

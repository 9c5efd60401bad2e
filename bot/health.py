"""Channel health: the watchdog that tells the leads when a channel fails quietly.

Conditions (`problems`, pure) from what the pollers, webhooks and Slack calls recorded in
`bot.store.health`:

| key               | holds while                                                           |
|-------------------|-----------------------------------------------------------------------|
| `token:<net>`     | the latest poll was refused for our credentials (401/403, Graph 190)  |
| `polling:<net>`   | polls have failed for longer than `health.poll_failing` (token aside) |
| `webhook:<net>`   | in business hours: no webhook for `health.webhook_silence` (business  |
|                   | time) while polling finds new mentions; only once a webhook has ever  |
|                   | arrived (a desk that only polls is not alerted)                       |
| `budget:<net>:<k>`| more than 80 % of the network's monthly budget `k` (X: `read`) used   |
| `slack`           | Slack refuses our bot token: no alert can reach Slack, so `/healthz`  |
|                   | answers 503 naming it; the recovery is posted when Slack is back       |

`Watchdog.check` (the worker's `health` job, once per desk under a lease) posts one alert into
the leads' channel (`summary.channel`) when a condition starts and one "wieder in Ordnung"
when it ends; the state lives in Redis, so neither repeats per tick nor per worker.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from bot.clock import BusinessClock
from bot.config import DeskConfig
from bot.durations import format_duration
from bot.messages import say
from bot.metrics import Call
from bot.sources.registry import label, network
from bot.store.health import HealthStore, PollState

log = logging.getLogger(__name__)

BUDGET_ALERT = 0.8  # share of a monthly budget that raises `budget:*`
SLACK_CHECK_S = 30  # auth.test at most this often (live calls report in between)
USAGE_CHECK_S = 15 * 60  # X's usage endpoint allows 50 calls per 15 minutes


@dataclass(frozen=True)
class Problem:
    """One condition that holds now."""

    key: str
    network: str  # a network name, or `slack`
    kind: str  # token | polling | webhook | budget | slack
    detail: str
    since: float  # epoch s


def poll_verdict(calls: Iterable[Call]) -> tuple[str, str] | None:
    """What one poll's API calls say: ("ok"|"token"|"failed", status), or None (no call, or
    only rate limits: neither good nor bad news). The last answered call decides."""
    relevant = [c for c in calls if c.outcome != "rate_limited"]
    if not relevant:
        return None
    last = relevant[-1]
    status = last.detail or (str(last.status) if last.status else last.outcome)
    if last.outcome == "ok":
        return "ok", ""
    if last.outcome in ("unauthorized", "forbidden"):
        return "token", status
    return "failed", status


def record_poll(store: HealthStore, net: str, calls: Iterable[Call], found: int,
                now: float) -> None:
    """Store one poll's outcome where the watchdog reads it."""
    verdict = poll_verdict(calls)
    if verdict is None:
        return
    kind, status = verdict
    if kind == "ok":
        store.poll_ok(net, now, found)
    else:
        store.poll_failed(net, now, status, token=kind == "token")


def problems(now: datetime, config: DeskConfig, clock: BusinessClock,
             polls: Mapping[str, PollState], webhooks: Mapping[str, float | None],
             budgets: Mapping[tuple[str, str], float], slack: tuple[str, float] | None
             ) -> tuple[list[Problem], set[str]]:
    """The conditions holding at `now`, and the keys that cannot be judged now (webhook
    silence outside business hours: left as they are)."""
    found: list[Problem] = []
    unknown: set[str] = set()
    t = now.timestamp()
    for net, p in polls.items():
        if p.token:
            found.append(Problem(f"token:{net}", net, "token", p.token, p.failing_since or t))
        elif p.failing_since is not None and t - p.failing_since >= \
                config.health.poll_failing.total_seconds():
            found.append(Problem(f"polling:{net}", net, "polling", p.status, p.failing_since))
    for net, last in webhooks.items():
        key = f"webhook:{net}"
        p = polls.get(net, PollState())
        if last is None or p.found_since is None:
            continue  # never used, or polling found nothing the webhooks missed
        if not clock.is_open(now):
            unknown.add(key)
            continue
        start = datetime.fromtimestamp(last, UTC)
        if clock.elapsed(start, now) >= config.health.webhook_silence:
            found.append(Problem(key, net, "webhook", "", last))
    for (net, kind), share in budgets.items():
        if share > BUDGET_ALERT:
            found.append(Problem(f"budget:{net}:{kind}", net, "budget", kind, t))
    if slack is not None:
        found.append(Problem("slack", "slack", "slack", slack[0], slack[1] or t))
    return found, unknown


def _env(net: str) -> str:
    spec = network(net)
    prefix = str(spec.settings.model_config.get("env_prefix", "")) if spec else ""
    return f"{prefix.upper()}*"


def _label(net: str) -> str:
    return "Slack" if net == "slack" else label(net)


def alert_text(p: Problem, lang: str, now: float) -> str:
    """The leads' alert for `p` (catalogue `health.*`)."""
    since = format_duration(timedelta(seconds=max(0.0, now - p.since)), lang)
    net = _label(p.network)
    if p.kind == "token":
        return say("health.token", lang, network=net, detail=p.detail, env=_env(p.network))
    if p.kind == "polling":
        return say("health.polling", lang, network=net, since=since, detail=p.detail)
    if p.kind == "webhook":
        return say("health.webhook", lang, network=net, since=since)
    if p.kind == "budget":
        return say("health.budget", lang, network=net, share=round(BUDGET_ALERT * 100),
                   kind=say(f"health.budget.{p.detail}", lang))
    return say("health.slack", lang, detail=p.detail)


def recovery_text(info: Mapping[str, object], lang: str, now: float) -> str:
    """The leads' "wieder in Ordnung" for a condition raised with `info`."""
    since = float(str(info.get("since") or now))
    kind = str(info.get("kind") or "polling")
    return say("health.recovered", lang, network=_label(str(info.get("network") or "")),
               what=say(f"health.what.{kind}", lang),
               lasted=format_duration(timedelta(seconds=max(0.0, now - since)), lang))


class Watchdog:
    """Posts each condition's start and end once (see the module docstring).

    `post(channel, text)` posts into Slack; `take(name, ttl_ms)` is a Redis lease (the Slack
    and usage checks run at most every `SLACK_CHECK_S` / `USAGE_CHECK_S` across workers);
    `slack_check()` asks Slack whether it takes our token (its error code; "" when it does;
    None when Slack could not be asked);
    `usage[net]()` asks a network for its monthly budgets used ({kind: share}).
    """

    def __init__(self, config: DeskConfig, store: HealthStore, clock: BusinessClock, *,
                 polled: Iterable[str], webhooks: Iterable[str],
                 post: Callable[[str, str], object], take: Callable[[str, int], bool],
                 slack_check: Callable[[], str | None] | None = None,
                 usage: Mapping[str, Callable[[], dict[str, float]]] | None = None,
                 alerted: Callable[[str], None] = lambda kind: None,
                 now: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.config, self.store, self.clock = config, store, clock
        self.polled, self.webhooks = tuple(polled), tuple(webhooks)
        self.post, self.take, self.slack_check = post, take, slack_check
        self.usage = dict(usage or {})
        self.alerted, self.now = alerted, now
        self.channel = config.summary.channel or config.channels.default

    def check(self) -> list[str]:
        """One look: refresh what must be asked, then post what started or ended. Returns the
        keys whose alert or recovery this call posted (`+key` / `-key`)."""
        self._ask()
        now = self.now()
        t = now.timestamp()
        found, unknown = problems(
            now, self.config, self.clock, {n: self.store.poll_state(n) for n in self.polled},
            {n: self.store.webhook_last(n) for n in self.webhooks}, self.store.budgets(),
            self.store.slack_state())
        raised = self.store.raised()
        slack_down = any(p.kind == "slack" for p in found)
        posted: list[str] = []
        for p in found:
            if p.key in raised or (slack_down and p.kind != "slack"):
                continue  # alerted before, or Slack cannot take it now (the next look can)
            info = {"network": p.network, "kind": p.kind, "detail": p.detail, "since": p.since}
            if not self.store.raise_condition(p.key, info):
                continue  # another worker raised it just now
            if p.kind == "slack":
                log.error("Slack refuses the bot token (%s): /healthz answers 503", p.detail)
                posted.append(f"+{p.key}")
                continue  # cannot be told in Slack: /healthz says it
            if self._say(alert_text(p, self.config.language, t)):
                self.alerted(p.kind)
                posted.append(f"+{p.key}")
            else:
                self.store.clear_condition(p.key)  # the next look tries again
        current = {p.key for p in found} | unknown
        for key, info in raised.items():
            if key in current or slack_down or not self.store.clear_condition(key):
                continue
            if self._say(recovery_text(info, self.config.language, t)):
                posted.append(f"-{key}")
            else:
                self.store.raise_condition(key, info)  # posted on the next look
        return posted

    def _say(self, text: str) -> bool:
        try:
            self.post(self.channel, text)
        except Exception as exc:
            log.warning("health alert not posted (%s); retried on the next check",
                        type(exc).__name__)
            return False
        return True

    def _ask(self) -> None:
        """Ask Slack (auth.test) and the networks' usage, each at most as often as allowed."""
        if self.slack_check is not None and self.take("health:slack", SLACK_CHECK_S * 1000):
            error = self.slack_check()
            if error:
                self.store.slack_refused(error, time.time())
            elif error is not None:
                self.store.slack_ok()
        for net, ask in self.usage.items():
            if not self.take(f"health:usage:{net}", USAGE_CHECK_S * 1000):
                continue
            try:
                shares = ask()
            except Exception as exc:
                log.warning("%s usage unknown (%s)", label(net), type(exc).__name__)
                continue
            for kind, share in shares.items():
                self.store.set_budget(net, kind, share)

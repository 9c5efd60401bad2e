"""The daily summary for the leads: volumes, first-response times, target hit rate, per agent.

`compute` is pure (items and counts in, figures out); `render` turns figures into German or
English text, `render_week` two weeks side by side; `bot.chart` draws them (PNG for Slack).
The same `compute` serves the live summary (items from Redis) and `--from-audit` (items
rebuilt from the audit trail by `bot.replay`), so the two can be compared figure by figure.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.clock import BusinessClock
from bot.messages import say
from bot.models import Item, State, first_response
from bot.sources.registry import label


@dataclass
class NetworkFigures:
    items: int = 0
    answered: int = 0
    in_target: int = 0
    breached_unanswered: int = 0  # passed their target and were never answered (e.g. no reply)
    response_minutes: list[float] = field(default_factory=list)

    @property
    def hit_rate(self) -> float | None:
        """Share of items whose target was met: answered in time, over answered plus those
        that breached without an answer."""
        judged = self.answered + self.breached_unanswered
        return self.in_target / judged if judged else None

    @property
    def median(self) -> float | None:
        return statistics.median(self.response_minutes) if self.response_minutes else None


@dataclass
class DailyFigures:
    day: str
    counts: dict[str, int]
    networks: dict[str, NetworkFigures]
    agents: dict[str, NetworkFigures]
    open_backlog: int
    noreply_reasons: Counter[str]
    # issue 13: what the chart draws, and the Kürzel current when the figures were gathered
    items_per_hour: list[int] = field(default_factory=lambda: [0] * 24)  # by local hour seen
    answers_per_hour: list[int] = field(default_factory=lambda: [0] * 24)  # by hour answered
    responses: list[FirstResponse] = field(default_factory=list)  # one per answered item
    target_minutes: dict[str, float] = field(default_factory=dict)  # per network
    kuerzel: dict[str, str] = field(default_factory=dict)  # agent -> Kürzel


@dataclass(frozen=True)
class FirstResponse:
    """One first response: when the item was seen (local hour, fractional), how long it took
    (business minutes), on which network."""

    hour: float
    minutes: float
    network: str


def _local_hour(t: datetime, tz: ZoneInfo) -> float:
    local = t.astimezone(tz)
    return local.hour + local.minute / 60 + local.second / 3600


def compute(day: str, items: list[Item], counts: dict[str, int], clock: BusinessClock,
            targets: dict[str, timedelta], open_backlog: int, *, timezone: str = "Europe/Berlin",
            kuerzel: dict[str, str] | None = None) -> DailyFigures:
    """The day's figures from the items first seen that day (`items`, any order), the day's
    intake `counts`, and the open backlog. `kuerzel`: the agents' current Kürzel."""
    nets: dict[str, NetworkFigures] = defaultdict(NetworkFigures)
    agents: dict[str, NetworkFigures] = defaultdict(NetworkFigures)
    reasons: Counter[str] = Counter()
    tz = ZoneInfo(timezone)
    per_hour, answers_per_hour, responses = [0] * 24, [0] * 24, []
    for item in sorted(items, key=lambda i: i.number):
        net = nets[item.mention.network]
        seen = item.seen_at or item.mention.created_at
        per_hour[int(_local_hour(seen, tz))] += 1
        if item.answered_at is not None and item.answered_at.astimezone(tz).date().isoformat() == day:
            answers_per_hour[int(_local_hour(item.answered_at, tz))] += 1
        net.items += 1
        if item.state == State.NOREPLY or item.reason:
            reasons[item.reason] += 1
        rt = first_response(item, clock)
        if rt is None:
            if item.timer_state == "breached":
                net.breached_unanswered += 1
                if item.holder:
                    agents[item.holder].breached_unanswered += 1
            continue
        minutes = rt.total_seconds() / 60
        responses.append(FirstResponse(round(_local_hour(seen, tz), 4), minutes, item.mention.network))
        in_target = rt <= targets.get(item.mention.network, timedelta(minutes=40))
        for fig in (net, agents[item.answered_by]):
            fig.answered += 1
            fig.in_target += in_target
            fig.response_minutes.append(minutes)
    limits = {n: t.total_seconds() / 60 for n, t in sorted(targets.items()) if n in nets}
    return DailyFigures(day, counts, dict(nets), dict(agents), open_backlog, reasons,
                        per_hour, answers_per_hour, responses, limits,
                        {a: k for a in sorted(agents) if (k := (kuerzel or {}).get(a))})


def _fmt(v: float | None, pct: bool = False) -> str:
    if v is None:
        return "–"
    return f"{v * 100:.0f} %" if pct else f"{v:.0f}"


def render(s: DailyFigures, lang: str, kuerzel: dict[str, str] | None = None) -> str:
    """The summary as text; an agent's Kürzel is the current one (`s.kuerzel`), else the one
    in `kuerzel` (desk.yaml's)."""
    shown = {**(kuerzel or {}), **s.kuerzel}
    lines = [say("summary.title", lang, day=s.day),
             say("summary.volume", lang, ingested=s.counts.get("ingested", 0),
                 negative=s.counts.get("sentiment:negative", 0), open=s.open_backlog)]
    for net, f in sorted(s.networks.items()):
        lines.append(say("summary.network", lang, network=label(net),
                         items=f.items, answered=f.answered, median=_fmt(f.median),
                         hit=_fmt(f.hit_rate, pct=True), breached=f.breached_unanswered))
    for user, f in sorted(s.agents.items(), key=lambda kv: -kv[1].answered):
        lines.append(say("summary.agent", lang, user=user, kuerzel=shown.get(user, "?"),
                         answered=f.answered, median=_fmt(f.median),
                         hit=_fmt(f.hit_rate, pct=True)))
    if s.noreply_reasons:
        reasons = ", ".join(f"{r} {n}" for r, n in s.noreply_reasons.most_common())
        lines.append(say("summary.noreply", lang, reasons=reasons))
    return "\n".join(lines)


def as_dict(s: DailyFigures) -> dict[str, Any]:
    return {"day": s.day, "counts": s.counts, "open": s.open_backlog,
            "networks": {n: {"items": f.items, "answered": f.answered, "median_min": f.median,
                             "hit_rate": f.hit_rate, "breached_unanswered": f.breached_unanswered}
                         for n, f in s.networks.items()},
            "agents": {a: {"answered": f.answered, "median_min": f.median, "hit_rate": f.hit_rate}
                       for a, f in s.agents.items()},
            "noreply_reasons": dict(s.noreply_reasons),
            "items_per_hour": s.items_per_hour, "answers_per_hour": s.answers_per_hour,
            "first_responses": [[r.hour, r.minutes, r.network] for r in s.responses],
            "target_minutes": s.target_minutes, "kuerzel": s.kuerzel}


def render_week(this: DailyFigures, before: DailyFigures, lang: str, end: str) -> str:
    """Week over week: `this` week (from `this.day` to `end`) against the week `before`."""
    def answered(s: DailyFigures) -> int:
        return sum(f.answered for f in s.networks.values())

    def items(s: DailyFigures) -> int:
        return sum(f.items for f in s.networks.values())

    lines = [say("summary.week_title", lang, start=this.day, end=end),
             say("summary.week_volume", lang, ingested=this.counts.get("ingested", 0),
                 ingested_before=before.counts.get("ingested", 0), items=items(this),
                 items_before=items(before), answered=answered(this),
                 answered_before=answered(before))]
    for net in sorted(set(this.networks) | set(before.networks)):
        now, then = this.networks.get(net, NetworkFigures()), before.networks.get(
            net, NetworkFigures())
        lines.append(say("summary.week_network", lang, network=label(net),
                         median=_fmt(now.median), median_before=_fmt(then.median),
                         hit=_fmt(now.hit_rate, pct=True),
                         hit_before=_fmt(then.hit_rate, pct=True)))
    return "\n".join(lines)

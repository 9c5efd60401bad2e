"""The daily summary for the leads: volumes, first-response times, target hit rate, per agent.

`compute` is pure (items and counts in, figures out); `render` turns figures into German or
English text; `chart_svg` draws the per-network bars without extra dependencies.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

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


def compute(day: str, items: list[Item], counts: dict[str, int], clock: BusinessClock,
            targets: dict[str, timedelta], open_backlog: int) -> DailyFigures:
    nets: dict[str, NetworkFigures] = defaultdict(NetworkFigures)
    agents: dict[str, NetworkFigures] = defaultdict(NetworkFigures)
    reasons: Counter[str] = Counter()
    for item in items:
        net = nets[item.mention.network]
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
        in_target = rt <= targets.get(item.mention.network, timedelta(minutes=40))
        for fig in (net, agents[item.answered_by]):
            fig.answered += 1
            fig.in_target += in_target
            fig.response_minutes.append(minutes)
    return DailyFigures(day, counts, dict(nets), dict(agents), open_backlog, reasons)


def _fmt(v: float | None, pct: bool = False) -> str:
    if v is None:
        return "–"
    return f"{v * 100:.0f} %" if pct else f"{v:.0f}"


def render(s: DailyFigures, lang: str, kuerzel: dict[str, str]) -> str:
    lines = [say("summary.title", lang, day=s.day),
             say("summary.volume", lang, ingested=s.counts.get("ingested", 0),
                 negative=s.counts.get("sentiment:negative", 0), open=s.open_backlog)]
    for net, f in sorted(s.networks.items()):
        lines.append(say("summary.network", lang, network=label(net),
                         items=f.items, answered=f.answered, median=_fmt(f.median),
                         hit=_fmt(f.hit_rate, pct=True), breached=f.breached_unanswered))
    for user, f in sorted(s.agents.items(), key=lambda kv: -kv[1].answered):
        lines.append(say("summary.agent", lang, user=user, kuerzel=kuerzel.get(user, "?"),
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
            "noreply_reasons": dict(s.noreply_reasons)}


def chart_svg(s: DailyFigures) -> str:
    """A small bar chart: items and answered-in-target per network."""
    rows = sorted(s.networks.items())
    top = max([f.items for _, f in rows] + [1])
    bars = []
    for i, (net, f) in enumerate(rows):
        y = 30 + i * 50
        w_all, w_ok = 300 * f.items / top, 300 * f.in_target / top
        bars.append(
            f'<text x="10" y="{y + 15}" font-size="14">{net}</text>'
            f'<rect x="100" y="{y}" width="{w_all:.0f}" height="20" fill="#ccc"/>'
            f'<rect x="100" y="{y}" width="{w_ok:.0f}" height="20" fill="#e20074"/>'
            f'<text x="{110 + w_all:.0f}" y="{y + 15}" font-size="12">{f.in_target}/{f.items}</text>')
    h = 40 + 50 * len(rows)
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="480" height="{h}">'
            f'<text x="10" y="18" font-size="14">{s.day}</text>{"".join(bars)}</svg>\n')

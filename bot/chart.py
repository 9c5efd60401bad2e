"""The summary's chart (issue 13): what leads look at in the summary's thread.

Two panels drawn with matplotlib's headless Agg backend (no display, safe in workers):
items per hour against answers per hour, and each first response (business minutes, by the
hour the item was seen) against the networks' targets (20 and 40 minutes by default).
`chart_png` gives the bytes Slack shows; `chart_file` writes PNG or SVG by the file's ending.
Figures come from `bot.summary.DailyFigures` only: the chart shows nothing the text lacks.
"""

from __future__ import annotations

import io
from pathlib import Path

import matplotlib
from matplotlib.figure import Figure

from bot.messages import say
from bot.sources.registry import label
from bot.summary import DailyFigures

# Headless: a `Figure` made without pyplot draws on Agg's canvas; naming the backend too keeps
# a later pyplot import (e.g. by a library) from looking for a display.
matplotlib.use("Agg")

__all__ = ["CHART_SIZE", "chart_file", "chart_png"]

CHART_SIZE = (1200, 800)  # pixels, width x height, of the PNG
_DPI = 100
_COLOURS = {"twitter": "#1d9bf0", "facebook": "#1877f2", "bluesky": "#0085ff"}
_LINE_COLOURS = ("#e20074", "#f5a623", "#7b7b7b")


def _figure(s: DailyFigures, lang: str) -> Figure:
    width, height = CHART_SIZE
    fig = Figure(figsize=(width / _DPI, height / _DPI), dpi=_DPI)
    top, bottom = fig.subplots(2, 1)
    hours = list(range(24))
    top.bar([h - 0.2 for h in hours], s.items_per_hour, width=0.4, color="#9e9e9e",
            label=say("chart.items", lang))
    top.bar([h + 0.2 for h in hours], s.answers_per_hour, width=0.4, color="#e20074",
            label=say("chart.answers", lang))
    top.set_title(say("chart.title_hours", lang, day=s.day))
    top.set_xticks(hours)
    top.set_xlim(-0.6, 23.6)
    top.set_ylabel(say("chart.per_hour", lang))
    top.legend(loc="upper left")
    for net in sorted({r.network for r in s.responses}):
        points = [r for r in s.responses if r.network == net]
        bottom.scatter([r.hour for r in points], [r.minutes for r in points], s=24,
                       color=_COLOURS.get(net, "#333333"), label=label(net))
    for i, (net, minutes) in enumerate(sorted(s.target_minutes.items(), key=lambda kv: kv[1])):
        bottom.axhline(minutes, linestyle="--", linewidth=1.2,
                       color=_LINE_COLOURS[i % len(_LINE_COLOURS)],
                       label=say("chart.target", lang, network=label(net), minutes=f"{minutes:g}"))
    bottom.set_title(say("chart.title_responses", lang))
    bottom.set_xlim(0, 24)
    bottom.set_xticks(range(0, 25, 2))
    bottom.set_ylim(bottom=0)
    bottom.set_xlabel(say("chart.hour", lang))
    bottom.set_ylabel(say("chart.minutes", lang))
    if s.responses or s.target_minutes:
        bottom.legend(loc="upper left")
    fig.tight_layout()
    return fig


def chart_png(s: DailyFigures, lang: str) -> bytes:
    """The chart as a PNG of `CHART_SIZE` pixels."""
    buf = io.BytesIO()
    _figure(s, lang).savefig(buf, format="png", dpi=_DPI)
    return buf.getvalue()


def chart_file(s: DailyFigures, lang: str, path: str | Path) -> None:
    """Write the chart to `path`: SVG if it ends in .svg, else PNG."""
    fmt = "svg" if str(path).lower().endswith(".svg") else "png"
    _figure(s, lang).savefig(path, format=fmt, dpi=_DPI)

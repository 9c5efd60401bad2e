"""`python -m bot summary`: gather the day's figures, then post them or print them."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot.config import DeskConfig
from bot.entry.runtime import build_runtime
from bot.errors import ConfigError
from bot.reports import gather, gather_from_audit, post_summary
from bot.settings import Settings
from bot.summary import as_dict, render


def main(settings: Settings, config: DeskConfig, args: argparse.Namespace) -> int:
    try:
        day = date.fromisoformat(args.date) if args.date else datetime.now(
            ZoneInfo(config.timezone)).date()
    except ValueError:
        raise ConfigError("--date", f"{args.date!r} is not a date like 2026-11-24") from None
    rt = build_runtime(settings, config)
    from_audit = args.from_audit
    s = gather_from_audit(rt, day) if from_audit else gather(rt, day)
    if args.chart:
        from bot.chart import chart_file  # matplotlib loads only when a chart is asked for

        chart_file(s, config.language, args.chart)
    if args.print_only or from_audit or not settings.slack_bot_token:
        print(render(s, config.language, dict(config.agents)))
        print(json.dumps(as_dict(s), ensure_ascii=False), file=sys.stderr)
        return 0
    post_summary(rt, day, s)
    return 0

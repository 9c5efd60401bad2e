"""Logging setup for the entry points (structlog over the standard library). Never log bodies."""

from __future__ import annotations

import logging
import os
import sys

import structlog


def setup(level: str | None = None) -> None:
    """Human-readable logs on stderr; `LOG_FORMAT=json` for machine-readable ones."""
    renderer = (structlog.processors.JSONRenderer() if os.environ.get("LOG_FORMAT") == "json"
                else structlog.dev.ConsoleRenderer(colors=False))
    formatter = structlog.stdlib.ProcessorFormatter(
        processor=renderer,
        foreign_pre_chain=[structlog.processors.add_log_level,
                           structlog.processors.TimeStamper(fmt="iso")],
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level or os.environ.get("LOG_LEVEL", "INFO"))
    for noisy in ("slack_bolt", "slack_sdk", "urllib3", "httpx", "apscheduler"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    # A job that overruns its interval (Redis retrying, Slack pacing) is skipped and coalesced
    # by design (`bot.scheduler.JOB_DEFAULTS`); APScheduler would warn on every tick. Job
    # failures are logged by the jobs themselves (`bot.scheduler._safe`).
    logging.getLogger("apscheduler.scheduler").setLevel(logging.ERROR)

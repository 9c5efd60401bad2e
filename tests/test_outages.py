"""Redis going away under running processes: quiet back-off, honest answers, carrying on.

Real `python -m bot worker` processes and a real redis-server that is killed and started again
on the same port; the scheduled jobs and the Slack answers are checked in-process.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
import yaml

from bot.models import parse_mention
from bot.scheduler import _safe
from bot.store import MentionQueue, connect
from bot.store.outage import Backoff, Outage
from tests.emulators import XAPI, SlackAPI
from tests.harness import ROOT, mention, wait_for
from tests.support.processes import stop_processes
from tests.support.redis_server import RedisServer


def process_env(tmp_path: Path, redis_url: str, slack_api: SlackAPI, x_api: XAPI,
                **extra: str) -> dict[str, str]:
    """The environment of a `python -m bot` process against the emulators and `redis_url`."""
    raw = yaml.safe_load((ROOT / "config" / "desk.yaml").read_text())
    raw["business_hours"] = "always"
    raw["closed"] = []
    cfg = tmp_path / "desk.yaml"
    cfg.write_text(yaml.safe_dump(raw))
    return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "DESK_CONFIG": str(cfg),
            "REDIS_URL": redis_url, "SLACK_API_URL": slack_api.base_url,
            "SLACK_BOT_TOKEN": "xoxb-proc", "SLACK_SIGNING_SECRET": "process-secret",
            "X_API_URL": x_api.base_url, "INGEST_TOKEN": "tok", **extra}


@pytest.fixture
def aof_server() -> Iterator[RedisServer]:
    """A redis-server of this test's own (it is killed and started again), keeping its data."""
    with RedisServer(appendonly=True) as server:
        yield server


def _enqueue(url: str, mid: str, text: str) -> None:
    queue = MentionQueue(connect(url))
    assert queue.enqueue(parse_mention(mention(mid=mid, text=text)))


def test_worker_process_waits_out_a_redis_outage_quietly_and_carries_on(
        tmp_path: Path, aof_server: RedisServer, slack_api: SlackAPI, x_api: XAPI) -> None:
    """Killed for a few seconds: one line when Redis goes, one when it is back, no traceback
    per retry; the next mention is posted."""
    env = process_env(tmp_path, aof_server.url, slack_api, x_api)
    log_path = tmp_path / "worker.log"
    with log_path.open("wb") as log_file:
        worker = subprocess.Popen([sys.executable, "-m", "bot", "worker"], cwd=ROOT, env=env,
                                  stdout=subprocess.DEVNULL, stderr=log_file)
    try:
        _enqueue(aof_server.url, "1850000000000007001", "Seit drei Tagen kein Internet!")
        wait_for(lambda: slack_api.messages("C0FESTNETZ"), 30, "card before the outage")
        before = len(log_path.read_text().splitlines())
        aof_server.crash()
        time.sleep(6)  # the worker and its 1 s timers job try again and again meanwhile
        aof_server.start()
        _enqueue(aof_server.url, "1850000000000007002", "Immer noch kein Internet, Frechheit!")
        wait_for(lambda: len(slack_api.messages("C0FESTNETZ")) == 2, 30, "card after the outage")
    finally:
        stop_processes([worker])
    during = log_path.read_text().splitlines()[before:]
    assert worker.returncode == 0, during
    assert not any("Traceback" in line for line in during), during
    assert sum("Redis unreachable" in line for line in during) == 1, during
    assert sum("Redis reachable again" in line for line in during) == 1, during
    assert len(during) <= 4, during


def test_a_scheduled_job_rests_while_redis_is_unreachable_and_logs_once(caplog) -> None:
    """The timers job runs every second: during an outage it neither spins nor spews."""
    now = [0.0]
    calls: list[float] = []

    def job() -> None:
        calls.append(now[0])
        raise redis.ConnectionError("Connection refused")

    outage = Outage(clock=lambda: now[0])
    run = _safe("timers", job, outage, clock=lambda: now[0])
    for tick in range(40):  # 40 s of ticks, one a second
        now[0] = float(tick)
        run()
    # rests 0.5, 1, 2, 4, 8, then 10 s after each failure: 8 tries in 40 s instead of 40
    assert calls == [0.0, 1.0, 2.0, 4.0, 8.0, 16.0, 26.0, 36.0]
    assert outage.down
    assert [r.getMessage() for r in caplog.records if "Redis" in r.getMessage()] == [
        "Redis nicht erreichbar, neuer Versuch mit wachsender Pause / Redis unreachable, "
        "retrying with back-off (ConnectionError)"]
    assert not any(r.exc_info for r in caplog.records)


def test_backoff_doubles_up_to_its_cap_and_starts_over_after_a_success() -> None:
    b = Backoff(first=0.5, cap=10)
    assert [b.next() for _ in range(7)] == [0.5, 1, 2, 4, 8, 10, 10]
    b.reset()
    assert b.next() == 0.5

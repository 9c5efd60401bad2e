"""`/healthz` asks the workers, not only Redis: a desk whose workers are silent is not healthy.

The worker heartbeats are real (Worker.run in a thread, or steps), the clock is the real one
with a short interval (`heartbeat_interval`, HEARTBEAT_INTERVAL in production).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import httpx
import pytest

from bot.entry.worker import Worker
from bot.store import keys
from bot.store.heartbeats import PRUNE_AFTER_S, Heartbeats
from tests.harness import DeskHarness, wait_for

EVERY = 0.2  # s: the heartbeat interval of these tests (/healthz fails after 3 silent ones)


@pytest.fixture
def quick(redis_url: str, slack_api, x_api, graph_api, signing_secret) -> Iterator[DeskHarness]:
    h = DeskHarness(redis_url, slack_api, x_api, graph_api, signing_secret,
                    heartbeat_interval=EVERY)
    yield h
    h.close()


def test_healthz_says_so_when_no_worker_has_ever_reported(quick: DeskHarness) -> None:
    r = quick.http.get("/healthz")
    assert r.status_code == 503
    assert r.json()["ok"] is False and r.json()["workers"] == 0
    assert "no worker has reported yet" in r.json()["reason"]


def test_healthz_follows_a_running_worker_and_names_the_silence_after_it_stops(
        quick: DeskHarness) -> None:
    stop = threading.Event()
    worker = Worker(quick.rt, name="w-alive")
    thread = threading.Thread(target=worker.run, args=(stop,), daemon=True)
    thread.start()
    try:
        wait_for(lambda: quick.http.get("/healthz").status_code == 200, 5, "healthy")
        for _ in range(8):  # stays healthy over many intervals: it beats every step
            time.sleep(EVERY)
            r = quick.http.get("/healthz")
            assert r.status_code == 200, r.json()
        body = r.json()
        model = body.pop("triage_model")  # issue 14: the model and its licence
        assert body == {"ok": True, "redis": "ok", "workers": 1, "worker_names": ["w-alive"]}
        assert model["version"] == "sentiment-v2" and model["threshold"] == 0.2
        assert "CC BY-NC" in model["licence"] and model["commercial_use"] is False
        assert "alert_team_workers_alive 1" in quick.http.get("/metrics").text
    finally:
        stop.set()
        thread.join(5)

    def unhealthy() -> httpx.Response | None:
        resp = quick.http.get("/healthz")
        return resp if resp.status_code == 503 else None

    reason = wait_for(unhealthy, 5, "503 after the worker stopped").json()["reason"]
    assert reason.startswith("no worker has reported for ")
    assert "(3 intervals of 0.2 s; last: w-alive)" in reason
    assert "alert_team_workers_alive 0" in quick.http.get("/metrics").text


def test_one_live_worker_among_dead_ones_is_enough(quick: DeskHarness) -> None:
    beats = Heartbeats(quick.rt.redis, clock=lambda: time.time() - 60)
    beats.beat("dead-1")
    Worker(quick.rt, name="live").step(block_ms=10)
    body = quick.http.get("/healthz").json()
    assert body["ok"] is True and body["worker_names"] == ["live"]


def test_names_silent_for_an_hour_are_pruned(quick: DeskHarness) -> None:
    now = [1_000_000.0]
    beats = Heartbeats(quick.rt.redis, clock=lambda: now[0])
    beats.beat("old")
    now[0] += PRUNE_AFTER_S + 1
    beats.beat("new")
    assert quick.rt.redis.zrange(keys.WORKER_BEATS, 0, -1) == ["new"]

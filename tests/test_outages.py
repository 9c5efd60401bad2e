"""Redis going away under running processes: quiet back-off, honest answers, carrying on.

Real `python -m bot worker` processes and a real redis-server that is killed and started again
on the same port; the scheduled jobs and the Slack answers are checked in-process.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import redis
import yaml

from bot.scheduler import _safe
from bot.store.outage import Backoff, Outage
from tests.emulators import XAPI, GraphAPI, SlackAPI
from tests.harness import AGENT_A, ROOT, DeskHarness, mention, wait_for
from tests.support.processes import free_port, stop_processes
from tests.support.redis_server import RedisServer
from tests.support.slack_signing import interactivity_body


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


def test_processes_wait_out_a_redis_outage_quietly_and_carry_on(
        tmp_path: Path, aof_server: RedisServer, slack_api: SlackAPI, x_api: XAPI) -> None:
    """Redis killed for a few seconds under `web` and `worker`: /ingest answers 503 with a
    reason and Retry-After; each process logs one line when Redis goes and one when it is back,
    no traceback per retry; the next mention is posted."""
    env = process_env(tmp_path, aof_server.url, slack_api, x_api, PORT=str(free_port()))
    base = f"http://127.0.0.1:{env['PORT']}"
    logs = {cmd: tmp_path / f"{cmd}.log" for cmd in ("web", "worker")}
    procs = []
    for cmd, path in logs.items():
        with path.open("wb") as log_file:
            procs.append(subprocess.Popen([sys.executable, "-m", "bot", cmd], cwd=ROOT, env=env,
                                          stdout=subprocess.DEVNULL, stderr=log_file))

    def ingest(mid: str, text: str) -> httpx.Response:
        return httpx.post(f"{base}/ingest", content=json.dumps(mention(mid=mid, text=text)),
                          headers={"Authorization": "Bearer tok"}, timeout=10)

    def listening() -> bool:
        try:
            return httpx.get(f"{base}/metrics", timeout=1).status_code == 200
        except httpx.HTTPError:
            return False

    try:
        wait_for(listening, 30, "web listening")
        assert ingest("1850000000000007001", "Seit drei Tagen kein Internet!").status_code == 200
        wait_for(lambda: slack_api.messages("C0FESTNETZ"), 30, "card before the outage")
        before = {cmd: len(path.read_text().splitlines()) for cmd, path in logs.items()}
        aof_server.crash()
        refused = ingest("1850000000000007002", "Immer noch kein Internet, Frechheit!")
        assert refused.status_code == 503
        assert refused.headers["Retry-After"] == "30"
        assert "Redis unreachable" in refused.json()["reason"]
        time.sleep(6)  # the worker and its 1 s timers job try again and again meanwhile
        aof_server.start()
        assert ingest("1850000000000007002", "Immer noch kein Internet, Frechheit!"
                      ).status_code == 200
        wait_for(lambda: len(slack_api.messages("C0FESTNETZ")) == 2, 30, "card after the outage")
    finally:
        stop_processes(procs)
    for cmd, path in logs.items():
        during = path.read_text().splitlines()[before[cmd]:]
        assert not any("Traceback" in line for line in during), (cmd, during)
        assert sum("Redis unreachable" in line for line in during) == 1, (cmd, during)
        assert sum("Redis reachable again" in line for line in during) == 1, (cmd, during)
        assert len(during) <= 4, (cmd, during)
    assert procs[1].returncode == 0  # the worker stopped cleanly on SIGTERM


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


def test_every_web_door_answers_honestly_while_redis_is_down(
        aof_server: RedisServer, slack_api: SlackAPI, x_api: XAPI, graph_api: GraphAPI,
        signing_secret: str, caplog) -> None:
    """/ingest, /metrics and /healthz: 503 with a JSON reason and Retry-After; Slack events 503
    (Slack retries them); a slash command and a modal submit: the catalogue's words, privately."""
    h = DeskHarness(aof_server.url, slack_api, x_api, graph_api, signing_secret)
    try:
        h.ingest(mention())
        h.process()
        aof_server.crash()
        for method, path in (("POST", "/ingest"), ("GET", "/metrics"), ("GET", "/healthz")):
            r = h.http.request(method, path, content=json.dumps(mention(mid="2")),
                               headers={"Authorization": "Bearer ingest-secret-token"})
            assert r.status_code == 503, path
            assert r.headers["Retry-After"] == "30"
            assert r.json()["ok"] is False and "Redis unreachable" in r.json()["reason"]
        assert "Der Desk ist gerade nicht erreichbar (Datenbank)" in h.run_command(
            "/claim", "1", AGENT_A)
        event = json.dumps({"token": "x", "team_id": "T0TEAM", "api_app_id": "A0APP",
                            "type": "event_callback", "event_id": "Ev0503", "event_time": 1,
                            "event": {"type": "app_home_opened", "user": AGENT_A}}).encode()
        assert h.signed_post(event, headers={"Content-Type": "application/json"}
                             ).status_code == 503
        submit = {"type": "view_submission", "user": {"id": AGENT_A}, "team": {"id": "T0TEAM"},
                  "api_app_id": "A0APP", "token": "x", "trigger_id": "1.2.3",
                  "view": {"id": "V1", "type": "modal", "callback_id": "noreply_modal",
                           "private_metadata": "1", "state": {"values": {
                               "reason": {"reason_select": {"type": "static_select",
                                                            "selected_option": {"value": "spam"}}},
                           }}}}
        resp = h.signed_post(interactivity_body(submit))
        assert "nicht erreichbar" in resp.json()["errors"]["reason"]

        aof_server.start()
        assert h.ingest(mention(mid="3")).status_code == 200
        assert h.http.get("/metrics").status_code == 200
    finally:
        h.close()
    assert not any(r.exc_info for r in caplog.records), "no traceback for an outage"
    lines = [r.getMessage() for r in caplog.records if "Redis" in r.getMessage()]
    assert sum("Redis unreachable, retrying" in m for m in lines) == 1, lines
    assert sum("Redis reachable again" in m for m in lines) == 1, lines

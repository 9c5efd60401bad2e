"""The contract as a black box: `python -m bot web`, `worker` and `ingest` as separate processes,
configured only by environment variables, against the emulators and a real redis-server."""

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
import yaml

from tests.harness import ROOT, wait_for
from tests.support.processes import free_port, stop_processes
from tests.support.slack_signing import signed_headers, slash_body

SECRET = "process-secret"


@pytest.fixture
def env(tmp_path: Path, redis_url: str, slack_api, x_api, graph_api) -> dict[str, str]:
    raw = yaml.safe_load((ROOT / "config" / "desk.yaml").read_text())
    raw["business_hours"] = "always"
    raw["closed"] = []
    cfg = tmp_path / "desk.yaml"
    cfg.write_text(yaml.safe_dump(raw))
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"), "DESK_CONFIG": str(cfg),
        "REDIS_URL": redis_url, "SLACK_API_URL": slack_api.base_url,
        "SLACK_BOT_TOKEN": "xoxb-proc", "SLACK_SIGNING_SECRET": SECRET,
        "X_API_URL": x_api.base_url, "X_CONSUMER_KEY": "ck", "X_CONSUMER_SECRET": "cs",
        "X_ACCESS_TOKEN": "at", "X_ACCESS_TOKEN_SECRET": "ats", "X_USER_ID": x_api.me["id"],
        "INGEST_TOKEN": "tok", "PORT": str(free_port()),
    }


@pytest.fixture
def processes(env: dict[str, str]) -> Iterator[dict[str, str]]:
    procs = [subprocess.Popen([sys.executable, "-m", "bot", cmd], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
             for cmd in ("web", "worker")]
    base = f"http://127.0.0.1:{env['PORT']}"

    def healthy() -> bool:
        try:
            return httpx.get(f"{base}/healthz", timeout=1).status_code == 200
        except httpx.HTTPError:
            return False

    try:
        wait_for(healthy, 30, "web process healthy")
        yield {"base": base}
    finally:
        stop_processes(procs)


def test_processes_post_card_claim_and_reply(env, processes, slack_api, x_api) -> None:
    x_api.add_mention("1850000000000009001", "@brand Seit drei Tagen kein Internet, Frechheit!",
                      "501", "kunde_a", "Kunde A")
    line = {"network": "twitter", "id": "1850000000000009001",
            "text": "@brand Seit drei Tagen kein Internet, Frechheit!",
            "author": {"id": "501", "handle": "kunde_a", "name": "Kunde A"},
            "created_at": "2026-11-24T09:15:00+01:00"}
    bad = dict(line, created_at="gestern")
    ingest = subprocess.run([sys.executable, "-m", "bot", "ingest", "-"], cwd=ROOT, env=env,
                            input=json.dumps(line) + "\n" + json.dumps(bad) + "\n" + json.dumps(line),
                            capture_output=True, text=True, timeout=60)
    assert ingest.returncode == 1
    assert json.loads(ingest.stdout) == {"accepted": 1, "duplicate": 1, "rejected": 1}
    assert "line 2" in ingest.stderr
    card = wait_for(lambda: slack_api.messages("C0FESTNETZ"), 30, "card posted")[0]
    assert card["metadata"]["event_payload"]["item"] == 1

    def command(text: str, cmd: str, rid: str) -> None:
        body = slash_body(cmd, text, "U0AGENT1", "C0FESTNETZ", response_url=slack_api.response_url(rid))
        r = httpx.post(f"{processes['base']}/slack/events", content=body,
                       headers=signed_headers(body, SECRET), timeout=5)
        assert r.status_code == 200

    command("1", "/claim", "c1")
    assert "#1" in wait_for(lambda: slack_api.responses("c1"), 10, "claim answer")[0]["text"]
    command("1 Das tut uns leid, wir prüfen das sofort!", "/reply", "c2")
    wait_for(lambda: slack_api.responses("c2"), 10, "reply answer")
    assert x_api.replies_to("1850000000000009001")[0]["text"].endswith(" ^AB")
    time.sleep(0.5)
    assert len(slack_api.messages("C0FESTNETZ")) == 1  # one card, updated in place


def test_cli_reads_files_and_stdin_with_a_byte_order_mark(env, tmp_path) -> None:
    line = json.dumps({"network": "twitter", "id": "77", "text": "Kein Internet seit Tagen!",
                       "author": {"id": "1", "handle": "a"},
                       "created_at": "2026-11-24T09:00:00Z"})
    bom = tmp_path / "export.jsonl"
    bom.write_text("\ufeff" + line + "\n", encoding="utf-8")
    for args, stdin in ((["triage", str(bom)], None), (["triage", "-"], bom.read_bytes()),
                        (["ingest", "-"], bom.read_bytes())):
        proc = subprocess.run([sys.executable, "-m", "bot", *args], cwd=ROOT, env=env,
                              input=stdin, capture_output=True, timeout=60)
        assert proc.returncode == 0, (args, proc.stderr.decode())


def test_web_says_where_it_listens(env) -> None:
    """honcho sets PORT (5000): the web process names the address it took."""
    proc = subprocess.Popen([sys.executable, "-m", "bot", "web"], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    def up() -> bool:
        try:
            httpx.get(f"http://127.0.0.1:{env['PORT']}/healthz", timeout=1)
            return True  # any answer: it listens
        except httpx.HTTPError:
            return proc.poll() is not None  # it died: stop waiting, the assertion says why

    try:
        wait_for(up, 30, "web up")
    finally:
        stop_processes([proc])
    err = proc.stderr.read().decode() if proc.stderr else ""
    assert f"listening on http://0.0.0.0:{env['PORT']}" in err

"""Worker processes (`python -m bot worker`) against a test desk's Redis and Slack emulator."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import redis
import yaml

ROOT = Path(__file__).resolve().parents[2]


def start_workers(redis_url: str, slack_url: str, tmp_path: Path, count: int,
                  **desk_yaml: Any) -> list[subprocess.Popen[bytes]]:
    """`count` workers on config/desk.yaml with `always` hours and `desk_yaml` on top; each
    logs to `tmp_path/worker<i>.log`. Stop them with `stop_processes`."""
    raw = yaml.safe_load((ROOT / "config" / "desk.yaml").read_text())
    raw.update(business_hours="always", closed=[], **desk_yaml)
    (tmp_path / "desk.yaml").write_text(yaml.safe_dump(raw, allow_unicode=True))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("X_", "FACEBOOK_", "SLACK_"))}
    env.update(REDIS_URL=redis_url, SLACK_API_URL=slack_url, SLACK_BOT_TOKEN="xoxb-test-token",
               DESK_CONFIG=str(tmp_path / "desk.yaml"))
    return [subprocess.Popen([sys.executable, "-m", "bot", "worker"], cwd=ROOT, env=env,
                             stdout=subprocess.DEVNULL,
                             stderr=(tmp_path / f"worker{i}.log").open("wb"))
            for i in range(count)]


def consumers(r: redis.Redis, stream: str, group: str) -> int:
    """How many workers read the mention stream (0 before the first one made the group)."""
    try:
        return len(r.xinfo_consumers(stream, group))
    except redis.ResponseError:
        return 0


def worker_logs(tmp_path: Path, count: int) -> str:
    return "".join((tmp_path / f"worker{i}.log").read_text() for i in range(count))

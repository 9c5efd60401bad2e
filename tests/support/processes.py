"""Stopping the project's own processes that a test started (terminate, then kill)."""

from __future__ import annotations

import os
import socket
import subprocess
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    """A loopback port nobody listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def desk_env(tmp_path: Path, redis_url: str, slack_api: Any, x_api: Any, *,
             desk: dict[str, Any], **extra: str) -> dict[str, str]:
    """Environment of `python -m bot web|worker` against the emulators, with X credentials:
    config/desk.yaml with `always` hours, no closed days and `desk` on top."""
    raw = yaml.safe_load((ROOT / "config" / "desk.yaml").read_text())
    raw.update(business_hours="always", closed=[])
    for key, value in desk.items():
        if isinstance(value, dict) and isinstance(raw.get(key), dict):
            raw[key] = {**raw[key], **value}
        else:
            raw[key] = value
    cfg = tmp_path / "desk.yaml"
    cfg.write_text(yaml.safe_dump(raw))
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"), "DESK_CONFIG": str(cfg),
        "REDIS_URL": redis_url, "SLACK_API_URL": slack_api.base_url,
        "SLACK_BOT_TOKEN": "xoxb-proc", "SLACK_SIGNING_SECRET": "s",
        "X_API_URL": x_api.base_url, "X_CONSUMER_KEY": "ck", "X_CONSUMER_SECRET": "cs",
        "X_ACCESS_TOKEN": "at", "X_ACCESS_TOKEN_SECRET": "ats", "X_USER_ID": x_api.me["id"],
        "INGEST_TOKEN": "tok", "PORT": str(free_port()), "HEARTBEAT_INTERVAL": "0.5",
        **extra,
    }


def stop_processes(procs: Iterable[subprocess.Popen[bytes]], timeout: float = 10) -> None:
    """SIGTERM every process, wait for each, and kill the ones that do not stop in time."""
    procs = list(procs)
    for p in procs:
        p.terminate()
    for p in procs:
        try:
            p.wait(timeout)
        except subprocess.TimeoutExpired:
            p.kill()

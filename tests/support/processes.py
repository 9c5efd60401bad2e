"""The project's own processes in tests: free ports for them, their environment, stopping them."""

from __future__ import annotations

import itertools
import os
import random
import socket
import subprocess
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]


PORTS_FROM, PORTS_PER_PROCESS = 10_000, 2_500  # below the kernel's ephemeral ports (32768+)
_next_port = itertools.count(random.randrange(PORTS_PER_PROCESS))


def free_port() -> int:
    """A loopback port nobody listens on now, for a child process to listen on.

    Not one the kernel hands out (`bind(0)`): between this check and the child's bind, another
    xdist worker could get the same port for its own child, or an outgoing connection take it;
    then a test talks to another test's web process (we saw a 401 from a web with another
    INGEST_TOKEN). Each test process takes from a range of its own (by xdist worker), below the
    ephemeral range, in turn.
    """
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    index = int(worker[2:]) if worker[2:].isdigit() else 0
    base = PORTS_FROM + (index % 9) * PORTS_PER_PROCESS
    for _ in range(PORTS_PER_PROCESS):
        port = base + next(_next_port) % PORTS_PER_PROCESS
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free loopback port in {base}-{base + PORTS_PER_PROCESS - 1}")


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

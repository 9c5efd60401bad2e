"""Slash-command ack latency over real HTTP: how fast the web process answers Slack.

    .venv/bin/python benchmarks/ack_latency.py [--requests 500]

Serves the production web app (uvicorn, Bolt with signature verification) against a real
redis-server (throw-away, free port) and the Slack emulator, then sends signed `/claim` and
`/desk help` requests one after another and prints p50/p99/max of the HTTP round trip. Slack
allows 3 s; our design target is p99 < 100 ms, because the ack comes before any slow work.
"""

from __future__ import annotations

import argparse
import socket
import statistics
import sys
import threading
import time
from pathlib import Path

import httpx
import uvicorn

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.entry.runtime import build_runtime  # noqa: E402
from bot.entry.web import create_web_app  # noqa: E402
from bot.settings import Settings  # noqa: E402
from tests.emulators import SlackAPI  # noqa: E402
from tests.harness import desk_config  # noqa: E402
from tests.support.redis_server import RedisServer  # noqa: E402
from tests.support.slack_signing import signed_headers, slash_body  # noqa: E402

SECRET = "bench-secret"


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--requests", type=int, default=500)
    n = p.parse_args().requests
    with RedisServer() as server, SlackAPI() as slack:
        settings = Settings(slack_bot_token="xoxb-bench", slack_signing_secret=SECRET,
                            slack_api_url=slack.base_url, redis_url=server.url)
        rt = build_runtime(settings, desk_config())
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        srv = uvicorn.Server(uvicorn.Config(create_web_app(rt), log_level="warning",
                                            access_log=False))
        serving = threading.Thread(target=srv.run, kwargs={"sockets": [sock]}, daemon=True)
        serving.start()
        while not srv.started:
            time.sleep(0.01)
        results: dict[str, list[float]] = {}
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as http:
            for command, text in (("/claim", "17"), ("/desk", "help")):
                times = []
                for i in range(n):
                    body = slash_body(command, text, "U0AGENT1", "C0ALERTS",
                                      response_url=slack.response_url(f"b{i}"))
                    t0 = time.perf_counter()
                    resp = http.post("/slack/events", content=body,
                                     headers=signed_headers(body, SECRET))
                    times.append((time.perf_counter() - t0) * 1000)
                    assert resp.status_code == 200
                results[f"{command} {text}"] = times
        srv.should_exit = True
        serving.join(30)  # the web runs the listeners it answered before it stops
    print(f"| request ({n} sequential, signed, real HTTP) | p50 ms | p99 ms | max ms |")
    print("|---|---|---|---|")
    for name, t in results.items():
        t.sort()
        p99 = t[min(len(t) - 1, int(len(t) * 0.99))]
        print(f"| `{name}` | {statistics.median(t):.1f} | {p99:.1f} | {t[-1]:.1f} |")


if __name__ == "__main__":
    main()

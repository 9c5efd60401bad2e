"""CPU per pipeline of the installed redis-py: why requirements.txt pins 7.4.1 (issue 15).

    .venv/bin/python benchmarks/redis_pipeline.py [--url redis://127.0.0.1:6379/0]

A card costs the worker three or four pipelines of about thirty commands in all, so redis-py's
own work per command and per pipeline is part of every card. This times pipelines of eight
`HSET`s (client CPU, best of three runs of 3,000) against a running Redis and prints the CPU
per pipeline with the version; run it in two virtualenvs to compare versions (measured:
8.1.0 131–160 µs, 7.4.1 90–115 µs on the same machine, runs interleaved).
"""

from __future__ import annotations

import argparse
import time

import redis


def per_pipeline(r: redis.Redis, n: int) -> float:
    """Client CPU µs of one pipeline of eight HSETs (mean over `n`)."""
    start = time.process_time()
    for _ in range(n):
        pipe = r.pipeline(transaction=False)
        for j in range(8):
            pipe.hset("bench:pipeline", f"f{j}", "v" * 40)
        pipe.execute()
    return (time.process_time() - start) / n * 1e6


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--url", default="redis://127.0.0.1:6379/0")
    args = p.parse_args()
    r = redis.Redis.from_url(args.url, socket_timeout=5, health_check_interval=30,
                             decode_responses=True)
    per_pipeline(r, 500)  # warm up
    best = min(per_pipeline(r, 3000) for _ in range(3))
    r.delete("bench:pipeline")
    print(f"redis-py {redis.__version__}: {best:.0f} µs CPU per pipeline of eight HSETs")


if __name__ == "__main__":
    main()

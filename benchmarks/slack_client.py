"""The Slack client's CPU per call: slack-sdk's own transport against the keep-alive one.

    .venv/bin/python benchmarks/slack_client.py [--posts 500] [--rounds 4]

Posts card-sized messages (six Block Kit sections) with `chat.postMessage` to the Slack
emulator, which runs in a process of its own, from one thread: `--rounds` rounds, each round
`--posts` posts through a plain `slack_sdk.WebClient` (urllib: a new connection per call), then
as many through `bot.slack.keepalive.KeepAliveWebClient`. Printed: this thread's CPU time per
post (`time.thread_time`) and the wall time per post, as medians over the rounds, and their
ratio (the rounds interleave, so a machine that slows down mid-run slows both).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from slack_sdk import WebClient  # noqa: E402

from benchmarks.worker_cpu import slack_in_a_process  # noqa: E402
from bot.slack.keepalive import KeepAliveWebClient  # noqa: E402

TEXT = "Seit drei Tagen kein Internet, das ist eine Katastrophe! " * 3
BLOCKS = [{"type": "section", "text": {"type": "mrkdwn", "text": TEXT}}] * 6


def one_round(client: WebClient, posts: int) -> tuple[float, float]:
    """(µs CPU, µs wall) per post."""
    cpu, wall = time.thread_time(), time.perf_counter()
    for _ in range(posts):
        client.chat_postMessage(channel="C1", text="Neuer Fall", blocks=BLOCKS)
    return ((time.thread_time() - cpu) / posts * 1e6,
            (time.perf_counter() - wall) / posts * 1e6)


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--posts", type=int, default=500)
    p.add_argument("--rounds", type=int, default=4)
    args = p.parse_args()
    kinds = {"slack-sdk (urllib)": WebClient, "keep-alive": KeepAliveWebClient}
    seen: dict[str, list[tuple[float, float]]] = {name: [] for name in kinds}
    with slack_in_a_process() as base_url:
        for _ in range(args.rounds):
            for name, kind in kinds.items():
                seen[name].append(one_round(kind(token="xoxb-bench", base_url=base_url),
                                            args.posts))
    medians = {name: (statistics.median(c for c, _ in runs), statistics.median(w for _, w in runs))
               for name, runs in seen.items()}
    for name, (cpu, wall) in medians.items():
        print(f"{name}: {cpu:,.0f} µs CPU, {wall:,.0f} µs wall per post")
    (old_cpu, old_wall), (new_cpu, new_wall) = medians.values()
    print(f"keep-alive / slack-sdk: CPU {new_cpu / old_cpu:.2f}, wall {new_wall / old_wall:.2f} "
          f"({args.rounds} rounds of {args.posts} posts, Python {sys.version.split()[0]})")


if __name__ == "__main__":
    main()

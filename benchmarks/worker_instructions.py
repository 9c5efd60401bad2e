"""Instructions per card: one worker's CPU per card as a count, not a time (issue 15).

    .venv/bin/python benchmarks/worker_instructions.py [--small 100] [--large 500]

Times on this machine move by a third from one hour to the next (`worker_cpu.py` gave 2.45 and
3.69 ms per card for the same commit within twenty minutes), so a change of a few per cent
cannot be seen in them. Instructions can: this runs `worker_cpu.py` (one run, lanes 0: the
cards one after another in one thread, no thread switches to count) under valgrind's
cachegrind, once with `--small` and once with `--large` mentions, and prints the difference
divided by the difference in cards: the user-space instructions one more card costs in the
worker's process (start-up, imports and the setup cancel out; the ingest of a mention is
counted, the Redis server and the Slack emulator are other processes and are not).
`PYTHONHASHSEED=0` keeps runs of one commit within about 1 %.

Needs valgrind (`apt-get install valgrind`); a run of the defaults takes about five minutes.
Compare two commits by running it in a checkout of each.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def instructions(mentions: int) -> int:
    """User-space instructions of `worker_cpu.py` draining `mentions` queued mentions."""
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    out = subprocess.run(
        ["valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null",
         sys.executable, str(ROOT / "benchmarks" / "worker_cpu.py"), "--mentions",
         str(mentions), "--runs", "1", "--lanes", "0"],
        env=env, cwd=ROOT, capture_output=True, text=True, check=True)
    found = re.search(r"I\s+refs:\s+([\d,]+)", out.stderr)
    if found is None:
        raise RuntimeError(f"no instruction count from valgrind:\n{out.stderr[-2000:]}")
    return int(found.group(1).replace(",", ""))


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--small", type=int, default=100)
    p.add_argument("--large", type=int, default=500)
    args = p.parse_args()
    small, large = instructions(args.small), instructions(args.large)
    per_card = (large - small) / (args.large - args.small)
    print(f"{args.small} cards: {small:,} instructions; {args.large} cards: {large:,}")
    print(f"one card: {per_card / 1e6:.2f} million instructions in the worker's process "
          f"(Python {sys.version.split()[0]})")


if __name__ == "__main__":
    main()

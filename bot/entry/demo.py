"""`python -m bot demo`: the whole desk in one process, embedded Redis, no credentials.

Ingests the bundled German sample mentions, runs the worker, prints the cards as Slack would
show them (with Block Kit Builder links), then plays a scripted claim and reply.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import TextIO

import yaml

from bot.config import DeskConfig, config_from_dict, load_config
from bot.desk import Outcome
from bot.entry.runtime import build_runtime
from bot.entry.worker import Worker
from bot.errors import DeskRefusal
from bot.ingest import ingest_lines
from bot.messages import say
from bot.models import Mention
from bot.settings import Settings
from bot.slack.console import ConsoleSlack, plain
from bot.sources.base import Posted
from bot.sources.registry import networks


class DemoNetwork:
    """Prints what would be posted to the network instead of posting it."""

    def __init__(self, network: str, out: TextIO) -> None:
        self.network = network
        self.out = out

    def reply(self, mention: Mention, text: str) -> Posted:
        self.out.write(f"  → {self.network}: Antwort an @{mention.author.handle}: {text}\n\n")
        return Posted(f"demo-{mention.id}")

    def private_reply(self, mention: Mention, text: str) -> Posted | None:
        self.out.write(f"  → {self.network}: private Nachricht an @{mention.author.handle}: {text}\n\n")
        return Posted(f"demo-dm-{mention.id}")



DEMO_AGENTS = {"U0AGENT1": "AB", "U0AGENT2": "CD"}


def _demo_config(path: str | Path = "config/desk.yaml") -> DeskConfig:
    """`path` (DESK_CONFIG) as the desk would load it, open at any hour, with two agents."""
    path = Path(path)
    load_config(path)  # the file must be valid as it is: a mistake exits 2 naming the field
    base = yaml.safe_load(path.read_text("utf-8-sig"))
    base["business_hours"] = "always"  # the demo runs at any hour
    base["closed"] = []
    if len(base.get("agents") or {}) < 2:  # the script needs two agents to show a refused claim
        base["agents"] = {**DEMO_AGENTS, **(base.get("agents") or {})}
    return config_from_dict(base)


def run_demo(out: TextIO, desk_config: str = "config/desk.yaml") -> int:
    """The scripted demo on `desk_config` (DESK_CONFIG); returns the exit status."""
    settings = Settings(redis_url="", slack_bot_token="", slack_signing_secret="demo")
    config = _demo_config(desk_config)
    net = {n: DemoNetwork(n, out) for n in networks()}
    rt = build_runtime(settings, config, slack=ConsoleSlack(out), replies=net,
                       now=lambda: datetime(2026, 11, 24, 8, 30, tzinfo=UTC))
    lang = rt.config.language
    samples = resources.files("bot.demo_data").joinpath("mentions.jsonl").read_text("utf-8")
    out.write("=== Alert-Team Demo: Erwähnungen einlesen ===\n")
    report = ingest_lines(samples.splitlines(), rt.queue)
    out.write(f"angenommen {report.accepted}, doppelt {report.duplicates}, "
              f"abgelehnt {len(report.rejected)}\n\n=== Worker: Triage und Karten ===\n")
    rt.queue.ensure_group()
    Worker(rt, name="demo", lanes=0).drain()  # in stream order: the same story every time
    counts = rt.items.counts("2026-11-24")
    out.write(f"Gezählt: {counts}\n\n=== Agenten arbeiten ===\n")
    first = rt.items.open_numbers()[0]
    agents = list(rt.config.agents)
    script = [
        (agents[0], "claim", first, ""),
        (agents[1], "claim", first, ""),
        (agents[0], "reply", first, "Das tut mir leid! Ruf uns gern an unter 0171 2345678."),
        (agents[0], "reply", first, "Das tut mir leid! Schick uns bitte eine DM mit deiner "
                                    "Anschrift, dann prüfen wir die Leitung sofort."),
        (agents[0], "resolve", first, ""),
    ]
    steps: dict[str, Callable[[str, int, str], Outcome]] = {
        "claim": lambda u, n, t: rt.desk.workflow.claim(u, n),
        "reply": rt.desk.answers.reply,
        "resolve": lambda u, n, t: rt.desk.workflow.resolve(u, n)}
    for user, action, number, text in script:
        out.write(f"$ /{action} {number} {text}".rstrip() + f"   (von {user})\n")
        try:
            outcome = steps[action](user, number, text)
            out.write(f"  privat an {user}: {plain(say(outcome.key, lang, **outcome.params))}\n\n")
        except DeskRefusal as exc:
            out.write(f"  privat an {user}: {plain(say(exc.key, lang, **exc.params))}\n\n")
    out.write("=== Demo beendet ===\n")
    return 0


__all__ = ["UTC", "run_demo"]

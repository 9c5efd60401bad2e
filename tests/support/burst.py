"""A burst of negative mentions over several channels, and what Slack made of it.

Shared by `tests/test_post_ceiling.py` and `benchmarks/post_ceiling.py`: the desk.yaml with a
fourth route, mentions spread evenly over the channels in a shuffled (seeded) order, each
routed by a keyword and negative enough to get a card, and `BurstReport`, which reads the
Slack emulator's accepted posts back: cards per channel, duplicates, lost mentions, order
within each channel, and the achieved rate against the ceiling (channels × 1 post/s).
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]

# channel -> texts that route there by keyword and triage negative (checked by `check_texts`)
CHANNEL_TEXTS: dict[str, tuple[str, ...]] = {
    "C0ALERTS": (
        "Eure Hotline ist eine Frechheit, seit Stunden in der Warteschleife!",
        "Die Rechnung ist schon wieder falsch, das ist eine Unverschämtheit!",
        "Techniker kam nicht, drei Tage Urlaub umsonst genommen. Danke für nichts!",
        "Seit Wochen keine Antwort auf meine Beschwerde, unfassbar schlechter Service!",
    ),
    "C0MOBIL": (
        "Schon wieder kein Netz am Handy, unfassbar schlecht!",
        "Funkloch mitten in der Stadt, seit Tagen kein Empfang. Frechheit!",
        "Mobilfunk in Köln komplett tot, ich kann nicht telefonieren!",
        "Mein Handy hat seit gestern kein Netz, was ist da los? Katastrophe!",
    ),
    "C0FESTNETZ": (
        "Seit drei Tagen kein Internet, eine Katastrophe!",
        "DSL bricht ständig ab, so kann ich nicht arbeiten. Unverschämt!",
        "Router blinkt rot und keiner hilft, seit Tagen kein Internet!",
        "Glasfaser versprochen, nach Monaten immer noch nichts. Frechheit!",
    ),
    "C0TV": (
        "MagentaTV ruckelt seit Tagen, eine Frechheit!",
        "Fernsehen geht schon wieder nicht, das nervt gewaltig!",
        "MagentaTV hängt ständig, eine Frechheit, seit Tagen!",
        "Der Receiver ist eine Katastrophe, seit Tagen kein Bild!",
    ),
}
TV_ROUTE = {"channel": "C0TV", "keywords": ["magentatv", "fernseh", "receiver"]}


def burst_config() -> dict[str, Any]:
    """config/desk.yaml with a fourth routed channel (C0TV), always open, nothing closed, and
    no incidents."""
    raw: dict[str, Any] = yaml.safe_load((ROOT / "config" / "desk.yaml").read_text())
    raw["business_hours"] = "always"
    raw["closed"] = []
    raw["channels"]["routes"] = [*raw["channels"]["routes"], TV_ROUTE]
    # the burst repeats four texts per channel: as a storm they would become incidents (one
    # card each); the ceiling is about cards, so every mention keeps its own here
    raw["storm"] = {"min_mentions": 100_000}
    return raw


def burst_channels(count: int = 4) -> list[str]:
    if not 1 <= count <= len(CHANNEL_TEXTS):
        raise ValueError(f"1..{len(CHANNEL_TEXTS)} channels")
    return list(CHANNEL_TEXTS)[:count]


def burst_mentions(total: int, channels: int = 4, seed: int = 11,
                   prefix: str = "19") -> list[dict[str, Any]]:
    """`total` mentions, as even as possible over `channels`, shuffled with `seed`."""
    names = burst_channels(channels)
    rng = random.Random(seed)
    targets = [names[i % len(names)] for i in range(total)]
    rng.shuffle(targets)
    now = datetime.now(UTC).isoformat()
    out = []
    for i, channel in enumerate(targets):
        texts = CHANNEL_TEXTS[channel]
        mid = f"{prefix}{i:08d}"
        out.append({
            "network": "twitter", "id": mid, "text": texts[i % len(texts)],
            "author": {"id": str(7000 + i), "handle": f"kunde_{i}", "name": f"Kunde {i}"},
            "created_at": now, "url": f"https://x.com/k/status/{mid}", "channel": channel,
        })
    return out


def without_channel(mention: dict[str, Any]) -> dict[str, Any]:
    """The mention as it is ingested (the expected channel is ours, not the schema's)."""
    return {k: v for k, v in mention.items() if k != "channel"}


def check_texts() -> list[str]:
    """Texts that do not route to their channel or are not negative (should be none)."""
    from bot.config import config_from_dict
    from bot.entry.runtime import triage_rules
    from bot.triage import Triage

    cfg = config_from_dict(burst_config())
    triage = Triage(triage_rules(cfg))
    bad = []
    for channel, texts in CHANNEL_TEXTS.items():
        for text in texts:
            result = triage.analyse(text)
            routed = result.route if result.route != "default" else cfg.channels.default
            if routed != channel or result.sentiment != "negative":
                bad.append(f"{channel}: {result.sentiment} -> {routed}: {text}")
    return bad


@dataclass(frozen=True)
class BurstReport:
    """What the strict Slack emulator accepted for one burst."""

    mentions: int
    channels: int
    cards: int          # top-level card posts accepted
    duplicates: int     # card posts beyond the first for the same mention
    lost: int           # mentions with no card
    misrouted: int      # cards in another channel than the mention's keyword says
    rate_limited: int   # 429s answered by the strict limiter
    inversions: int     # pairs of cards in one channel posted against the stream's order
    started: float      # epoch s when the burst was ingested
    last_post: float    # epoch s of the last card
    ideal_s: float      # the ceiling's time: the busiest channel's cards × 1 s

    @property
    def elapsed_s(self) -> float:
        """From ingest to the end of the last card's 1-s slot."""
        return self.last_post - self.started + 1.0

    @property
    def rate(self) -> float:
        """Cards per second achieved."""
        return self.cards / self.elapsed_s if self.elapsed_s > 0 else 0.0

    @property
    def ceiling_share(self) -> float:
        """The ceiling's time over the time taken (1.0 = at Slack's ceiling)."""
        return self.ideal_s / self.elapsed_s if self.elapsed_s > 0 else 0.0


def report(slack: Any, mentions: list[dict[str, Any]], started: float) -> BurstReport:
    """Read the burst back from the Slack emulator (`slack.accepted_posts()`)."""
    expected = {m["id"]: m["channel"] for m in mentions}
    order = {m["id"]: i for i, m in enumerate(mentions)}
    cards = [p for p in slack.accepted_posts()
             if p.thread_ts is None and p.metadata
             and p.metadata.get("event_payload", {}).get("mention_id") in expected]
    posted = Counter(p.metadata["event_payload"]["mention_id"] for p in cards)
    per_channel = Counter(expected.values())
    inversions = 0
    for channel in per_channel:
        seq = [order[p.metadata["event_payload"]["mention_id"]] for p in cards
               if p.channel == channel]
        inversions += sum(1 for i, a in enumerate(seq) for b in seq[i + 1:] if b < a)
    return BurstReport(
        mentions=len(mentions), channels=len(per_channel), cards=len(cards),
        duplicates=sum(n - 1 for n in posted.values()),
        lost=sum(1 for mid in expected if mid not in posted),
        misrouted=sum(1 for p in cards
                      if expected[p.metadata["event_payload"]["mention_id"]] != p.channel),
        rate_limited=slack.rate_limited, inversions=inversions, started=started,
        last_post=max((p.at for p in cards), default=started),
        ideal_s=float(max(per_channel.values(), default=0)),
    )

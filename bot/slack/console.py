"""A Slack stand-in for the demo: prints cards and thread lines as they would appear."""

from __future__ import annotations

import itertools
import re
import textwrap
from collections.abc import Callable
from typing import Any, TextIO

from bot.slack.cards import builder_link

WIDTH = 100  # the card box, in characters


def plain(text: str) -> str:
    """Slack mrkdwn as terminal text (mentions as @id, entities decoded)."""
    text = re.sub(r"<@([A-Z0-9]+)>", r"@\1", text)
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def render_blocks(blocks: list[dict[str, Any]]) -> list[str]:
    """Blocks as terminal lines (sections, contexts, buttons)."""
    lines: list[str] = []
    for b in blocks:
        if b["type"] == "section":
            lines += plain(b["text"]["text"]).splitlines()
        elif b["type"] == "context":
            lines.append("  ".join(plain(e["text"]) for e in b["elements"]))
        elif b["type"] == "actions":
            lines.append("  ".join(f"[ {(e.get('text') or e.get('placeholder') or {}).get('text', '')}"
                                   f"{' ▾' if 'options' in e else ''} ]" for e in b["elements"]))
    return lines


class ConsoleSlack:
    """Implements the desk's `SlackPort` by writing to a terminal."""

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self._ts = itertools.count(1)
        self.cards: dict[str, list[dict[str, Any]]] = {}

    def _box(self, title: str, blocks: list[dict[str, Any]]) -> None:
        lines = [part for line in render_blocks(blocks)
                 for part in (textwrap.wrap(line, WIDTH - 2, subsequent_indent="  ") or [""])]
        width = min(max([len(title), *map(len, lines)]) + 2, WIDTH)
        self.out.write(f"┌─ {title} " + "─" * max(0, width - len(title) - 3) + "┐\n")
        for line in lines:  # long lines wrap (indented), nothing is cut
            self.out.write(f"│ {line}\n")
        self.out.write("└" + "─" * width + "┘\n")
        self.out.write(f"  Block Kit Builder: {builder_link(blocks)}\n\n")

    def post_card(self, item: int, channel: str, blocks: list[dict[str, Any]], text: str,
                  metadata: dict[str, Any], *, since: float | None = None) -> str:
        ts = f"1764000000.{next(self._ts):06d}"
        self.cards[ts] = blocks
        self._box(f"#{channel} · neue Karte", blocks)
        return ts

    def update_card(self, channel: str, ts: str, blocks: list[dict[str, Any]], text: str) -> None:
        self.cards[ts] = blocks
        self._box(f"#{channel} · Karte aktualisiert", blocks)

    def post_thread(self, channel: str, thread_ts: str, text: str | Callable[[], str]) -> str:
        self.out.write(f"  ↳ Thread: {plain(text() if callable(text) else text)}\n\n")
        return f"1764000000.{next(self._ts):06d}"

    def publish_home(self, user: str, view: dict[str, Any]) -> None:
        return None

    def post_message(self, channel: str, text: str) -> str:
        self.out.write(f"#{channel}: {plain(text)}\n\n")
        return f"1764000000.{next(self._ts):06d}"

    def upload_file(self, channel: str, thread_ts: str, filename: str, data: bytes, *,
                    title: str, alt_text: str) -> str:
        self.out.write(f"  ↳ Thread: [{title}: {filename}, {len(data)} Bytes]\n\n")
        return f"F{next(self._ts):08d}"

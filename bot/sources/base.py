"""The one interface every social network implements (a third network is one more file)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from bot.models import Mention


@dataclass(frozen=True)
class Posted:
    """A public reply or private message the network accepted."""

    id: str
    url: str = ""


@runtime_checkable
class Source(Protocol):
    """Fetch mentions, reply in public, move to private."""

    network: str

    def reply_limit(self, text: str) -> tuple[int, int] | None:
        """(length as the network counts it, limit), or None when there is no limit."""

    def reply(self, mention: Mention, text: str) -> Posted:
        """Post `text` publicly as an answer to `mention`; raise NetworkError on refusal."""

    def poll(self) -> list[Mention]:
        """New mentions since the last checkpoint (empty when polling is not set up)."""

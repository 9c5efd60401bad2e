"""The interfaces every social network implements (a third network is one more file).

`Source` answers: public replies and private messages. `Poller` reads: it hands new mentions
to the queue and only then moves its checkpoint, so a crash in between repeats (and the queue
dedupes) instead of missing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from bot.errors import NetworkError
from bot.messages import say
from bot.models import Mention

Enqueue = Callable[[Mention], bool]
"""Accepts one mention; False when it was seen before (the queue's dedupe)."""


@dataclass(frozen=True)
class Posted:
    """A public reply or private message the network accepted."""

    id: str
    url: str = ""


@runtime_checkable
class Source(Protocol):
    """Reply in public, move to private."""

    network: str

    def reply_limit(self, text: str) -> tuple[int, int] | None:
        """(length as the network counts it, limit), or None when there is no limit."""

    def reply(self, mention: Mention, text: str) -> Posted:
        """Post `text` publicly as an answer to `mention`; raise NetworkError on refusal."""

    def private_reply(self, mention: Mention, text: str) -> Posted | None:
        """Send `text` privately to the author; None when the network offers no way to."""


@runtime_checkable
class Poller(Protocol):
    """Reads a network for new mentions since its checkpoint (kept in Redis)."""

    network: str

    def poll(self, enqueue: Enqueue) -> int:
        """Hand new mentions to `enqueue`, oldest first, then advance; returns how many were new.

        Never raises for network trouble: a rate limit or outage is logged and backed off.
        """


class SourceError(NetworkError):
    """A `NetworkError` that keeps its catalogue key, so the desk can say it in the team's language.

    `reason` is the German text (the default language); `key` and `params` render any other.
    """

    def __init__(self, network: str, key: str, *, retryable: bool = False, **params: Any) -> None:
        super().__init__(network, say(key, "de", **params), retryable=retryable)
        self.key = key
        self.params = params

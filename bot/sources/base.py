"""What a social network is to the desk: one `Network` spec, declared by one package here.

A network package (`bot/sources/<name>/`) defines `NETWORK = Network(...)` in its
`__init__.py`; `bot.sources.registry` finds it. Everything else (config, settings, runtime,
polling, web routes, demo, the catalogue's network names) reads the registry, so a new network
touches no other file. The package's `__init__` must import nothing heavy: clients are built
by the factories, which import their SDKs when called.

`Replies` answers: public replies and private messages. `Poller` reads: it hands new mentions
to the queue and only then moves its checkpoint, so a crash in between repeats (and the queue
dedupes) instead of missing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from pydantic import BaseModel, ConfigDict, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.durations import parse_duration
from bot.errors import NetworkError
from bot.messages import say
from bot.models import Mention

if TYPE_CHECKING:
    from starlette.routing import Route

    from bot.store.checkpoints import Checkpoints
    from bot.store.queue import MentionQueue
    from bot.store.webhooks import DeliveryLedger

Enqueue = Callable[[Mention], bool]
"""Accepts one mention; False when it was seen before (the queue's dedupe)."""


@dataclass(frozen=True)
class Posted:
    """A public reply or private message the network accepted."""

    id: str
    url: str = ""


@runtime_checkable
class Replies(Protocol):
    """Reply in public, move to private."""

    network: str

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


class NetworkSettings(BaseSettings):
    """A network's environment variables; subclasses set `env_prefix` (e.g. `X_`)."""

    model_config = SettingsConfigDict(env_file=None, extra="ignore", case_sensitive=False)

    @property
    def configured(self) -> bool:
        """True when the credentials needed to read the network are set."""
        return False


class PollOptions(BaseModel):
    """A network's block under `sources:` in desk.yaml; subclasses add their own fields."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    poll_every: timedelta = timedelta(seconds=60)

    @field_validator("poll_every", mode="before")
    @classmethod
    def _duration(cls, v: Any) -> timedelta:
        return parse_duration(v)


@dataclass(frozen=True)
class PollerParts:
    """What a poller factory gets: its settings and options, and its Redis checkpoints."""

    settings: Any  # the network's own NetworkSettings subclass
    options: Any   # the network's own PollOptions subclass
    checkpoints: Checkpoints


@dataclass(frozen=True)
class WebParts:
    """What a webhook factory gets: its settings, the mention queue, the delivery ledger, and
    `heard()` to call for each verified delivery (channel health: webhooks still arrive)."""

    settings: Any
    queue: MentionQueue
    deliveries: DeliveryLedger
    heard: Callable[[], None] = lambda: None


@dataclass(frozen=True)
class Network:
    """One social network, as the desk sees it.

    `name` is the mention's `network` field and the `targets:` key; `config_key` its block
    under `sources:` and its env prefix; `label` how people see it. `reply_limit` is pure
    (length as the network counts it, limit), so drafts are checked without a client.
    """

    name: str
    label: str
    config_key: str
    settings: type[NetworkSettings]
    replies: Callable[[Any], Replies]
    reply_limit: Callable[[str], tuple[int, int] | None]
    default_target: timedelta
    private_channel: str  # what its private messages are called ("DM", "Messenger", "Chat")
    options: type[PollOptions] = PollOptions
    poller: Callable[[PollerParts], Poller] | None = None
    web_routes: Callable[[WebParts], list[Route]] | None = None
    handle_optional: bool = False  # authors may lack a handle (Facebook): the name stands in
    # issue 13: the share (0..1) of each monthly budget used, e.g. {"read": 0.42}, asked by the
    # channel-health watchdog (`bot.health`); None: the network has no such budget
    usage: Callable[[Any], dict[str, float]] | None = None


class SourceError(NetworkError):
    """A `NetworkError` that keeps its catalogue key, so the desk can say it in the team's language.

    `reason` is the German text (the default language); `key` and `params` render any other.
    """

    def __init__(self, network: str, key: str, *, retryable: bool = False, **params: Any) -> None:
        super().__init__(network, say(key, "de", **params), retryable=retryable)
        self.key = key
        self.params = params

"""What desk operations return: plain values the board and the handlers render."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from bot.models import Item
from bot.store.dropped import Dropped


@dataclass(frozen=True)
class Outcome:
    """What happened, as a catalogue key and its parameters, plus the item afterwards."""

    key: str
    params: dict[str, Any] = field(default_factory=dict)
    item: Item | None = None


@dataclass(frozen=True)
class IntakeResult:
    """What the intake did with one mention: `posted`, `joined` (an incident), `threaded`,
    `counted` or `known`."""

    action: str
    sentiment: str
    item: int | None = None


@dataclass(frozen=True)
class IncidentView:
    """An incident's figures for its card."""

    members: int
    answered: int
    failed: list[tuple[int, str]]  # member number, why its answer did not go out
    latest: list[Item]             # the newest members, newest first


@dataclass(frozen=True)
class Card:
    """What the board needs to draw an item's card."""

    item: Item
    response_time: timedelta | None = None  # business time to the first answer, once answered
    incident: IncidentView | None = None    # the item is an incident
    open_incident: int | None = None        # a single card: its channel's open incident


@dataclass(frozen=True)
class QueueRow:
    number: int
    network: str
    handle: str
    holder: str
    due_at: datetime
    left: timedelta  # business time to the due time; negative once overdue


@dataclass(frozen=True)
class Queue:
    """`/queue`: open items of one channel, nearest due first."""

    channel: str
    rows: list[QueueRow]
    more: int  # rows left out


@dataclass(frozen=True)
class Home:
    """App Home: `mine` held by the user, `unclaimed` for the team; None when not an agent."""

    user: str
    mine: list[Item] | None
    unclaimed: list[Item] | None
    leads: str = ""  # who to ask, for a non-agent
    dropped: list[Dropped] = field(default_factory=list)  # issue 14: not posted, newest first


@dataclass(frozen=True)
class DraftHint:
    """The live hint under a reply draft."""

    address: str                 # the customer's address form: du | sie | none
    length: tuple[int, int] | None  # (length as the network counts it, limit)
    signature: str
    mismatch: str | None         # the draft's form when it contradicts the customer's

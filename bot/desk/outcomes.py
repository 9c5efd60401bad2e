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
    countdown: Countdown | None = None      # an open item's time left (issue 13)
    history: Contacts | None = None         # the customer's earlier items (issue 16)


@dataclass(frozen=True)
class Countdown:
    """Business time left to an open item's target, as the card shows it (issue 13)."""

    left: timedelta                  # rounded up to the countdown's step
    paused_until: datetime | None    # outside business hours: when the clock runs again


@dataclass(frozen=True)
class QueueRow:
    number: int
    network: str
    handle: str
    holder: str
    due_at: datetime
    left: timedelta  # business time to the due time; negative once overdue


@dataclass(frozen=True)
class WaitingRow:
    """An item of the channel waiting for its customer (no response clock): until when."""

    number: int
    network: str
    handle: str
    holder: str
    until: datetime | None


@dataclass(frozen=True)
class Queue:
    """`/queue`: open items of one channel, nearest due first."""

    channel: str
    rows: list[QueueRow]
    more: int  # rows left out
    waiting: list[WaitingRow] = field(default_factory=list)  # waiting for the customer (16)


@dataclass(frozen=True)
class Home:
    """App Home: `mine` held by the user, `unclaimed` for the team; None when not an agent."""

    user: str
    mine: list[Item] | None
    unclaimed: list[Item] | None
    leads: str = ""  # who to ask, for a non-agent
    focus: ItemView | None = None  # one item with the customer's history, on top (issue 16)
    dropped: list[Dropped] = field(default_factory=list)  # issue 14: not posted, newest first
    waiting: list[Item] = field(default_factory=list)  # issue 16: mine, waiting for the customer


@dataclass(frozen=True)
class DraftHint:
    """The live hint under a reply draft."""

    address: str                 # the customer's address form: du | sie | none
    length: tuple[int, int] | None  # (length as the network counts it, limit)
    signature: str
    mismatch: str | None         # the draft's form when it contradicts the customer's


# ----- the whole customer (issue 16) ----------------------------------------------------------
@dataclass(frozen=True)
class NoteLine:
    """An internal note: who, when, what (the team's words, never sent to a network)."""

    at: datetime
    user: str
    text: str


@dataclass(frozen=True)
class Contact:
    """One earlier item of the same customer, as the history shows it."""

    number: int
    seen_at: datetime | None
    state: str
    reason: str
    channel: str
    card_ts: str
    text: str
    notes: list[NoteLine] = field(default_factory=list)


@dataclass(frozen=True)
class Contacts:
    """The customer's items within `history.days` before this one, newest first."""

    earlier: list[Contact]
    days: int  # whole days from the first of them to this item (at least 1)

    @property
    def ordinal(self) -> int:
        """This item is the customer's n-th contact in the window."""
        return len(self.earlier) + 1


@dataclass(frozen=True)
class ItemView:
    """App Home's view of one item: the item, its notes and the customer's whole history."""

    item: Item
    notes: list[NoteLine]
    history: Contacts
    window_days: int  # `history.days`


@dataclass(frozen=True)
class Found:
    """`/find`: matching items, open first, then closed, each newest first."""

    query: str
    items: list[Item]
    more: bool  # the page is full: there may be more

"""The live countdown on a card (issue 13): business time left to the target, and when the
card must be redrawn for it to stay true.

Pure: the business clock, the due time and "now" in; plain values out. The card shows the time
left rounded *up* to a step (5 minutes while more than 5 are left, then whole minutes), so it
reads "at most that long" until its next redraw, and changes only at step boundaries: a
20-minute target is redrawn 7 times (at 15, 10, 5, 4, 3, 2, 1 minutes left), a 40-minute one
11 times. Outside business hours the countdown stands still; the card says until when
("pausiert bis Mo 08:00"), redrawn once at closing and once at opening.

`TargetWatch` keeps one redraw time per open item (`TimerStore.schedule_countdown`) and spends
the `chat.update` budget on marked cards first, countdowns after (`TimerStore.take_cards`).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.clock import BusinessClock
from bot.desk.outcomes import Countdown
from bot.models import Item

__all__ = ["countdown", "counts_down", "next_redraw", "shown_left"]

COARSE = timedelta(minutes=5)
FINE = timedelta(minutes=1)


def _step(left: timedelta) -> timedelta:
    return COARSE if left > COARSE else FINE


def shown_left(left: timedelta) -> timedelta:
    """`left` rounded up to its step (what the card says); zero stays zero."""
    if left <= timedelta(0):
        return timedelta(0)
    step = _step(left)
    return -(-left // step) * step


def counts_down(item: Item) -> bool:
    """Whether the card of `item` shows a countdown: open, due, not yet breached, and not a
    member of an incident (the incident's own target governs)."""
    return (item.is_open and item.due_at is not None and item.timer_state != "breached"
            and not item.incident)


def countdown(clock: BusinessClock, due: datetime, now: datetime) -> Countdown:
    """What the card shows at `now` for an item due at `due`."""
    left = clock.elapsed(now, due)
    paused = None if clock.is_open(now) else clock.next_open(now)
    return Countdown(shown_left(left), paused)


def next_redraw(clock: BusinessClock, due: datetime, now: datetime) -> datetime | None:
    """The first moment after `now` at which `countdown` shows something else; None once the
    due time is reached (the breach redraws the card then)."""
    left = clock.elapsed(now, due)
    if left <= timedelta(0):
        return None
    if not clock.is_open(now):
        return clock.next_open(now)  # "pausiert bis …" ends
    shown = shown_left(left)
    if shown == _step(left) == FINE:
        return None  # the next change is the due time itself
    change = clock.add(now, left - (shown - _step(left)))
    closes = clock.closes_at(now)
    if closes is not None and closes < change:
        return closes  # "pausiert bis …" begins
    return change

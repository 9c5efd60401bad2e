"""The desk rebuilt from the audit trail alone: the items, the day's counters, the open backlog
and the current Kürzel, as far as the summary needs them (issue 13).

Pure: audit entries (as `AuditLog.entries` yields them) in, plain values out. The live summary
reads the same facts from the items in Redis; `python -m bot summary --from-audit` reads them
from here, and a test holds the two equal. What each audit entry contributes:

| action (outcome ok)                 | effect                                                  |
|-------------------------------------|---------------------------------------------------------|
| `post`, `incident` (actor intake)   | a new item: network, posted/seen times; the day counters |
| `counted`                           | the day counters only (a mention that made no card)     |
| `follow_up`                         | the day counters; `reopened`: open again, clock restarted |
| `claim` / `release` / `assign`      | holder and state                                        |
| `reply`, `dm` (`answered_at`)       | answered (a `dm` keeps an earlier first answer)          |
| `noreply` (`reason_code`), `resolve` | closed                                                 |
| `breach` (actor timer)              | the target passed while open                            |
| `incident_open` / `incident_answered` | an incident opens / closes (open backlog only)        |
| `kuerzel`                           | the agent's current Kürzel                              |

Not rebuilt: what the audit no longer holds (entries past `retention.audit`, and the entries
about an erased customer, which an erasure deletes).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from bot.models import Author, Item, Mention, State

__all__ = ["Replayed", "replay"]

_CLOSING = {"reply": State.ANSWERED, "dm": State.PRIVATE, "noreply": State.NOREPLY,
            "resolve": State.RESOLVED}


@dataclass
class Replayed:
    """What the audit trail says: every item it knows, counters per day, open items, Kürzel."""

    items: dict[int, Item] = field(default_factory=dict)
    counts: dict[str, dict[str, int]] = field(default_factory=dict)  # day -> field -> n
    open: set[int] = field(default_factory=set)
    kuerzel: dict[str, str] = field(default_factory=dict)

    def seen_between(self, start: datetime, end: datetime) -> list[Item]:
        """Items first seen in [start, end), as `ItemStore.numbers_seen_between` gives them."""
        return [i for i in self.items.values()
                if i.seen_at is not None and start.timestamp() <= i.seen_at.timestamp()
                < end.timestamp()]

    def _count(self, day: str, network: str, sentiment: str) -> None:
        if not day:
            return
        counts = self.counts.setdefault(day, {})
        for name in ("ingested", f"sentiment:{sentiment}", f"network:{network}"):
            counts[name] = counts.get(name, 0) + 1


def _time(details: Mapping[str, object], name: str) -> datetime | None:
    v = details.get(name)
    return datetime.fromisoformat(v) if isinstance(v, str) and v else None


def _new_item(number: int, d: Mapping[str, object]) -> Item | None:
    created, seen = _time(d, "created"), _time(d, "seen")
    if created is None or seen is None:
        return None  # written before the audit carried these times
    mention = Mention(str(d.get("network", "")), str(d.get("mention", "")), "",
                      Author("", ""), created)
    return Item(number, mention, str(d.get("sentiment", "negative")), 0.0, "none",
                str(d.get("channel", "")), seen_at=seen)


def replay(entries: Iterable[Mapping[str, str]]) -> Replayed:
    """Apply every audit entry in order (see the table in the module docstring)."""
    out = Replayed()
    for e in entries:
        if e.get("outcome") != "ok":
            continue
        action, actor = e.get("action", ""), e.get("actor", "")
        d = json.loads(e.get("details") or "{}")
        number = int(e["item"]) if e.get("item") else None
        if action in ("post", "incident", "counted", "follow_up") and actor == "intake":
            out._count(str(d.get("day", "")), str(d.get("network", "")),
                       str(d.get("sentiment", "")))
        if action == "kuerzel":
            out.kuerzel[actor] = str(d.get("kuerzel", ""))
        if number is None:
            continue
        if action == "incident_open":
            out.open.add(number)
        elif action == "incident_answered" or action in _CLOSING:
            out.open.discard(number)  # an incident is no item of its own here, but it was open
        item = out.items.get(number)
        if action in ("post", "incident") and actor == "intake":
            if item is None and (fresh := _new_item(number, d)) is not None:
                out.items[number] = fresh
                out.open.add(number)
            continue
        if item is None:
            continue
        out.items[number] = _apply(item, action, actor, d, out.open)
    return out


def _apply(item: Item, action: str, actor: str, d: Mapping[str, object],
           open_items: set[int]) -> Item:
    """One entry's effect on one item (the desk's transitions, as far as figures go)."""
    if action == "claim":
        return item.with_(state=State.CLAIMED, holder=actor)
    if action == "release":
        return item.with_(state=State.NEW, holder="")
    if action == "assign":
        return item.with_(state=State.CLAIMED, holder=str(d.get("agent", "")))
    if action == "breach":
        return item.with_(timer_state="breached") if item.is_open else item
    if action == "follow_up":
        if not d.get("reopened"):
            return item
        open_items.add(item.number)
        return item.with_(state=State.CLAIMED if item.holder else State.NEW, timer_state="")
    state = _CLOSING.get(action)
    if state is None:
        return item
    holder = actor if action == "reply" and d.get("incident") else item.holder or actor
    changes: dict[str, object] = {"state": state, "holder": holder}
    at = _time(d, "answered_at")
    if action == "reply" or (action == "dm" and item.answered_at is None):
        changes.update(answered_at=at, answered_by=actor)
    if action == "noreply":
        changes["reason"] = str(d.get("reason_code", d.get("reason", "")))
    return item.with_(**changes)

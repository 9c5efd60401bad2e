"""Data protection on the desk (DSGVO): the retention run (`expire`, daily), erasing one
customer (Art. 17, `erase`) and what is stored about them (Art. 15, `export`).

What an anonymised item keeps is decided in `bot.privacy`; the Redis work is in
`bot.store.privacy`. Every run leaves one audit line with counts; an erasure or export names
the customer only by a salted hash. Nothing here logs or audits customer data.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection
from dataclasses import asdict, dataclass, field
from datetime import datetime
from itertools import islice
from typing import Any

from bot.config import DeskConfig
from bot.desk.ports import TimerPort
from bot.desk.publisher import Publisher
from bot.messages import say
from bot.models import OPEN_STATES, State
from bot.privacy import (
    CLOSED_STATES,
    Anonymisation,
    Customer,
    Markers,
    Traces,
    anonymise,
    anonymous_mention,
    closing_as_erased,
    decode,
    expired,
    is_anonymised,
    is_incident,
    subject_hash,
)
from bot.search import handle_key, search_words
from bot.store import AuditLog
from bot.store.privacy import PrivacyStore

log = logging.getLogger(__name__)

ALL_STATES = tuple(s.value for s in State)
OPEN_OR_WAITING = (*OPEN_STATES, State.WAITING)  # an erasure closes both (issue 16)


@dataclass
class RetentionReport:
    """One retention run: how much was anonymised or deleted (no customer data)."""

    items: int = 0
    stream_entries: int = 0
    dead_letters: int = 0
    audit_entries: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


@dataclass
class ErasureReport:
    """One erasure: what was done, the customer named only by `subject` (a salted hash)."""

    network: str
    subject: str
    items: list[int] = field(default_factory=list)
    closed_open: list[int] = field(default_factory=list)
    incidents: list[int] = field(default_factory=list)  # showed their post: now the marker
    stream_entries: int = 0
    dead_letters: int = 0
    audit_entries: int = 0
    slack_threads: list[dict[str, str]] = field(default_factory=list)
    labels: int = 0  # issue 14: label examples (training data) deleted
    not_posted: int = 0  # issue 14: mentions triage did not post, deleted

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class _Found:
    """One customer's data as it is stored now (read before anything is changed)."""

    items: dict[int, dict[str, str]]
    incidents: dict[int, dict[str, str]]  # incident items showing one of their posts
    mentions: list[tuple[str, dict[str, Any]]]  # mention-stream id, mention
    dead_letters: list[tuple[str, dict[str, str]]]
    audit: list[tuple[str, dict[str, str]]]  # entries about their items or carrying a trace


class DataProtection:
    """Retention, erasure and export over the stores (see the module docstring)."""

    def __init__(self, config: DeskConfig, audit: AuditLog, store: PrivacyStore,
                 timers: TimerPort, publisher: Publisher, now: Callable[[], datetime]) -> None:
        self.config, self.audit, self.store = config, audit, store
        self.timers, self.publisher, self.now = timers, publisher, now
        self.lang = config.language

    # ----- retention --------------------------------------------------------------------------
    def expire(self) -> RetentionReport:
        """Anonymise closed items older than `retention.items`, drop mention-stream and
        dead-letter entries older than that, trim the audit to `retention.audit`."""
        now, limits, report = self.now(), self.config.retention, RetentionReport()
        if limits.items is not None:
            cutoff = now - limits.items
            report.items = self._expire_items(cutoff, now) + self._expire_incidents(cutoff, now)
            report.stream_entries, report.dead_letters = self.store.trim_mentions(cutoff)
        if limits.audit is not None:
            report.audit_entries = self.store.trim_audit(now - limits.audit)
        self.audit.record("retention", "retention", None, "ok", **report.as_dict())
        log.info("retention: %d items anonymised, %d stream entries, %d dead letters and %d "
                 "audit entries deleted", report.items, report.stream_entries,
                 report.dead_letters, report.audit_entries)
        return report

    def _expire_items(self, cutoff: datetime, now: datetime) -> int:
        """Items first seen before `cutoff` (closing comes after), from the last run's floor on;
        the new floor is the first item left (open, or closed too recently)."""
        floor: float | None = None
        done: list[int] = []
        seen = self.store.seen_between(self.store.retention_floor(), cutoff.timestamp())
        while True:
            chunk = list(islice(seen, 500))
            if not chunk:
                break
            stored = self.store.fields(n for n, _ in chunk)
            for n, first_seen in chunk:
                h = stored.get(n)
                if h is None or is_anonymised(h):
                    continue
                if expired(h, cutoff) and self._anonymise(n, h, "retention", now) == "ok":
                    done.append(n)
                elif floor is None:
                    floor = first_seen
        self.store.set_retention_floor(cutoff.timestamp() if floor is None else floor)
        self.store.forget_links_to(self._unindexed(done))
        return len(done)

    def _expire_incidents(self, cutoff: datetime, now: datetime) -> int:
        """Incidents are not in the items' first-seen index (the summary counts that one):
        they have their own, which loses each incident once it is anonymised."""
        done = 0
        candidates = self.store.incidents_seen_before(cutoff.timestamp())
        stored = self.store.fields(n for n, _ in candidates)
        for n, _ in candidates:
            h = stored.get(n)
            if h is None or is_anonymised(h):
                self.store.incident_done(n)
            elif expired(h, cutoff) and self._anonymise(n, h, "retention", now) == "ok":
                self.store.incident_done(n)
                done += 1
        return done

    def _unindexed(self, numbers: Collection[int]) -> list[int]:
        """Items created before the author index and `at:links:*` existed."""
        since = self.store.indexed_since()
        return [n for n in numbers if since is None or n < since]

    def _anonymise(self, number: int, h: dict[str, str], why: str, now: datetime) -> str:
        """Anonymise one item as read in `h`; an open one (erasure only) is closed first."""
        mention = decode(h.get("mention", "")) or {}
        author = mention.get("author") if isinstance(mention.get("author"), dict) else {}
        closing = closing_as_erased(now) if h.get("state") in OPEN_OR_WAITING else {}
        markers = Markers(say(f"privacy.{why}", self.lang), say("privacy.blank", self.lang))
        change = anonymise({**h, **closing}, markers, at=now, why=why,
                           reasons=self.config.noreply_reasons)
        allowed = ALL_STATES if why == "erasure" else tuple(s.value for s in CLOSED_STATES)
        mids = {str(mention.get("id") or "")} | self.store.links(number)
        # out of the /find index first (idempotent): a crash after the anonymisation below
        # would leave no author index to find this item by again (issue 16)
        self.store.unindex(number, search_words(str(mention.get("text") or "")),
                           handle_key(str((author or {}).get("handle") or "")))
        outcome = self.store.anonymise(
            number, Anonymisation({**closing, **change.set}, change.drop),
            expected_mention=h.get("mention", ""), allowed=allowed,
            network=str(mention.get("network", "")), author_id=str((author or {}).get("id", "")),
            conversation_id=str(mention.get("conversation_id") or ""),
            mention_ids=sorted(m for m in mids if m), close=bool(closing))
        if outcome == "ok":
            self.store.drop_notes(number)  # the team's notes may quote the customer
        return outcome

    def _unshow(self, number: int, h: dict[str, str], customer: Customer) -> str:
        """An incident showing the customer's post shows the marker instead; the incident
        itself (other customers' items) stays as it is."""
        markers = Markers(say("privacy.erasure", self.lang), say("privacy.blank", self.lang))
        return self.store.anonymise(
            number, Anonymisation({"mention": anonymous_mention(h["mention"], markers)}, ()),
            expected_mention=h["mention"], allowed=ALL_STATES, network=customer.network,
            author_id=customer.author_id, conversation_id="", mention_ids=())

    # ----- one customer -----------------------------------------------------------------------
    def _find(self, customer: Customer) -> _Found:
        theirs = {n: h for n, h in self.store.fields(self.store.items_of(customer)).items()
                  if customer.wrote(decode(h.get("mention", "")))}
        items = {n: h for n, h in theirs.items() if not is_incident(h)}
        incidents = {n: h for n, h in theirs.items() if is_incident(h)}
        mentions = [(entry_id, m) for entry_id, f in self.store.mention_entries()
                    if (m := decode(f.get("mention", ""))) is not None and customer.wrote(m)]
        dead = [(entry_id, f) for entry_id, f in self.store.dead_letter_entries()
                if customer.wrote(decode(f.get("mention", "")))]
        stored = ([m for h in items.values() if (m := decode(h["mention"])) is not None]
                  + [m for _, m in mentions]
                  + [m for _, f in dead if (m := decode(f.get("mention", ""))) is not None])
        traces = Traces.of(customer, stored)
        numbers = {str(n) for n in items}
        audit = [(entry_id, f) for entry_id, f in self.store.audit_entries()
                 if f.get("item") in numbers or traces.found_in(_details(f))]
        return _Found(items, incidents, mentions, dead, audit)

    def erase(self, customer: Customer, by: str) -> ErasureReport:
        """Erase one customer (Art. 17): their items are anonymised (open ones closed first as
        no reply, reason `erased`), their mention-stream and dead-letter entries and the audit
        entries about them deleted, their dedupe marks hashed, held drafts dropped. Ends with
        one audit line. Safe to run again."""
        found = self._find(customer)
        report = ErasureReport(customer.network, subject_hash(self.store.salt(), customer))
        now = self.now()
        for n, h in sorted(found.items.items()):
            outcome = self._anonymise(n, h, "erasure", now)
            if outcome == "changed":  # changed while we read: once more, as it is now
                h = self.store.fields([n]).get(n) or h
                outcome = self._anonymise(n, h, "erasure", now)
            if outcome != "ok":
                log.warning("erasure: item #%s not anonymised (%s)", n, outcome)
                continue
            if h.get("state") in OPEN_OR_WAITING:
                report.closed_open.append(n)
                self.timers.stop(n)
            report.items.append(n)
            if h.get("card_ts"):
                self.publisher.card_changed(n)
                report.slack_threads.append({"channel": h.get("channel", ""), "ts": h["card_ts"]})
        for n, h in sorted(found.incidents.items()):
            if self._unshow(n, h, customer) == "ok":
                report.incidents.append(n)
                if h.get("card_ts"):
                    self.publisher.card_changed(n)
        mention_ids = {str(m.get("id")) for _, m in found.mentions if m.get("id")}
        mention_ids |= {str(m.get("id")) for _, f in found.dead_letters
                        if (m := decode(f.get("mention", ""))) and m.get("id")}
        self.store.forget_mentions(customer.network, mention_ids)
        self.store.forget_links_to(self._unindexed(report.items))
        self.store.drop_held_replies(report.items)
        self.store.drop_author_index(customer)
        report.stream_entries = self.store.delete_mentions([i for i, _ in found.mentions])
        report.dead_letters = self.store.delete_dead_letters([i for i, _ in found.dead_letters])
        report.audit_entries = self.store.delete_audit([i for i, _ in found.audit])
        report.labels = self.store.drop_labels(customer)
        report.not_posted = self.store.drop_dropped(customer)
        self.audit.record(by, "erasure", None, "ok", network=customer.network, labels=report.labels,
                          not_posted=report.not_posted,
                          subject=report.subject, items=len(report.items),
                          closed_open=len(report.closed_open), incidents=len(report.incidents),
                          stream_entries=report.stream_entries, dead_letters=report.dead_letters,
                          audit_entries=report.audit_entries)
        log.info("erasure: %d items, %d stream entries, %d audit entries", len(report.items),
                 report.stream_entries, report.audit_entries)
        return report

    def export(self, customer: Customer, by: str) -> dict[str, Any]:
        """What is stored about one customer (Art. 15), as plain JSON-ready values. Audited
        (who asked, the salted subject, how much)."""
        found = self._find(customer)
        history: dict[str, list[dict[str, Any]]] = {}
        other: list[dict[str, Any]] = []
        for entry_id, f in found.audit:
            entry = _audit_row(entry_id, f)
            (history.setdefault(f["item"], []) if f.get("item") in
             {str(n) for n in found.items} else other).append(entry)
        items = [{"number": n, **{k: v for k, v in h.items() if k != "mention"},
                  "mention": decode(h["mention"]), "history": history.get(str(n), [])}
                 for n, h in sorted(found.items.items())]
        subject = subject_hash(self.store.salt(), customer)
        out = {
            "network": customer.network, "author_id": customer.author_id, "subject": subject,
            "exported_at": self.now().isoformat(), "items": items,
            "incidents": [{"number": n, "state": h.get("state", ""),
                           "shows": decode(h["mention"])} for n, h in sorted(found.incidents.items())],
            "stream_entries": [{"id": i, "mention": m} for i, m in found.mentions],
            "dead_letters": [{"id": i, **{k: v for k, v in f.items() if k != "mention"},
                              "mention": decode(f.get("mention", ""))}
                             for i, f in found.dead_letters],
            "audit_entries": other,
            "labels": list(self.store.labels_of(customer).values()),  # issue 14
            "not_posted": list(self.store.dropped_of(customer).values()),  # issue 14
        }
        self.audit.record(by, "export", None, "ok", network=customer.network, subject=subject,
                          items=len(items), stream_entries=len(found.mentions),
                          dead_letters=len(found.dead_letters), audit_entries=len(found.audit))
        return out


def _details(f: dict[str, str]) -> Any:
    """An audit entry's details as stored: a JSON object, or (older entries) plain text."""
    raw = f.get("details", "")
    decoded = decode(raw)
    return raw if decoded is None else decoded


def _audit_row(entry_id: str, f: dict[str, str]) -> dict[str, Any]:
    return {"id": entry_id, **f, "details": _details(f)}

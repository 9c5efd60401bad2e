"""The desk: what the intake and the agents do to items, and the rules they obey.

Composed of parts, each in its own module, sharing the stores and one publisher:

    rules      who may act on what; what a public text must pass      (`rules.Rules`)
    intake     triaged mention → card, thread follow-up or count     (`intake.Intake`)
    incidents  many say the same thing: one card, one answer for all (`incidents.Incidents`)
    workflow   claim, release, assign, no reply, resolve, escalate    (`workflow.Workflow`)
    customers  history, internal notes, waiting for the customer, /find (`customers.Customers`)
    answers    public reply, held du/Sie reply, move to private       (`answers.Answers`)
    templates  a named template in one customer's du/Sie, filled in   (`templates.fill`)
    queries    /queue, App Home, draft hints, today's figures         (`queries.Queries`)
    watch      response targets: warn, breach, re-escalate            (`watch.TargetWatch`)
    publisher  the desk's state on the board after every change       (`publisher.Publisher`)
    privacy    retention, erasure and export of one customer (DSGVO)  (`privacy.DataProtection`)
    labels     the team's labels as training examples (issue 14)       (`labels.Labels`)

Operations take plain values (user id, item number, text) and return an `Outcome`; a refusal
raises `DeskRefusal` and changes nothing. Every action and every refusal is audited. The desk
renders nothing: the board (`bot.slack.board`) draws what the publisher hands it.

`store_unreachable(exc)` tells callers that know no Redis (the handlers) whether a failure
means the desk's database cannot be reached right now, so they can say so instead of
"something went wrong".
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from bot.config import DeskConfig
from bot.desk.answers import Answers
from bot.desk.customers import Customers
from bot.desk.incidents import Incidents, IncidentViews
from bot.desk.intake import Intake
from bot.desk.labels import Labels
from bot.desk.outcomes import Card, DraftHint, Home, IntakeResult, Outcome, Queue, QueueRow
from bot.desk.ports import Board, TimerPort
from bot.desk.privacy import DataProtection, ErasureReport, RetentionReport
from bot.desk.publisher import Publisher
from bot.desk.queries import Queries
from bot.desk.rules import Rules
from bot.desk.watch import TargetWatch, TickReport
from bot.desk.workflow import Workflow
from bot.sources.base import Replies
from bot.store import AuditLog, ItemStore
from bot.store.agents import KuerzelStore
from bot.store.answers import AnswerQueue
from bot.store.dropped import DroppedMentions
from bot.store.heartbeats import Heartbeats
from bot.store.incidents import IncidentStore
from bot.store.labels import LabelStore
from bot.store.notes import NoteStore
from bot.store.outage import unreachable as store_unreachable
from bot.store.privacy import PrivacyStore
from bot.store.search import SearchIndex
from bot.store.timers import TimerStore
from bot.triage import Triage

__all__ = ["Board", "Card", "DataProtection", "Desk", "DeskStores", "DraftHint", "ErasureReport",
           "Home", "IntakeResult", "Outcome", "Queue", "QueueRow", "RetentionReport",
           "TargetWatch", "TickReport", "TimerPort", "store_unreachable"]


@dataclass(frozen=True)
class DeskStores:
    """The Redis stores the desk works on."""

    items: ItemStore
    audit: AuditLog
    kuerzel: KuerzelStore
    timers: TimerStore
    incidents: IncidentStore
    answers: AnswerQueue
    privacy: PrivacyStore
    notes: NoteStore      # issue 16
    search: SearchIndex   # issue 16
    labels: LabelStore | None = None  # issue 14; None: one on the items' Redis


class Desk:
    """The parts of the desk, wired once (see the module docstring)."""

    def __init__(self, config: DeskConfig, stores: DeskStores, board: Board,
                 replies: Mapping[str, Replies], triage: Triage,
                 now: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.config, self.now = config, now
        self.clock = config.business_clock()
        self.tz = ZoneInfo(config.timezone)
        s = stores
        self.rules = Rules(config, s.items, s.audit, s.kuerzel, triage.rules, set(replies), now)
        self.queries = Queries(self.rules, s.items, self.clock, now, self.today)
        self.publisher = Publisher(s.items, s.audit, board, s.timers, self.clock,
                                   config.language, now, self.queries.home,
                                   IncidentViews(s.items, s.incidents), timezone=config.timezone)
        self.watch = TargetWatch(s.timers, s.items, config, self.publisher, self.clock, now=now)
        self.incidents = Incidents(config, self.rules, s.items, s.incidents, s.answers, s.audit,
                                   replies, self.publisher, self.watch, now)
        self.customers = Customers(config, self.rules, s.items, s.audit, s.notes, s.search,
                                   self.publisher, self.watch, self.queries, self.clock, now)
        self.publisher.history = self.customers.card_history
        self.publisher.history_soon = self.customers.card_history_soon
        self.publisher.alive = Heartbeats(s.items.r).alive  # who may hold a card's posting
        self.dropped = DroppedMentions(s.items.r)  # issue 14: what triage did not post
        self.intake = Intake(config, s.items, s.audit, triage, self.publisher, self.watch,
                             self.clock, now, self.today, self.incidents, self.dropped,
                             index=self.customers.index)
        self.workflow = Workflow(config, self.rules, s.items, s.audit, s.kuerzel, self.publisher,
                                 self.watch, now, self.incidents)
        self.answers = Answers(config, self.rules, s.items, s.audit, replies, self.publisher,
                               self.watch, now, self.incidents)
        self.privacy = DataProtection(config, s.audit, s.privacy, self.watch, self.publisher, now)
        self.triage = triage
        self.labels = Labels(self.rules, s.items, s.audit, s.labels or LabelStore(s.items.r),
                             self.workflow, lambda: triage.model_version, now, self.intake,
                             self.dropped)
        self.queries.dropped = self.dropped

    def today(self) -> str:
        """Today's date in the desk's time zone (the key of the day's counters)."""
        return self.now().astimezone(self.tz).date().isoformat()

"""The team's labels (issue 14): `/label N kein|negativ|du|sie|daten|keine-daten` and the
card's menu. Each label is audited and stored as a training example (text, label, who, when,
model version); `kein` also closes an open item as no reply with reason `not_a_case`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from bot.desk.intake import Intake
from bot.desk.outcomes import Outcome
from bot.desk.rules import Rules
from bot.desk.workflow import Workflow
from bot.models import Item, State
from bot.store import AuditLog, ItemStore
from bot.store.dropped import DroppedMentions
from bot.store.labels import LabelStore
from bot.triage.labels import LabelExample, normalise_label

NOT_A_CASE = "not_a_case"


class Labels:
    """Label an item; `kein` closes it through `Workflow.no_reply`."""

    def __init__(self, rules: Rules, items: ItemStore, audit: AuditLog, store: LabelStore,
                 workflow: Workflow, model_version: Callable[[], str],
                 now: Callable[[], datetime], intake: Intake, dropped: DroppedMentions) -> None:
        self.rules, self.items, self.audit, self.store = rules, items, audit, store
        self.workflow, self.model_version, self.now = workflow, model_version, now
        self.intake, self.dropped = intake, dropped

    def promote(self, user: str, key: str) -> Outcome:
        """"doch ein Fall → Karte": a mention triage did not post becomes a card, and the
        label `negativ` is stored for it (the recall safety net teaches the model)."""
        self.rules.require_agent(user, "promote", None)
        entry = self.dropped.take(key)
        if entry is None:
            raise self.rules.refuse(user, "promote", None, "refuse.dropped_gone")
        m = entry.mention
        triage = self.intake.triage
        result = self.intake.post_case(m, entry.score, triage.analyse(m.text).address,
                                       triage.analyse(m.text).route, entry.model)
        assert result.item is not None
        item = self.items.get(result.item)
        assert item is not None
        example = self.example(item, "negativ", user)
        self.store.put(example, self.now().timestamp())
        self.audit.record(user, "promote", item.number, "ok", was=entry.sentiment,
                          model=example.model)
        return Outcome("ok.dropped_card", {"number": item.number}, item)

    def label(self, user: str, number: int, text: str) -> Outcome:
        """Store `user`'s label for item `number` (see the module docstring)."""
        label = normalise_label(text)
        if label is None:
            self.rules.require_agent(user, "label", number)
            raise self.rules.refuse(user, "label", number, "refuse.label_unknown",
                                    label=text.strip()[:30])
        item = self.rules.item_for(user, "label", number)
        if item.is_incident:
            raise self.rules.refuse(user, "label", number, "refuse.label_incident",
                                    number=number)
        if item.extra.get("anonymised_at"):
            raise self.rules.refuse(user, "label", number, "refuse.anonymised", number=number)
        closed = False
        if label == "kein" and item.is_open:
            if item.state == State.NEW and not item.holder:  # taken on the way: one thread line
                self.items.transition(number, allowed=(State.NEW,), require_holder="!",
                                      state=State.CLAIMED.value, holder=user,
                                      claimed_at=self.now().isoformat())
            self.workflow.no_reply(user, number, NOT_A_CASE)
            closed = True
        example = self.example(item, label, user)
        self.store.put(example, self.now().timestamp())
        self.audit.record(user, "label", number, "ok", label=label, model=example.model,
                          closed=closed)
        if closed:
            return Outcome("ok.label_closed", {"number": number}, item)
        return Outcome("ok.label", {"number": number, "label": label}, item)

    def example(self, item: Item, label: str, user: str) -> LabelExample:
        m = item.mention
        return LabelExample(item=item.number, label=label, text=m.text, by=user,
                            at=self.now().isoformat(),
                            model=item.extra.get("model") or self.model_version(),
                            network=m.network, author_id=m.author.id, mention_id=m.id)

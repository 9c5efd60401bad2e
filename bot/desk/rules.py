"""The rules every desk operation obeys: who may act, on what, and what a public text must pass.

Only configured agents act; only the holder (or a lead) acts on a held item; every refusal
changes nothing and is audited like every action.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from datetime import datetime
from typing import Any

from bot.config import DeskConfig
from bot.errors import DeskRefusal
from bot.markup import lead_ping
from bot.messages import say
from bot.models import Item, State
from bot.sources.registry import label, network
from bot.store import AuditLog, ItemStore
from bot.store.agents import KuerzelStore
from bot.triage import TriageRules, detect_address, find_personal_data

_KUERZEL = re.compile(r"[A-ZÄÖÜ]{2,4}")


class Rules:
    """Checks shared by intake, agent work and answers; each refusal is audited."""

    def __init__(self, config: DeskConfig, items: ItemStore, audit: AuditLog,
                 kuerzel: KuerzelStore, triage: TriageRules, replying: Collection[str],
                 now: Callable[[], datetime]) -> None:
        self.config, self.items, self.audit, self.kuerzel = config, items, audit, kuerzel
        self.triage = triage
        self.replying = replying  # networks with credentials to answer on
        self.now = now
        self.lang = config.language

    # ----- people --------------------------------------------------------------------------
    def kuerzel_of(self, user: str) -> str | None:
        return self.kuerzel.get(user) or self.config.agents.get(user)

    def is_agent(self, user: str) -> bool:
        return user in self.config.agents or user in self.config.leads or bool(
            self.kuerzel.get(user))

    def is_lead(self, user: str) -> bool:
        return user in self.config.leads

    def leads_text(self) -> str:
        """The leads as Slack mentions, for "ask …" in refusals."""
        return lead_ping(self.config.leads, self.lang)

    # ----- refusals ------------------------------------------------------------------------
    def refuse(self, user: str, action: str, item_no: int | None, key: str, /,
               **params: Any) -> DeskRefusal:
        """Audit a refusal and build it (nothing else changes)."""
        self.audit.record(user, action, item_no, f"refused:{key}", **{
            k: v for k, v in params.items() if k not in ("found", "number")})
        return DeskRefusal(key, **params)

    def require_agent(self, user: str, action: str, item_no: int | None) -> None:
        if not self.is_agent(user):
            raise self.refuse(user, action, item_no, "refuse.not_agent", leads=self.leads_text())

    def item_for(self, user: str, action: str, number: int) -> Item:
        """The item `user` names, if `user` is an agent and it exists."""
        self.require_agent(user, action, number)
        item = self.items.get(number)
        if item is None:
            raise self.refuse(user, action, number, "refuse.unknown_item", number=number)
        return item

    def state_refusal(self, user: str, action: str, item: Item, t_state: str) -> DeskRefusal:
        state = say(f"state.{t_state}", self.lang)
        return self.refuse(user, action, item.number, "refuse.state", number=item.number,
                           state=state)

    def require_hold(self, user: str, action: str, item: Item,
                     allowed: tuple[State, ...] = (State.CLAIMED,)) -> None:
        """The item is in `allowed` and held by `user` (or `user` is a lead)."""
        if item.state not in allowed:
            if item.state == State.NEW:
                raise self.refuse(user, action, item.number, "refuse.not_holder",
                                  number=item.number)
            raise self.state_refusal(user, action, item, item.state.value)
        if item.holder and item.holder != user and not self.is_lead(user):
            raise self.refuse(user, action, item.number, "refuse.held_by_other",
                              number=item.number, holder=item.holder)

    # ----- public texts --------------------------------------------------------------------
    def sign(self, user: str, text: str) -> str:
        kuerzel = self.kuerzel_of(user) or "??"
        return text.rstrip() + self.config.signature.format(kuerzel=kuerzel)

    def address_mismatch(self, item: Item, text: str) -> str | None:
        """The draft's address form if it contradicts the customer's, else None."""
        draft = detect_address(text, self.config.triage.brand)
        if item.address in ("du", "sie") and draft in ("du", "sie") and draft != item.address:
            return draft
        return None

    @staticmethod
    def reply_limit(item: Item, signed: str) -> tuple[int, int] | None:
        """(length as the item's network counts it, limit) of a signed text."""
        spec = network(item.mention.network)
        return spec.reply_limit(signed) if spec else None

    def check_public(self, user: str, number: int, text: str, action: str,
                     allowed: tuple[State, ...] = (State.CLAIMED,)) -> Item:
        """Checks every public text passes: holder, personal data, network length."""
        item = self.item_for(user, action, number)
        if not text.strip():
            raise self.refuse(user, action, number, "refuse.empty_reply", number=number)
        self.require_hold(user, action, item, allowed)
        if item.extra.get("anonymised_at"):  # the post and its author are no longer known
            raise self.refuse(user, action, number, "refuse.anonymised", number=number)
        if not item.mention.replyable:
            raise self.refuse(user, action, number, "refuse.search_only", number=number,
                              url=item.mention.url, network=label(item.mention.network))
        found = find_personal_data(text, self.triage)
        if found:
            kinds = sorted({p.kind for p in found})
            names = ", ".join(say(f"pii.{k}", self.lang) for k in kinds)
            self.audit.record(user, action, number, "refused:refuse.personal_data", kinds=kinds)
            raise DeskRefusal("refuse.personal_data", number=number, found=names)
        if item.mention.network not in self.replying:
            raise self.refuse(user, action, number, "refuse.no_network",
                              network=label(item.mention.network))
        limit = self.reply_limit(item, self.sign(user, text))
        if limit and limit[0] > limit[1]:
            raise self.refuse(user, action, number, "refuse.too_long", length=limit[0],
                              limit=limit[1], over=limit[0] - limit[1])
        return item

    def check_kuerzel(self, user: str, kuerzel: str) -> str:
        """`kuerzel` upper-cased if it is 2–4 letters and not configured for someone else."""
        k = kuerzel.strip().upper()
        if not _KUERZEL.fullmatch(k):
            raise self.refuse(user, "kuerzel", None, "refuse.kuerzel_format", kuerzel=kuerzel)
        configured = {v.upper(): u for u, v in self.config.agents.items()}
        owner = configured.get(k)
        if owner and owner != user and (self.kuerzel.get(owner) in (None, k)):
            raise self.refuse(user, "kuerzel", None, "refuse.kuerzel_taken", kuerzel=k,
                              owner=owner)
        return k

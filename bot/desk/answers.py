"""Answering the customer: a public reply, signed and in their du/Sie, or a move to private.

Every public text passes the same checks (`Rules.check_public`); a draft whose address form
contradicts the customer's is held until the agent deliberately overrides. A named template
(`templates`) sent as filled in is exempt from that hold: its variant was chosen by the
customer's form. A per-item lock stops a double click from sending twice.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime

from bot.config import DeskConfig
from bot.desk import templates
from bot.desk.incidents import Incidents, not_for_incidents
from bot.desk.outcomes import Outcome
from bot.desk.ports import TimerPort
from bot.desk.publisher import Publisher
from bot.desk.rules import Rules
from bot.errors import DeskRefusal, NetworkError
from bot.markup import escape
from bot.messages import say
from bot.models import Item, ReplyAttempt, State
from bot.sources.base import Posted, Replies
from bot.sources.registry import label
from bot.store import AuditLog, ItemStore

# a reply attempt still unsettled this long after it started, with no one sending it, is shown
# as unknown on its card (the action lock that covers a send lasts 60 s)
UNSETTLED_AFTER_S = 90.0

DM_FROM = (State.CLAIMED, State.ANSWERED)  # a public answer may still move to private


class Answers:
    """Reply, send a held reply anyway, move to private."""

    def __init__(self, config: DeskConfig, rules: Rules, items: ItemStore, audit: AuditLog,
                 replies: Mapping[str, Replies], publisher: Publisher, timers: TimerPort,
                 now: Callable[[], datetime], incidents: Incidents) -> None:
        self.config, self.rules, self.items, self.audit = config, rules, items, audit
        self.replies, self.publisher, self.timers, self.now = replies, publisher, timers, now
        self.incidents = incidents
        self.lang = config.language

    # ----- templates ----------------------------------------------------------------------
    def template(self, item: Item, name: str) -> templates.Filled:
        """Template `name` in the variant for `item`'s customer, filled in; an unknown name is
        refused with the list of templates."""
        filled = templates.fill(self.config, item, name)
        if filled is None:
            known = templates.names(self.config)
            if not known:
                raise DeskRefusal("refuse.no_templates", name=name)
            raise DeskRefusal("refuse.unknown_template", name=name,
                              templates=", ".join(f"`:{n}`" for n in known))
        return filled

    def template_text(self, item: Item, name: str) -> str:
        """The text template `name` sends to `item`'s customer (see `template`)."""
        return self.template(item, name).text

    def knows_template(self, name: str) -> bool:
        return templates.find(self.config, name) is not None

    def _template_use(self, item: Item, template: str, text: str) -> dict[str, object]:
        """What the audit says about the template behind `text`: its name, and `edited` when
        the agent changed the filled-in text (then it is checked like free text)."""
        if not template:
            return {}
        filled = templates.fill(self.config, item, template)
        if filled is None:
            return {}
        if text.strip() == filled.text:
            return {"template": filled.name, "variant": filled.form}
        return {"template": filled.name, "edited": True}

    # ----- public replies ------------------------------------------------------------------
    def check_reply(self, user: str, number: int, text: str, *,
                    override: bool = False, template: str = "") -> Item:
        """Every check a public reply must pass, without sending anything.

        `template` names the template `text` came from: sent as filled in, its variant
        matches the customer's address form by construction and is never held for du/Sie.
        """
        item = self.rules.item_for(user, "reply", number)
        if item.is_incident:  # its members' answers are checked when they are queued
            self.rules.require_hold(user, "reply", item)
            return item
        item = self.rules.check_public(user, number, text, "reply")
        used = self._template_use(item, template, text)
        override = override or ("variant" in used)
        draft = None if override else self.rules.address_mismatch(item, text)
        if draft:
            self.items.hold_reply(number, user, text)
            raise self.rules.refuse(user, "reply", number, "hold.address", number=number,
                                    customer=say(f"address.{item.address}", self.lang),
                                    draft=draft)
        return item

    def network_reason(self, exc: NetworkError) -> str:
        """The network's refusal in the team's language (sources carry a catalogue key)."""
        key = getattr(exc, "key", None)
        return say(key, self.lang, **getattr(exc, "params", {})) if key else exc.reason

    def _send_public(self, user: str, item: Item, text: str, action: str) -> tuple[str, Posted]:
        """Post `text` signed; the per-item lock stops double clicks sending twice, the
        recorded attempt (`ItemStore.start_reply`) a second reply after one whose outcome
        a crash or a failover lost (the agent checks the network, then `reply_arrived` or
        `reply_not_arrived`)."""
        if not self.items.lock(item.number):
            raise self.rules.refuse(user, action, item.number, "refuse.busy", number=item.number)
        try:
            start = self.items.start_reply(item.number, ReplyAttempt(
                user, self.now().timestamp(), action))
        except BaseException:
            self.items.unlock(item.number)
            raise
        if start.outcome != "mine":
            self.items.unlock(item.number)
            if start.outcome == "missing":
                raise self.rules.refuse(user, action, item.number, "refuse.unknown_item",
                                        number=item.number)
            assert start.before is not None
            raise self.rules.refuse(user, action, item.number, "hold.reply_unknown",
                                    number=item.number, draft=escape(text),
                                    network=label(item.mention.network),
                                    **self._attempt_params(start.before))
        signed = self.rules.sign(user, text)
        try:
            return signed, self.replies[item.mention.network].reply(item.mention, signed)
        except NetworkError as exc:
            self.items.end_reply(item.number)  # refused: known not to have gone out
            self.items.unlock(item.number)
            self.audit.record(user, action, item.number, "failed", reason=exc.reason)
            # a refusal that will not go away (DMs closed, not mentioned) says so
            key = "refuse.network" if exc.retryable else "refuse.network_final"
            raise DeskRefusal(key, network=exc.network, reason=self.network_reason(exc),
                              number=item.number) from exc

    def reply_template(self, user: str, number: int, name: str, extra: str = "") -> Outcome:
        """`/reply N :name`: template `name` in the customer's variant, through `reply`."""
        item = self.rules.item_for(user, "reply", number)
        if item.is_incident:  # every member, each in its own variant
            return self.incidents.reply_all(user, number, f":{name} {extra}".strip())
        if extra.strip():  # a template goes out as it is; editing happens in the modal
            raise self.rules.refuse(user, "reply", number, "refuse.template_extra",
                                    number=number, name=name)
        try:
            text = self.template_text(item, name)
        except DeskRefusal as exc:
            raise self.rules.refuse(user, "reply", number, exc.key, **exc.params) from None
        return self.reply(user, number, text, template=name)

    def reply(self, user: str, number: int, text: str, *, override: bool = False,
              template: str = "") -> Outcome:
        """Answer the customer publicly, signed with the agent's Kürzel (on an incident: every
        member, each on its own network; see `Incidents.reply_all`)."""
        item = self.check_reply(user, number, text, override=override, template=template)
        if item.is_incident:
            return self.incidents.reply_all(user, number, f":{template}" if template else text)
        used = self._template_use(item, template, text)
        signed, posted = self._send_public(user, item, text, "reply")
        answered_at = self.now().isoformat()
        try:
            self.items.transition(
                number, allowed=(State.CLAIMED,), close=True, state=State.ANSWERED.value,
                answered_at=answered_at, answered_by=user, reply_id=posted.id,
                reply_text=signed)
        finally:
            self.items.unlock(number)
        self.timers.stop(number)
        after = self.publisher.done(user, "reply", item, "thread.replied", text=escape(signed),
                                    audit={"text": signed, **used, "answered_at": answered_at})
        params: dict[str, object] = {"number": number, "network": label(item.mention.network)}
        if "variant" in used:
            return Outcome("ok.replied_template", {
                **params, "template": used["template"],
                "form": "Sie" if used["variant"] == "sie" else "du"}, after)
        return Outcome("ok.replied", params, after)

    def override_held_reply(self, user: str, number: int) -> Outcome:
        """Send the draft held for a du/Sie mismatch, deliberately."""
        text = self.items.take_held_reply(number, user)
        if text is None:
            raise self.rules.refuse(user, "reply_override", number, "refuse.nothing_held",
                                    number=number)
        self.audit.record(user, "reply_override", number, "ok")
        return self.reply(user, number, text, override=True)

    # ----- a reply whose outcome a crash or failover lost -----------------------------------
    def _attempt_params(self, attempt: ReplyAttempt) -> dict[str, str]:
        return {"by": f"<@{attempt.by}>", "at": self.publisher.local(attempt.iso)}

    def _unknown_attempt(self, user: str, action: str, number: int) -> tuple[Item,
                                                                             ReplyAttempt]:
        item = self.rules.item_for(user, action, number)
        self.rules.require_hold(user, action, item, DM_FROM)
        attempt = self.items.reply_attempt(number)
        if attempt is None:
            raise self.rules.refuse(user, action, number, "refuse.no_reply_unknown",
                                    number=number)
        return item, attempt

    def show_unsettled(self, now: float) -> list[int]:
        """Put on its card each reply attempt whose outcome nobody knows (`UNSETTLED_AFTER_S`
        after it started, no one sending it): the team sees it without trying to reply again,
        and the card offers the two answers (`reply_arrived`, `reply_not_arrived`). Audited
        once per attempt; the numbers shown."""
        shown = []
        for number, attempt in self.items.unsettled_replies(now - UNSETTLED_AFTER_S):
            if self.items.mark_reply_unknown(number, attempt):
                self.audit.record("watch", "reply_unknown", number, "ok", by=attempt.by,
                                  at=attempt.iso, sent_with=attempt.action)
                self.publisher.card_changed(number)
                shown.append(number)
        return shown

    def reply_not_arrived(self, user: str, number: int) -> Outcome:
        """The agent checked the network: the reply whose outcome was unknown did not reach
        the customer, so a new one may go out (audited with who said so)."""
        item, attempt = self._unknown_attempt(user, "reply_not_arrived", number)
        self.items.end_reply(number)
        self.audit.record(user, "reply_not_arrived", number, "ok", by=attempt.by,
                          at=attempt.iso)
        if item.reply_unknown is not None:  # it was on the card: take it off
            self.publisher.card_changed(number)
        return Outcome("ok.reply_cleared", {"number": number}, item)

    def reply_arrived(self, user: str, number: int) -> Outcome:
        """The agent checked the network: the reply whose outcome was unknown is there. The
        item is answered (or private) as of that reply, by its sender; nothing is sent."""
        item, attempt = self._unknown_attempt(user, "reply_arrived", number)
        at = attempt.iso
        state = State.PRIVATE if attempt.action == "dm" else State.ANSWERED
        first = {} if item.answered_at else {"answered_at": at, "answered_by": attempt.by}
        allowed = DM_FROM if attempt.action == "dm" else (State.CLAIMED,)
        t = self.items.transition(number, allowed=allowed, close=True, state=state.value,
                                  **first)
        if not t.ok:
            raise self.rules.state_refusal(user, "reply_arrived", item, t.state)
        self.timers.stop(number)
        after = self.publisher.done(user, "reply_arrived", item, "thread.reply_arrived",
                                    audit={"by": attempt.by, "at": at},
                                    **self._attempt_params(attempt))
        return Outcome("ok.reply_arrived", {"number": number}, after)

    def move_to_private(self, user: str, number: int, text: str = "") -> Outcome:
        """Invite the customer to private messages (public, signed, in their du/Sie) and, where
        the network allows, send `text` (or the opening line) privately."""
        item = self.rules.item_for(user, "dm", number)
        not_for_incidents(item, "/dm")
        self.rules.require_hold(user, "dm", item, DM_FROM)
        tpl = self.config.templates
        invite = tpl.dm_invite_sie if item.address == "sie" else tpl.dm_invite_du
        item = self.rules.check_public(user, number, invite, "dm", DM_FROM)
        signed, posted = self._send_public(user, item, invite, "dm")
        private_id, note = "", ""
        try:
            sent = self.replies[item.mention.network].private_reply(
                item.mention, self.rules.sign(user, text or (
                    tpl.dm_opening_sie if item.address == "sie" else tpl.dm_opening_du)))
            private_id = sent.id if sent else ""
        except NetworkError as exc:
            note = self.network_reason(exc)
        answered_at = self.now().isoformat()
        try:
            first = {} if item.answered_at else {  # the first response stays the first
                "answered_at": answered_at, "answered_by": user,
                "reply_id": posted.id, "reply_text": signed}
            self.items.transition(number, allowed=DM_FROM, close=True,
                                  state=State.PRIVATE.value, private_id=private_id,
                                  invite_id=posted.id, **first)
        finally:
            self.items.unlock(number)
        self.timers.stop(number)
        after = self.publisher.done(user, "dm", item, "thread.private", private=private_id,
                                    note=note, audit={"private": private_id, "note": note,
                                                      "answered_at": answered_at})
        key = "ok.private_note" if note else "ok.private"
        return Outcome(key, {"number": number, "note": note}, after)

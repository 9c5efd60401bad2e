"""Incidents: when many customers say the same thing, one card instead of many.

When at least `storm.min_mentions` open negative mentions routed to one channel say the same
thing within `storm.window` (`bot.triage.similarity`), the desk opens an incident: an item of
its own (`kind=incident`, numbered like every item, so `/claim N` and the rest work on it) with
one card. Later matching mentions join it instead of getting a card; the ones that triggered it
join too (their cards say so; nothing is deleted). Every member stays an item: counted,
audited, answered on its own network with its own first-response time.

`/reply N :template` (or free text when all members write alike) on an incident queues one
answer per open member (`bot.store.answers`); `send_answers`, a worker job, sends them at the
networks' pace and records each as that member's answer. `/resolve N` and `/noreply N reason`
close every member with the incident.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from datetime import datetime

from bot.config import DeskConfig
from bot.desk import templates
from bot.desk.outcomes import IncidentView, Outcome
from bot.desk.ports import TimerPort
from bot.desk.publisher import ItemGone, Publisher
from bot.desk.rules import Rules
from bot.errors import DeskRefusal, NetworkError
from bot.models import Item, Mention, State
from bot.sources.base import Replies
from bot.store import AuditLog, ItemStore
from bot.store.answers import AnswerJob, AnswerQueue
from bot.store.incidents import IncidentStore
from bot.triage import find_personal_data
from bot.triage.storms import joins, storm_among

log = logging.getLogger(__name__)

COMPARE_WITH = 25        # latest members a new mention is compared with
IN_FLIGHT = 64  # intakes into one channel at once: a lane per worker, up to LANE_DEPTH (2) deep
LATEST_ON_CARD = 3       # members quoted on the incident card
RETRY_AFTER_S = 15.0     # a network that asked us to slow down is left alone this long
LOCK_TTL_MS = 15_000     # a worker that dies holding a channel's storm lock frees it by then
LOCK_WAIT_S = 20.0       # longer than a held lock can last: wait rather than post a card
CLOSED = (State.ANSWERED, State.PRIVATE, State.NOREPLY, State.RESOLVED)


class IncidentViews:
    """Read side: what a card shows about incidents (the publisher draws with it)."""

    def __init__(self, items: ItemStore, store: IncidentStore) -> None:
        self.items, self.store = items, store

    def members(self, number: int) -> list[Item]:
        """The incident's members, in one round trip (an outage storm has hundreds, and every
        answer sent and every card redraw reads them)."""
        return [m for m in self.items.get_many(self.store.members(number)) if m]

    def view(self, incident: Item) -> IncidentView:
        """Counts, the latest members and the failed answers, for the incident card."""
        members = self.members(incident.number)
        answered = sum(1 for m in members if m.answered_at is not None)
        failed = [(m.number, m.extra["answer_failed"]) for m in members
                  if m.extra.get("answer_failed") and m.answered_at is None]
        return IncidentView(len(members), answered, failed, members[-LATEST_ON_CARD:][::-1])

    def open_in(self, channel: str) -> int | None:
        """The newest open incident of `channel` (single cards offer to join it)."""
        found = self.store.open_in(channel)
        return found[0] if found else None

    def open_in_soon(self, channel: str) -> None:
        """`open_in` will be asked for: fetched with the next round trip (a card's hot path)."""
        self.store.open_in_soon(channel)


class Incidents:
    """Opens, grows and answers incidents."""

    def __init__(self, config: DeskConfig, rules: Rules, items: ItemStore, store: IncidentStore,
                 queue: AnswerQueue, audit: AuditLog, replies: Mapping[str, Replies],
                 publisher: Publisher, timers: TimerPort, now: Callable[[], datetime]) -> None:
        self.config, self.rules, self.items, self.store = config, rules, items, store
        self.queue, self.audit, self.replies = queue, audit, replies
        self.publisher, self.timers, self.now = publisher, timers, now
        self.storm = config.storm
        self.views = IncidentViews(items, store)
        self._blocked: dict[str, float] = {}  # network -> monotonic time it may be called again
        self.retry_after_s = RETRY_AFTER_S

    # ----- intake ---------------------------------------------------------------------------
    def place(self, item: Item) -> int | None:
        """Put a new negative item into an incident, opening one when a storm is found.

        Called by the intake before the item's card is posted; returns the incident's number
        (the item then gets no card of its own), or None (the item is a candidate for a later
        storm from now on, and may join one while its card is being posted).
        """
        channel = item.channel
        since = (self.now() - self.storm.window).timestamp()
        if self.storm.min_mentions > IN_FLIGHT:  # else a storm is always in reach: no read
            # a candidate from now on; far from a storm even counting every intake that may
            # run beside this one: no lock, no texts (storms set far out cost one round trip,
            # or none when the count rode the item's creation: `ahead`)
            seen = (item.seen_at or self.now()).timestamp()
            others = self.store.counted_singles(channel)
            if others is None:
                others = self.store.note_single_and_count(channel, item.number, seen, since) - 1
            elif others + IN_FLIGHT < self.storm.min_mentions:
                # a candidate for the others once its note arrives (before its card is
                # posted); until then an intake in flight, which the margin counts
                self.store.note_single_later(channel, item.number, seen, since)
                return None
            if others + IN_FLIGHT < self.storm.min_mentions:
                return None
        deadline = time.monotonic() + LOCK_WAIT_S
        while not self.store.lock(channel, LOCK_TTL_MS):  # one worker at a time per channel
            if time.monotonic() > deadline:
                log.warning("storm lock of %s busy; #%s gets its own card", channel, item.number)
                return None
            time.sleep(0.02)
        opened: Item | None = None
        try:
            brand = self.config.triage.brand
            open_now = self.store.open_in(channel)
            groups = [[m.mention.text for m in self._members(n)[-COMPARE_WITH:]] for n in open_now]
            found = joins(item.mention.text, groups, self._threshold(), brand)
            if found is not None:
                if not self._join(open_now[found], [item]):  # a new item is in none yet
                    raise ItemGone(item.number)  # its creation was lost (a failover)
                return open_now[found]
            singles = [n for n in self.store.recent_singles(channel, since) if n != item.number]
            if len(singles) + 1 < self.storm.min_mentions:  # too few to be a storm: no reads
                self.note_single(item)
                return None
            candidates, finished = self.items.unplaced_texts(singles)
            self.store.drop_singles(channel, finished)  # not read again
            texts = [text for _, text in candidates] + [item.mention.text]
            group = storm_among(texts, self._threshold(), min_size=self.storm.min_mentions,
                                anchor=len(texts) - 1, brand_names=brand)
            if group is None:
                # a candidate from now on, before its card is posted: a worker deciding about
                # the next mention meanwhile must see it
                self.note_single(item)
                return None
            *members, itself = self.items.get_many([candidates[i][0] for i in group
                                                    if i < len(candidates)] + [item.number])
            if itself is None:  # its creation was lost (a failover): no incident of it
                raise ItemGone(item.number)
            opened = self._open([*(m for m in members if m is not None), item])
        finally:
            self.store.unlock(channel)
        # posting waits for the channel's pace: outside the lock, so others may join meanwhile
        self.publisher.post_card(opened)
        self.timers.start(opened)
        return opened.number

    def ahead(self, channel: str) -> None:
        """A negative item of `channel` is about to be created: the count `place` checks
        first rides its creation (`bot.store.riding`; nothing when storms are always in
        reach)."""
        if self.storm.min_mentions > IN_FLIGHT:
            self.store.count_singles_soon(channel, (self.now() - self.storm.window).timestamp())

    def note_single(self, item: Item) -> None:
        """A negative item got its own card: a candidate for a later storm."""
        seen = (item.seen_at or self.now()).timestamp()
        self.store.note_single(item.channel, item.number, seen)

    def _threshold(self) -> float | None:
        return self.storm.threshold

    def _members(self, number: int) -> list[Item]:
        return self.views.members(number)

    def _open(self, members: list[Item]) -> Item:
        """Create the incident with `members` (its card is posted by the caller)."""
        first = min(members, key=lambda m: m.mention.created_at)
        due = min((m.due_at for m in members if m.due_at), default=None) or self.now()
        rep = first.mention
        representative = Mention(rep.network, f"incident-of-{first.number}", rep.text,
                                 rep.author, rep.created_at, rep.url)
        number = self.items.create_incident(representative, channel=first.channel,
                                            seen_at=self.now(), due_at=due)
        self.store.opened(number, first.channel, self.now().timestamp())
        self._join(number, members, opening=True)
        incident = self.items.get(number)
        assert incident is not None
        self.audit.record("intake", "incident_open", number, "ok", channel=first.channel,
                          members=[m.number for m in members])
        return incident

    def _join(self, number: int, members: list[Item], opening: bool = False) -> int:
        """Make `members` members of incident `number`; returns how many joined."""
        now = self.now().timestamp()
        added = self.store.join(number, members[0].channel, {m.number: now for m in members})
        if not added:
            return 0
        for m in members:
            self.timers.stop(m.number)  # the incident's own target governs now
            if m.card_ts:
                self.publisher.card_changed(m.number)  # "part of incident #N", coalesced
            if not opening:
                self.audit.record("intake", "incident_join", m.number, "ok", incident=number)
        if not opening:
            self.publisher.card_changed(number)
        return added

    def members_for(self, user: str, number: int) -> tuple[Item, list[Item]]:
        """An incident and all its members (agents only), for the "All reports" view."""
        incident = self.incident_for(user, "incident_members", number)
        return incident, self._members(number)

    # ----- agents: in and out ---------------------------------------------------------------
    def incident_for(self, user: str, action: str, number: int) -> Item:
        item = self.rules.item_for(user, action, number)
        if not item.is_incident:
            raise self.rules.refuse(user, action, number, "refuse.not_incident", number=number)
        return item

    def take_out(self, user: str, member: int) -> Outcome:
        """Take a mention out of its incident: it gets its own card and clock again."""
        item = self.rules.item_for(user, "incident_leave", member)
        number = item.incident
        if number is None or not self.store.leave(number, member):
            raise self.rules.refuse(user, "incident_leave", member, "refuse.not_in_incident",
                                    number=member)
        fresh = self.items.get(member)
        assert fresh is not None
        if fresh.card_ts:
            self.publisher.refresh_card(member)
        else:
            self.publisher.post_card(fresh)
        if fresh.is_open:
            self.timers.start(fresh)
            self.note_single(fresh)
        self.publisher.card_changed(number)
        self.audit.record(user, "incident_leave", member, "ok", incident=number)
        return Outcome("ok.incident_left", {"number": member, "incident": number})

    def put_in(self, user: str, member: int, number: int) -> Outcome:
        """Put a single card into an open incident of its channel."""
        item = self.rules.item_for(user, "incident_join", member)
        incident = self.incident_for(user, "incident_join", number)
        if not incident.is_open or not item.is_open or item.is_incident or item.incident:
            raise self.rules.refuse(user, "incident_join", member, "refuse.cannot_join",
                                    number=member, incident=number)
        if not self._join(number, [item]):  # put into an incident meanwhile, or gone
            raise self.rules.refuse(user, "incident_join", member, "refuse.cannot_join",
                                    number=member, incident=number)
        self.audit.record(user, "incident_join", member, "ok", incident=number)
        return Outcome("ok.incident_joined", {"number": member, "incident": number})

    # ----- one answer for every member --------------------------------------------------------
    def reply_all(self, user: str, number: int, text: str) -> Outcome:
        """Queue one answer per open member: a template in each member's du/Sie, or free text
        when all members write alike. Checks everything before queueing anything."""
        incident = self.rules.item_for(user, "reply", number)
        self.rules.require_hold(user, "reply", incident)
        members = [m for m in self._members(number) if m.is_open and m.answered_at is None]
        name = text.strip()[1:].split()[0] if text.strip().startswith(":") else ""
        if name:
            if templates.find(self.config, name) is None:
                raise self.rules.refuse(user, "reply", number, "refuse.unknown_template",
                                        name=name, templates=", ".join(
                                            f"`:{n}`" for n in templates.names(self.config)))
            drafts = {m.number: templates.fill(self.config, m, name) for m in members}
            bodies = {n: d.text for n, d in drafts.items() if d is not None}
        else:
            forms = {m.address for m in members} & {"du", "sie"}
            if len(forms) > 1:
                raise self.rules.refuse(user, "reply", number, "refuse.incident_mixed",
                                        number=number, names=", ".join(
                                            f"`:{n}`" for n in templates.names(self.config)))
            bodies = {m.number: text for m in members}
        for m in members:
            self._check(user, m, bodies[m.number], number)
        queued = self.queue.enqueue(number, [m.number for m in members], user, name,
                                    "" if name else text)
        self.items.set_fields(number, answering_by=user, answering_template=name,
                              answering_text="" if name else text)
        self.audit.record(user, "reply_all", number, "ok", members=queued, template=name)
        self.publisher.thread_line(incident, "thread.incident_answering", user=user,
                                   number=number, count=queued)
        return Outcome("ok.incident_queued", {"number": number, "count": queued}, incident)

    def _check(self, user: str, member: Item, body: str, number: int) -> None:
        """What a member's public answer must pass (the incident's holder answers it)."""
        if not body.strip():
            raise self.rules.refuse(user, "reply", number, "refuse.empty_reply", number=number)
        if find_personal_data(body, self.rules.triage):
            raise self.rules.refuse(user, "reply", number, "refuse.incident_personal_data",
                                    number=number, member=member.number)
        if not member.mention.replyable or member.mention.network not in self.rules.replying:
            raise self.rules.refuse(user, "reply", number, "refuse.incident_unreachable",
                                    number=number, member=member.number)
        limit = self.rules.reply_limit(member, self.rules.sign(user, body))
        if limit and limit[0] > limit[1]:
            raise self.rules.refuse(user, "reply", number, "refuse.too_long", length=limit[0],
                                    limit=limit[1], over=limit[0] - limit[1])

    def retry(self, user: str, member: int) -> Outcome:
        """Send a member's failed answer again (the agent has checked it did not go out)."""
        item = self.rules.item_for(user, "incident_retry", member)
        number = item.incident
        if number is None or item.answered_at is not None or not item.extra.get("answer_failed"):
            raise self.rules.refuse(user, "incident_retry", member, "refuse.nothing_to_retry",
                                    number=member)
        incident = self.items.get(number)
        assert incident is not None
        self.queue.not_sending(member)
        self.items.set_fields(member, answer_failed="")
        self.queue.enqueue(number, [member], user, incident.extra.get("answering_template", ""),
                           incident.extra.get("answering_text", ""))
        self.audit.record(user, "incident_retry", member, "ok", incident=number)
        self.publisher.card_changed(number)
        return Outcome("ok.incident_retry", {"number": member, "incident": number})

    def send_answers(self, consumer: str, batch: int = 10, reclaim_idle_ms: int = 30_000) -> int:
        """The worker job: send queued member answers; returns how many were recorded."""
        jobs = self.queue.reclaim(consumer, reclaim_idle_ms, batch) + self.queue.read(
            consumer, batch)
        done = 0
        for job in jobs:
            outcome = self._send(job)
            if outcome is not None:
                self.queue.ack(job.entry_id)
                done += outcome
        return done

    def _send(self, job: AnswerJob) -> int | None:
        """One member's answer: 1 sent, 0 nothing to do or failed (recorded), None later."""
        member = self.items.get(job.member)
        incident = self.items.get(job.incident)
        if member is None or incident is None or member.answered_at is not None \
                or member.state in CLOSED:
            return 0
        network = member.mention.network
        if self._blocked.get(network, 0) > time.monotonic():
            return None  # the network asked us to slow down: queued, never dropped
        filled = templates.fill(self.config, member, job.template) if job.template else None
        body = filled.text if filled else job.text
        signed = self.rules.sign(job.user, body)
        if not self.queue.start_sending(member.number):
            self._failed(job, member, "uncertain")  # a crash mid-send: never send twice
            return 0
        try:
            posted = self.replies[network].reply(member.mention, signed)
        except (NetworkError, KeyError) as exc:
            self.queue.not_sending(member.number)  # refused: nothing went out
            if isinstance(exc, NetworkError) and exc.retryable:
                self._blocked[network] = time.monotonic() + self.retry_after_s
                return None
            reason = exc.reason if isinstance(exc, NetworkError) else "no_network"
            self._failed(job, member, reason)
            return 0
        now = self.now().isoformat()
        self.items.transition(member.number, allowed=(State.NEW, State.CLAIMED), close=True,
                              state=State.ANSWERED.value, holder=job.user, answered_at=now,
                              answered_by=job.user, reply_id=posted.id, reply_text=signed,
                              answer_failed="")
        self.timers.stop(member.number)
        self.audit.record(job.user, "reply", member.number, "ok", text=signed,
                          incident=job.incident, template=job.template, answered_at=now)
        if member.card_ts:
            self.publisher.card_changed(member.number)
        self._progress(job.user, job.incident)
        return 1

    def _failed(self, job: AnswerJob, member: Item, reason: str) -> None:
        self.items.set_fields(member.number, answer_failed=reason[:200])
        self.audit.record(job.user, "reply", member.number, "failed", reason=reason,
                          incident=job.incident)
        self.publisher.card_changed(job.incident)

    def _progress(self, user: str, number: int) -> None:
        """Update the incident card (coalesced); all answered: the incident is answered."""
        self.publisher.card_changed(number)
        if any(m.is_open and m.answered_at is None for m in self._members(number)):
            return
        t = self.items.transition(number, allowed=(State.CLAIMED, State.NEW), close=True,
                                  state=State.ANSWERED.value, answered_at=self.now().isoformat(),
                                  answered_by=user)
        if t.ok:
            self.timers.stop(number)
            self.audit.record(user, "incident_answered", number, "ok")  # closes it (issue 13)
            incident = self.items.get(number)
            if incident:
                self.publisher.thread_line(incident, "thread.incident_answered", number=number,
                                           count=self.store.member_count(number))

    # ----- closing ----------------------------------------------------------------------------
    def close_all(self, user: str, number: int, action: str, reason: str = "") -> Outcome:
        """`/resolve N` or `/noreply N reason` on an incident: every member with it."""
        incident = self.rules.item_for(user, action, number)
        allowed = ((State.CLAIMED, State.ANSWERED, State.NEW) if action == "resolve"
                   else (State.CLAIMED, State.NEW))
        self.rules.require_hold(user, action, incident, allowed)
        now = self.now().isoformat()
        closed = 0
        for m in self._members(number):
            if action == "resolve" and m.state != State.RESOLVED:
                t = self.items.transition(m.number, allowed=(State.NEW, State.CLAIMED, *CLOSED),
                                          close=True, state=State.RESOLVED.value,
                                          resolved_at=now, holder=m.holder or user)
            elif action == "noreply" and m.is_open:
                t = self.items.transition(m.number, allowed=(State.NEW, State.CLAIMED),
                                          close=True, state=State.NOREPLY.value, reason=reason,
                                          closed_at=now, holder=m.holder or user)
            else:
                continue
            if t.ok:
                closed += 1
                self.timers.stop(m.number)
                self.audit.record(user, action, m.number, "ok", incident=number,
                                  **({"reason": reason} if reason else {}))
                if m.card_ts:
                    self.publisher.card_changed(m.number)
        state = State.RESOLVED if action == "resolve" else State.NOREPLY
        fields = {"resolved_at": now} if action == "resolve" else {"reason": reason,
                                                                  "closed_at": now}
        t = self.items.transition(number, allowed=allowed, close=True, state=state.value,
                                  holder=incident.holder or user, **fields)
        if not t.ok:
            raise self.rules.state_refusal(user, action, incident, t.state)
        self.timers.stop(number)
        self.store.closed(number, incident.channel)
        key = "ok.incident_resolved" if action == "resolve" else "ok.incident_noreply"
        line = "thread.incident_resolved" if action == "resolve" else "thread.incident_noreply"
        after = self.publisher.done(user, action, incident, line, count=closed, reason=reason)
        return Outcome(key, {"number": number, "count": closed}, after)


def not_for_incidents(item: Item, action: str) -> None:
    """A guard for operations that make no sense on an incident card."""
    if item.is_incident:
        raise DeskRefusal("refuse.incident_action", number=item.number, action=action)

"""Desk items in Redis: one hash per item, numbered `#N`, changed only by atomic scripts.

`create` is idempotent per mention (a worker that crashed after creating an item re-creates
nothing); `transition` is a compare-and-set on state and holder, so two agents claiming at
once cannot both win.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

import redis
from redis.typing import EncodableT, FieldT

from bot.models import Item, Mention, ReplyAttempt, State, mention_from_json
from bot.store import keys, riding
from bot.store.replication import Replication, pipelined

_CREATE = """
local existing = redis.call('GET', KEYS[1])
if existing then return {tonumber(existing), 0} end
local n = redis.call('INCR', KEYS[2])
local item = ARGV[1] .. n
for i = 4, #ARGV, 2 do redis.call('HSET', item, ARGV[i], ARGV[i + 1]) end
redis.call('SET', KEYS[1], n)
redis.call('ZADD', KEYS[3], ARGV[2], n)
redis.call('ZADD', KEYS[4], ARGV[3], n)
redis.call('SADD', KEYS[5], n)
redis.call('SET', KEYS[6], n, 'NX')
return {n, 1}
"""

_LINK = """
if redis.call('SET', KEYS[1], ARGV[1], 'NX') then redis.call('SADD', KEYS[2], ARGV[2]) end
return 1
"""

# Plain facts onto an existing item only: a write retried into a Redis that came back empty
# (or lost the item in a failover) must not leave a partial hash behind.
_SET_FIELDS = """
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
for i = 1, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
return 1
"""

# Who posts an item's card (ARGV: poster, now, take over from): a card already posted is
# 'posted'; one another poster is posting is 'busy' unless the caller takes over from exactly
# that poster (it judged it gone); else it is this poster's, and the first attempt's time is
# returned (look before posting again).
_START_CARD = """
if redis.call('EXISTS', KEYS[1]) == 0 then return {'missing', '', ''} end
local ts = redis.call('HGET', KEYS[1], 'card_ts') or ''
if ts ~= '' then return {'posted', ts, ''} end
local poster = redis.call('HGET', KEYS[1], 'card_poster') or ''
local held = redis.call('HGET', KEYS[1], 'card_poster_at') or ''
if poster ~= '' and poster ~= ARGV[1] and poster ~= ARGV[3] then
  return {'busy', poster, held}
end
local since = redis.call('HGET', KEYS[1], 'card_attempt') or ''
redis.call('HSET', KEYS[1], 'card_poster', ARGV[1], 'card_poster_at', ARGV[2])
if since == '' then redis.call('HSET', KEYS[1], 'card_attempt', ARGV[2]) end
return {'mine', since, ''}
"""

# The card is out (ARGV[1]: its ts): record it and end the posting.
_CARD_POSTED = """
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], 'card_ts', ARGV[1])
redis.call('HDEL', KEYS[1], 'card_poster', 'card_poster_at')
return 1
"""

# A poster that failed gives the card back (only if it is still its own).
_RELEASE_CARD = """
if redis.call('HGET', KEYS[1], 'card_poster') == ARGV[1] then
  redis.call('HDEL', KEYS[1], 'card_poster', 'card_poster_at')
  return 1
end
return 0
"""

# A public reply is about to go out (ARGV[1]: "<user> <epoch s> <action>", ARGV[2] the epoch
# s, ARGV[3] the number): recorded in the item, and in the attempts not settled yet (KEYS[2]),
# unless an earlier attempt's outcome is unknown (recorded, never ended: the sender died, or a
# failover lost what followed the send). Ended by any closing transition (the reply's own) or
# `end_reply`.
_START_REPLY = """
if redis.call('EXISTS', KEYS[1]) == 0 then return {'missing', ''} end
local before = redis.call('HGET', KEYS[1], 'reply_attempt') or ''
if before ~= '' then return {'unknown', before} end
redis.call('HSET', KEYS[1], 'reply_attempt', ARGV[1])
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[3])
return {'mine', ''}
"""

# The attempt ARGV[1] of the item is shown as unknown on its card (`reply_unknown`), if it is
# still the item's attempt (an agent may have settled it meanwhile) and not shown yet.
_MARK_REPLY_UNKNOWN = """
if (redis.call('HGET', KEYS[1], 'reply_attempt') or '') ~= ARGV[1] then return 0 end
if (redis.call('HGET', KEYS[1], 'reply_unknown') or '') == ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'reply_unknown', ARGV[1])
return 1
"""

_TRANSITION = """
local state = redis.call('HGET', KEYS[1], 'state')
if not state then return {'missing', '', ''} end
local holder = redis.call('HGET', KEYS[1], 'holder') or ''
if not string.find(',' .. ARGV[1] .. ',', ',' .. state .. ',', 1, true) then
  return {'state', state, holder}
end
if ARGV[2] == '!' and holder ~= '' then return {'holder', state, holder} end
if ARGV[2] ~= '' and ARGV[2] ~= '!' and ARGV[2] ~= holder then return {'holder', state, holder} end
for i = 4, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
if ARGV[3] ~= '' then  -- close (ARGV[3]: the number); a reply attempt's outcome is settled
  redis.call('ZREM', KEYS[2], ARGV[3])
  redis.call('HDEL', KEYS[1], 'reply_attempt', 'reply_unknown')
  redis.call('ZREM', KEYS[3], ARGV[3])
end
return {'ok', state, holder}
"""


@dataclass(frozen=True)
class ReplyStart:
    """Outcome of `ItemStore.start_reply`: `mine` (send it), `unknown` (`before`, an earlier
    attempt, may have gone out), `missing`."""

    outcome: str
    before: ReplyAttempt | None = None


@dataclass(frozen=True)
class CardStart:
    """Outcome of `ItemStore.start_card`.

    `mine`: post it (`since`: an earlier attempt's epoch s, "" for the first); `posted`: it is
    out (`value` is its ts); `busy`: `value` is posting it since `held` (epoch s); `missing`.
    """

    outcome: str
    value: str
    held: str


@dataclass(frozen=True)
class Transition:
    """Outcome of a compare-and-set: `ok`, or why not (`missing`, `state`, `holder`)."""

    outcome: str
    state: str
    holder: str

    @property
    def ok(self) -> bool:
        return self.outcome == "ok"


def _ts(v: datetime | None) -> str:
    return v.isoformat() if v else ""


def _dt(v: str | None) -> datetime | None:
    return datetime.fromisoformat(v) if v else None


_CORE = {
    "mention", "sentiment", "score", "address", "channel", "state", "holder", "card_ts",
    "seen_at", "due_at", "answered_at", "answered_by", "reply_id", "reply_text", "reason",
    "timer_state",
}


class ItemStore:
    """Owns `at:item:*`, `at:seq:item`, `at:mention-item:*`, `at:conv:*`, `at:open` and
    `at:waiting` (items waiting for their customer, issue 16), `at:replies:attempted` (reply
    attempts not settled yet, issue 15), and the
    indexes data protection needs: `at:author:*` (a customer's items, and the incidents showing
    their post), `at:privacy:incidents` (incidents for retention), `at:links:*` (follow-up
    mentions of an item) and `at:privacy:indexed-since` (items older than that are unindexed).
    `bot.store.privacy` anonymises what these hold.
    """

    def __init__(self, r: redis.Redis, replication: Replication | None = None) -> None:
        self.r = r
        self.replication = replication or Replication(r)
        self._create = r.register_script(_CREATE)
        self._link = r.register_script(_LINK)
        self._transition = r.register_script(_TRANSITION)
        self._set_fields = r.register_script(_SET_FIELDS)
        self._start_card = r.register_script(_START_CARD)
        self._card_posted = r.register_script(_CARD_POSTED)
        self._release_card = r.register_script(_RELEASE_CARD)
        self._start_reply = r.register_script(_START_REPLY)
        self._mark_reply_unknown = r.register_script(_MARK_REPLY_UNKNOWN)

    def create(
        self,
        mention: Mention,
        *,
        sentiment: str,
        score: float,
        address: str,
        channel: str,
        seen_at: datetime,
        due_at: datetime,
        model: str = "",
    ) -> tuple[int, Item | None]:
        """Create the item for `mention` once: (number, the item as written, not read back)
        when created now, (number, None) when it existed already. `model`: the version of the
        triage model that judged it (issue 14; shown on the card)."""
        fields = {
            "mention": mention.to_json(), "sentiment": sentiment, "score": f"{score:.4f}",
            "address": address, "channel": channel, "state": State.NEW.value, "holder": "",
            "seen_at": _ts(seen_at), "due_at": _ts(due_at),
        }
        if model:
            fields["model"] = model
        flat = [x for kv in fields.items() for x in kv]
        key = keys.item_for_mention(mention.network, mention.id)

        def build(pipe: Any) -> None:
            self._create(keys=[key, keys.ITEM_SEQ, keys.OPEN_ITEMS, keys.ITEMS_BY_SEEN,
                               keys.author_items(mention.network, mention.author.id),
                               keys.AUTHOR_INDEX_SINCE],
                         args=[keys.item(0)[:-1], due_at.timestamp(), seen_at.timestamp(), *flat],
                         client=pipe)

        # through `pipelined`: what the intake queued ahead (`bot.store.riding`) rides along
        n, created = pipelined(self.r, build, key)[0]
        if mention.conversation_id:
            self.r.set(keys.conversation(mention.network, mention.conversation_id), n, nx=True)
        return int(n), _item_from_hash(int(n), fields, mention) if created else None

    def create_incident(self, representative: Mention, *, channel: str, seen_at: datetime,
                        due_at: datetime) -> int:
        """A new incident item (`kind=incident`), numbered from the items' counter, so every
        command that takes #N works on it. `representative` is shown on its card."""
        fields = {
            "mention": representative.to_json(), "sentiment": "negative", "score": "1",
            "address": "none", "channel": channel, "state": State.NEW.value, "holder": "",
            "seen_at": _ts(seen_at), "due_at": _ts(due_at), "kind": "incident",
        }
        n = cast("int", self.r.incr(keys.ITEM_SEQ))
        pipe = self.r.pipeline(transaction=True)  # MULTI: the item appears whole or not at all
        pipe.hset(keys.item(n), mapping=cast("dict[FieldT, EncodableT]", fields))
        pipe.zadd(keys.OPEN_ITEMS, {str(n): due_at.timestamp()})
        # its card shows a customer's post: an erasure of that customer must find it, and
        # retention too (incidents are not in `at:items:seen`, which the summary counts)
        pipe.sadd(keys.author_items(representative.network, representative.author.id), n)
        pipe.zadd(keys.INCIDENTS_TO_EXPIRE, {str(n): seen_at.timestamp()})
        pipe.execute()
        return n

    def get(self, number: int) -> Item | None:
        h = cast("dict[str, str]", self.r.hgetall(keys.item(number)))
        return _item_from_hash(number, h) if h else None

    def get_many(self, numbers: list[int]) -> list[Item | None]:
        """`get` for several items in one round trip (a pipeline, no transaction)."""
        if not numbers:
            return []
        pipe = self.r.pipeline(transaction=False)
        for n in numbers:
            pipe.hgetall(keys.item(n))
        return [_item_from_hash(n, h) if h else None
                for n, h in zip(numbers, pipe.execute(), strict=True)]

    def unplaced_texts(self, numbers: list[int]) -> tuple[list[tuple[int, str]], list[int]]:
        """(number, mention text) of those `numbers` that are new and in no incident, and the
        numbers that can never be again (gone, or in an incident): three fields each
        in one round trip, not whole items (the storm check reads many)."""
        if not numbers:
            return [], []
        pipe = self.r.pipeline(transaction=False)
        for n in numbers:
            pipe.hmget(keys.item(n), ["state", "incident", "mention"])
        out, done = [], []
        for n, (state, incident, raw) in zip(numbers, pipe.execute(), strict=True):
            if state == State.NEW.value and not incident and raw:
                out.append((n, str(json.loads(raw).get("text", ""))))
            elif not state or incident:  # any other state may become new again
                done.append(n)
        return out, done

    def number_for_mention(self, network: str, mention_id: str) -> int | None:
        v = cast("str | None", self.r.get(keys.item_for_mention(network, mention_id)))
        return int(v) if v else None

    def numbers_for_mentions(self, mentions: list[tuple[str, str]]) -> list[int | None]:
        """`number_for_mention` of each (network, mention id), in one round trip."""
        if not mentions:
            return []
        found = cast("list[str | None]", self.r.mget(
            [keys.item_for_mention(net, mid) for net, mid in mentions]))
        return [int(v) if v else None for v in found]

    def number_for_conversation(self, network: str, conversation_id: str) -> int | None:
        v = cast("str | None", self.r.get(keys.conversation(network, conversation_id)))
        return int(v) if v else None

    def link_mention(self, network: str, mention_id: str, number: int) -> None:
        """Make a follow-up mention resolve to an existing item (and its thread)."""
        self._link(keys=[keys.item_for_mention(network, mention_id), keys.item_links(number)],
                   args=[number, mention_id])

    def transition(
        self,
        number: int,
        *,
        allowed: tuple[State, ...],
        require_holder: str = "",
        close: bool = False,
        **fields: str,
    ) -> Transition:
        """Set `fields` if state is in `allowed` and the holder matches.

        require_holder: "" any holder, "!" must be unheld, else must equal this user id.
        close: also remove the item from the open set.
        """
        flat = [x for kv in fields.items() for x in kv]
        res = self._transition(
            keys=[keys.item(number), keys.OPEN_ITEMS, keys.REPLY_ATTEMPTS],
            args=[",".join(s.value for s in allowed), require_holder, str(number) if close else "",
                  *flat],
        )
        return Transition(*(str(x) for x in res))

    def set_fields(self, number: int, **fields: str) -> None:
        """Record plain facts (card ts, timer state) that need no state check (on an existing
        item only)."""
        self._set_fields(keys=[keys.item(number)], args=[x for kv in fields.items() for x in kv])

    def start_card(self, number: int, poster: str, now: float,
                   take_over_from: str = "") -> CardStart:
        """Become the one posting the item's card (see `_START_CARD`); once it is `mine`, a
        replica holds that (and every write before it) before this returns, so a failover
        cannot hand the same card to a second poster, nor forget the attempt."""
        args = [poster, f"{now:.3f}", take_over_from or "\x00"]
        written = self.replication.write(keys.item(number), lambda pipe: self._start_card(
            keys=[keys.item(number)], args=args, client=pipe))
        start = CardStart(*(str(x) for x in written.replies[0]))
        if start.outcome == "mine":
            written.confirm()
        return start

    def card_posted(self, number: int, ts: str, mention: Mention | None = None) -> Item | None:
        """The card is out: record its ts and end the posting; returns the item as it is now
        (read in the same round trip; `mention`: its mention as the caller knows it, not
        parsed again if unchanged), None if it is gone."""
        key = keys.item(number)

        def build(pipe: Any) -> None:
            self._card_posted(keys=[key], args=[ts], client=pipe)
            pipe.hgetall(key)

        h = pipelined(self.r, build, key)[-1]
        if not h:
            return None
        unchanged = mention is not None and h.get("mention") == mention.to_json()
        return _item_from_hash(number, h, mention if unchanged else None)

    def release_card(self, number: int, poster: str) -> None:
        """`poster` failed to post the card: another may now (only if still its own)."""
        self._release_card(keys=[keys.item(number)], args=[poster])

    def start_reply(self, number: int, attempt: ReplyAttempt) -> ReplyStart:
        """Record that a public reply to the item goes out now; once `mine`, a replica
        holds the record before this returns. A failover (or a crash) between the send and
        its transition leaves the record: the next reply learns that an earlier one may have
        gone out (`unknown`) instead of sending a second (`end_reply` clears it)."""
        written = self.replication.write(keys.item(number), lambda pipe: self._start_reply(
            keys=[keys.item(number), keys.REPLY_ATTEMPTS],
            args=[str(attempt), f"{attempt.at:.3f}", str(number)], client=pipe))
        outcome, before = (str(x) for x in written.replies[0])
        if outcome == "mine":  # not confirmed: not sent, so nothing is unknown
            written.confirm(undo=lambda: self.end_reply(number))
        return ReplyStart(outcome, ReplyAttempt.parse(before))

    def reply_attempt(self, number: int) -> ReplyAttempt | None:
        """The reply attempt whose outcome is unknown, if the item has one."""
        return ReplyAttempt.parse(str(self.r.hget(keys.item(number), "reply_attempt") or ""))

    def end_reply(self, number: int) -> None:
        """The reply attempt is over with a known outcome (refused by the network, or the
        agent checked that it did not arrive)."""
        pipe = self.r.pipeline(transaction=False)
        pipe.hdel(keys.item(number), "reply_attempt", "reply_unknown")
        pipe.zrem(keys.REPLY_ATTEMPTS, number)
        pipe.execute()

    def unsettled_replies(self, started_before: float) -> list[tuple[int, ReplyAttempt]]:
        """Reply attempts started before `started_before` (epoch s) whose outcome nobody
        knows: not settled, no one sending (the item's action lock is free: the sender died or
        a failover lost the rest), not on the card yet. Entries of items that no longer have
        an attempt (deleted by retention or erasure) are dropped from the index."""
        numbers = [int(n) for n in cast("list[str]", self.r.zrangebyscore(
            keys.REPLY_ATTEMPTS, "-inf", started_before))]
        if not numbers:
            return []
        pipe = self.r.pipeline(transaction=False)
        for n in numbers:
            pipe.hmget(keys.item(n), ["reply_attempt", "reply_unknown"])
            pipe.exists(keys.action_lock(n))
        rows = pipe.execute()
        found, gone = [], []
        for n, (attempt, shown), locked in zip(numbers, rows[::2], rows[1::2], strict=True):
            parsed = ReplyAttempt.parse(str(attempt or ""))
            if parsed is None:
                gone.append(n)
            elif not locked and not shown:
                found.append((n, parsed))
        if gone:
            self.r.zrem(keys.REPLY_ATTEMPTS, *gone)
        return found

    def mark_reply_unknown(self, number: int, attempt: ReplyAttempt) -> bool:
        """Show `attempt` as unknown on the item's card; False if it was settled meanwhile
        (or another worker showed it)."""
        return bool(self._mark_reply_unknown(keys=[keys.item(number)], args=[str(attempt)]))

    def mark_waiting(self, number: int, until: datetime) -> None:
        """The item waits for its customer until `until` (listed in App Home and /queue)."""
        self.r.zadd(keys.WAITING_ITEMS, {str(number): until.timestamp()})

    def waiting(self, limit: int = 200) -> list[Item]:
        """Items waiting for their customer, the soonest end of wait first. Entries of items
        no longer waiting (the customer wrote, closed, erased) are dropped as they are met."""
        numbers = [int(n) for n in cast("list[str]",
                                         self.r.zrange(keys.WAITING_ITEMS, 0, limit - 1))]
        out, stale = [], []
        for n, item in zip(numbers, self.get_many(numbers), strict=True):
            if item is not None and item.state == State.WAITING:
                out.append(item)
            else:
                stale.append(str(n))
        if stale:
            self.r.zrem(keys.WAITING_ITEMS, *stale)
        return out

    def reopen(self, number: int, due_at: datetime) -> None:
        self.r.zadd(keys.OPEN_ITEMS, {str(number): due_at.timestamp()})

    def numbers_seen_between(self, start: datetime, end: datetime) -> list[int]:
        """Items first seen in [start, end)."""
        return [int(n) for n in cast("list[str]", self.r.zrangebyscore(
            keys.ITEMS_BY_SEEN, start.timestamp(), f"({end.timestamp()}"))]

    def open_numbers(self, limit: int = 100) -> list[int]:
        """Open items, nearest due time first."""
        return [int(n) for n in cast("list[str]", self.r.zrange(keys.OPEN_ITEMS, 0, limit - 1))]

    def open_count(self) -> int:
        """How many items are open (one ZCARD, not a fetch of every number)."""
        return cast("int", self.r.zcard(keys.OPEN_ITEMS))

    def lock(self, number: int, ttl_s: int = 60) -> bool:
        """Take the per-item action lock (one network call at a time)."""
        return bool(self.r.set(keys.action_lock(number), "1", nx=True, ex=ttl_s))

    def unlock(self, number: int) -> None:
        self.r.delete(keys.action_lock(number))

    def hold_reply(self, number: int, user: str, text: str, ttl_s: int = 1800) -> None:
        """Keep a draft held for a du/Sie mismatch until the agent overrides (or 30 min)."""
        self.r.set(keys.held_reply(number, user), text, ex=ttl_s)

    def take_held_reply(self, number: int, user: str) -> str | None:
        """The held draft, removed so an override sends it once."""
        v = self.r.getdel(keys.held_reply(number, user))
        return str(v) if v is not None else None

    def first_time(self, token: str, ttl_s: int) -> bool:
        """Idempotency: True only for the first caller with `token` within `ttl_s`."""
        return bool(self.r.set(keys.idempotency(token), "1", nx=True, ex=ttl_s))

    def count(self, day: str, *fields: str) -> None:
        """Add one to each of the day's counters `fields` (with the next round trip inside
        `bot.store.riding.ride_along`, else now)."""
        key = keys.counts(day)
        riding.later(self.r, key, lambda pipe: [pipe.hincrby(key, f, 1) for f in fields])

    def counts(self, day: str) -> dict[str, int]:
        counts = cast("dict[str, str]", self.r.hgetall(keys.counts(day)))
        return {k: int(v) for k, v in counts.items()}

    def open_states(self, batch: int = 500) -> list[tuple[str, datetime | None]]:
        """(state, first seen) of every open item (metrics: open by state, oldest open)."""
        numbers = cast("list[str]", self.r.zrange(keys.OPEN_ITEMS, 0, -1))
        found: list[tuple[str, datetime | None]] = []
        for start in range(0, len(numbers), batch):
            pipe = self.r.pipeline(transaction=False)
            for n in numbers[start:start + batch]:
                pipe.hmget(keys.item(int(n)), ["state", "seen_at"])
            for state, seen in cast("list[list[str | None]]", pipe.execute()):
                if state:
                    found.append((state, _dt(seen)))
        return found
    # ----- the whole customer (issue 16) ----------------------------------------------------
    def author_numbers(self, network: str, author_id: str) -> list[int]:
        """Numbers of one customer's items (the author index; incidents showing them too; the
        answer `author_numbers_soon` fetched ahead, if it did)."""
        key = keys.author_items(network, author_id)
        members = riding.take(key, "author_numbers")
        if members is riding.MISSING:
            members = self.r.smembers(key)
        return sorted(int(n) for n in cast("set[str]", members))

    def author_numbers_soon(self, network: str, author_id: str) -> None:
        """`author_numbers` will be asked for: fetch it with the next round trip."""
        key = keys.author_items(network, author_id)
        riding.soon(key, "author_numbers", lambda pipe: pipe.smembers(key))

    def newest_number(self) -> int:
        """The number of the newest item (0 when there is none)."""
        return int(cast("str | None", self.r.get(keys.ITEM_SEQ)) or 0)

    def get_existing(self, numbers: list[int]) -> dict[int, Item]:
        """The items of `numbers` that exist, by number, in one round trip."""
        return {item.number: item for item in self.get_many(numbers) if item is not None}


    # ----- triage that learns (issue 14) ----------------------------------------------------
    def answered_texts(self, batch: int = 500) -> list[tuple[int, str]]:
        """(number, mention text) of every item the team answered, publicly or privately (an
        answer was recorded: `answered_at`): real service cases, the negatives `bot train`
        learns from and checks recall on. Incidents and anonymised items (no text) are left
        out. Reads `at:items:seen` in batches of HMGETs, oldest first."""
        numbers = cast("list[str]", self.r.zrange(keys.ITEMS_BY_SEEN, 0, -1))
        found: list[tuple[int, str]] = []
        for start in range(0, len(numbers), batch):
            chunk = numbers[start:start + batch]
            pipe = self.r.pipeline(transaction=False)
            for n in chunk:
                pipe.hmget(keys.item(int(n)), ["answered_at", "anonymised_at", "kind", "mention"])
            rows = cast("list[list[str | None]]", pipe.execute())
            for n, (answered, anonymised, kind, raw) in zip(chunk, rows, strict=True):
                if not answered or anonymised or kind == "incident" or not raw:
                    continue
                text = mention_from_json(raw).text.strip()
                if text:
                    found.append((int(n), text))
        return found


def _item_from_hash(number: int, h: dict[str, str], mention: Mention | None = None) -> Item:
    """The item stored as `h`; `mention`: the one `h` holds, when the caller has it already
    (not parsed again: an item is read back right after it was written, on a card's hot
    path)."""
    return Item(
        number=number,
        mention=mention if mention is not None else mention_from_json(h["mention"]),
        sentiment=h.get("sentiment", ""),
        score=float(h.get("score") or 0),
        address=h.get("address", "none"),
        channel=h.get("channel", ""),
        state=State(h.get("state", "new")),
        holder=h.get("holder", ""),
        card_ts=h.get("card_ts", ""),
        seen_at=_dt(h.get("seen_at")),
        due_at=_dt(h.get("due_at")),
        answered_at=_dt(h.get("answered_at")),
        answered_by=h.get("answered_by", ""),
        reply_id=h.get("reply_id", ""),
        reply_text=h.get("reply_text", ""),
        reason=h.get("reason", ""),
        timer_state=h.get("timer_state", ""),
        extra={k: v for k, v in h.items() if k not in _CORE},
    )

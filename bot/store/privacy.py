"""The Redis side of data protection: finding one customer's data, anonymising items, deleting
and trimming stream entries. What to keep and what to remove is decided in `bot.privacy`.

Owns `at:privacy:salt`, `at:privacy:retention-floor` and the hashed dedupe marks
`at:seen-hash:*`. It is the one writer that removes customer data from keys other stores own:
item hashes and their indexes (`ItemStore`), the `/find` index (`SearchIndex`), internal notes
(`NoteStore`), `at:seen:*`, the mention and dead-letter streams (`MentionQueue`), held replies
and the audit stream (`AuditLog`), and (issue 14) the label examples (`LabelStore`) and the
mentions triage did not post (`DroppedMentions`). Each item is anonymised by
one script, so an item is either untouched or anonymised together with every key that points
to it; an erasure as a whole is several steps and can simply be run again.
"""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Callable, Collection, Iterable, Iterator
from datetime import datetime
from typing import Any, cast

import redis

from bot.privacy import Anonymisation, Customer, decode, stream_id
from bot.store import keys

# One item: compare-and-set on the stored mention and the state, then rewrite the hash and
# forget every key that points to it. KEYS: item, open set, author index, links, conversation,
# then per mention id (mention-item, seen, seen-hash). ARGV: expected mention, allowed states,
# number, '1' to take it out of the open set, how many fields to drop, the fields to drop, then
# field/value pairs to set.
_ANONYMISE = """
local m = redis.call('HGET', KEYS[1], 'mention')
if not m then return 'missing' end
if m ~= ARGV[1] then return 'changed' end
local state = redis.call('HGET', KEYS[1], 'state') or ''
if not string.find(',' .. ARGV[2] .. ',', ',' .. state .. ',', 1, true) then return 'state' end
local n = ARGV[3]
local ndrop = tonumber(ARGV[5])
for i = 6, 5 + ndrop do redis.call('HDEL', KEYS[1], ARGV[i]) end
for i = 6 + ndrop, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
if ARGV[4] == '1' then redis.call('ZREM', KEYS[2], n) end
redis.call('SREM', KEYS[3], n)
redis.call('DEL', KEYS[4])
if redis.call('GET', KEYS[5]) == n then redis.call('DEL', KEYS[5]) end
for i = 6, #KEYS, 3 do
  if redis.call('GET', KEYS[i]) == n then redis.call('DEL', KEYS[i]) end
  local ttl = redis.call('PTTL', KEYS[i + 1])
  if ttl > 0 then redis.call('SET', KEYS[i + 2], '1', 'PX', ttl)
  elseif ttl == -1 then redis.call('SET', KEYS[i + 2], '1') end
  redis.call('DEL', KEYS[i + 1])
end
return 'ok'
"""

# Mentions without an item of their own (counted, threaded, parked): per mention id
# (mention-item, seen, seen-hash). Returns how many keys carried the id.
_FORGET = """
local gone = 0
for i = 1, #KEYS, 3 do
  gone = gone + redis.call('DEL', KEYS[i])
  local ttl = redis.call('PTTL', KEYS[i + 1])
  if ttl > 0 then redis.call('SET', KEYS[i + 2], '1', 'PX', ttl)
  elseif ttl == -1 then redis.call('SET', KEYS[i + 2], '1') end
  gone = gone + redis.call('DEL', KEYS[i + 1])
end
return gone
"""

BATCH = 500


class PrivacyStore:
    """Finds, anonymises and deletes one customer's data; trims by age. See the module doc."""

    def __init__(self, r: redis.Redis) -> None:
        self.r = r
        self._anonymise = r.register_script(_ANONYMISE)
        self._forget = r.register_script(_FORGET)

    # ----- salt and retention floor ---------------------------------------------------------
    def salt(self) -> str:
        """The desk's random salt for hashed subjects (made once, kept in Redis)."""
        self.r.set(keys.PRIVACY_SALT, secrets.token_hex(16), nx=True)
        return str(self.r.get(keys.PRIVACY_SALT))

    def retention_floor(self) -> float:
        """First-seen time (epoch s) before which every item is anonymised: the next run
        starts there instead of at the first item ever."""
        v = self.r.get(keys.RETENTION_FLOOR)
        return float(cast("str", v)) if v else float("-inf")

    def set_retention_floor(self, seen: float) -> None:
        self.r.set(keys.RETENTION_FLOOR, repr(seen))

    # ----- items ----------------------------------------------------------------------------
    def seen_between(self, start: float, end: float) -> Iterator[tuple[int, float]]:
        """(number, first seen) of items first seen in [start, end), oldest first."""
        offset = 0
        lo = "-inf" if start == float("-inf") else repr(start)
        while True:
            rows = cast("list[tuple[str, float]]", self.r.zrangebyscore(
                keys.ITEMS_BY_SEEN, lo, f"({end!r}", start=offset, num=BATCH, withscores=True))
            for member, score in rows:
                yield int(member), float(score)
            if len(rows) < BATCH:
                return
            offset += BATCH

    def incidents_seen_before(self, end: float) -> list[tuple[int, float]]:
        """(number, first seen) of incidents not yet anonymised, first seen before `end`
        (a handful a day: the set loses each incident once it is anonymised)."""
        rows = cast("list[tuple[str, float]]", self.r.zrangebyscore(
            keys.INCIDENTS_TO_EXPIRE, "-inf", f"({end!r}", withscores=True))
        return [(int(m), float(s)) for m, s in rows]

    def incident_done(self, number: int) -> None:
        """Incident `number` is anonymised (or gone): retention need not look at it again."""
        self.r.zrem(keys.INCIDENTS_TO_EXPIRE, number)

    def fields(self, numbers: Iterable[int]) -> dict[int, dict[str, str]]:
        """The item hashes of `numbers` that exist."""
        numbers = list(numbers)
        out: dict[int, dict[str, str]] = {}
        for i in range(0, len(numbers), BATCH):
            chunk = numbers[i:i + BATCH]
            pipe = self.r.pipeline(transaction=False)
            for n in chunk:
                pipe.hgetall(keys.item(n))
            for n, h in zip(chunk, pipe.execute(), strict=True):
                if h:
                    out[n] = h
        return out

    def items_of(self, customer: Customer) -> set[int]:
        """The customer's items: the author index, plus a scan of the items created before the
        index existed (`at:privacy:indexed-since`)."""
        found = {int(n) for n in cast("set[str]", self.r.smembers(
            keys.author_items(customer.network, customer.author_id)))}
        since = self.r.get(keys.AUTHOR_INDEX_SINCE)
        top = int(cast("str", since)) - 1 if since else int(cast("str", self.r.get(keys.ITEM_SEQ) or 0))
        for start in range(1, top + 1, BATCH):
            chunk = list(range(start, min(top, start + BATCH - 1) + 1))
            pipe = self.r.pipeline(transaction=False)
            for n in chunk:
                pipe.hget(keys.item(n), "mention")
            for n, raw in zip(chunk, pipe.execute(), strict=True):
                if raw and customer.wrote(decode(raw)):
                    found.add(n)
        return found

    def indexed_since(self) -> int | None:
        """The first item number in the author index (older items are found by scanning)."""
        v = self.r.get(keys.AUTHOR_INDEX_SINCE)
        return int(cast("str", v)) if v else None

    def links(self, number: int) -> set[str]:
        """Ids of the follow-up mentions linked to item `number`."""
        return set(cast("set[str]", self.r.smembers(keys.item_links(number))))

    def anonymise(self, number: int, change: Anonymisation, *, expected_mention: str,
                  allowed: Collection[str], network: str, author_id: str,
                  conversation_id: str, mention_ids: Iterable[str], close: bool = False) -> str:
        """Write `change` over item `number` if its mention is still `expected_mention` and its
        state one of `allowed`; forget the keys that point to it: author index, links,
        conversation, mention-item, and `at:seen:*` (moved to `at:seen-hash:*`, same expiry).
        `close`: the change closes it, so it leaves the open set too.

        Returns `ok`, or why not: `missing`, `changed` (read again), `state`.
        """
        triples = [k for mid in mention_ids for k in (
            keys.item_for_mention(network, mid), keys.seen(network, mid),
            keys.seen_forgotten(network, mid))]
        args: list[str] = [expected_mention, ",".join(allowed), str(number), "1" if close else "0",
                           str(len(change.drop)), *change.drop,
                           *(x for kv in change.set.items() for x in kv)]
        return str(self._anonymise(
            keys=[keys.item(number), keys.OPEN_ITEMS, keys.author_items(network, author_id),
                  keys.item_links(number), keys.conversation(network, conversation_id), *triples],
            args=args))

    # ----- the whole customer (issue 16) ----------------------------------------------------
    def unindex(self, number: int, words: Iterable[str], handle: str) -> None:
        """Take item `number` out of the `/find` index (`at:find:*`, owned by `SearchIndex`)
        under its search words and handle; an emptied set is gone with it."""
        pipe = self.r.pipeline(transaction=False)
        for key in [keys.find_word(w) for w in words] + ([keys.find_handle(handle)] if handle
                                                          else []):
            pipe.zrem(key, str(number))
        pipe.execute()

    def drop_notes(self, number: int) -> None:
        """Delete the internal notes on item `number` (`at:notes:*`, owned by `NoteStore`)."""
        self.r.delete(keys.item_notes(number))

    def drop_author_index(self, customer: Customer) -> None:
        self.r.delete(keys.author_items(customer.network, customer.author_id))

    # ----- issue 14: label examples and mentions triage did not post ----------------------------
    def labels_of(self, customer: Customer) -> dict[str, dict[str, Any]]:
        """The customer's label examples (`at:labels`, owned by `LabelStore`), by field."""
        return self._json_fields(keys.LABELS, lambda e: e.get("network") == customer.network
                                 and str(e.get("author_id", "")) == customer.author_id)

    def drop_labels(self, customer: Customer) -> int:
        """Delete the customer's label examples; returns how many."""
        return self._drop_fields(keys.LABELS, keys.LABELS_ORDER, self.labels_of(customer))

    def dropped_of(self, customer: Customer) -> dict[str, dict[str, Any]]:
        """The customer's mentions triage did not post (`at:dropped`, `DroppedMentions`)."""
        return self._json_fields(keys.DROPPED, lambda e: customer.wrote(e.get("mention")))

    def drop_dropped(self, customer: Customer) -> int:
        """Delete the customer's not-posted mentions; returns how many."""
        return self._drop_fields(keys.DROPPED, keys.DROPPED_ORDER, self.dropped_of(customer))

    def _json_fields(self, name: str, wanted: Callable[[dict[str, Any]], bool]
                     ) -> dict[str, dict[str, Any]]:
        out = {}
        for field, raw in cast("Iterator[tuple[str, str]]", self.r.hscan_iter(name)):
            value = decode(raw)
            if value is not None and wanted(value):
                out[field] = value
        return out

    def _drop_fields(self, name: str, order: str, fields: Collection[str]) -> int:
        if fields:
            pipe = self.r.pipeline()
            pipe.hdel(name, *fields)
            pipe.zrem(order, *fields)
            pipe.execute()
        return len(fields)

    def forget_mentions(self, network: str, mention_ids: Iterable[str]) -> int:
        """Forget mentions that have no item of their own: their mention-item keys go, their
        dedupe mark is kept hashed. Returns how many keys carried an id."""
        ids = sorted(set(mention_ids))
        gone = 0
        for i in range(0, len(ids), BATCH):
            gone += int(self._forget(keys=[k for mid in ids[i:i + BATCH] for k in (
                keys.item_for_mention(network, mid), keys.seen(network, mid),
                keys.seen_forgotten(network, mid))]))
        return gone

    def forget_links_to(self, numbers: Collection[int]) -> int:
        """Forget every mention linked to one of `numbers` by an `at:mention-item:*` key (one
        SCAN: for follow-ups linked before `at:links:*` existed), dedupe mark kept hashed."""
        wanted = {str(n) for n in numbers}
        if not wanted:
            return 0
        gone = 0
        batch: list[str] = []
        for key in self.r.scan_iter(match=keys.MENTION_ITEM_KEYS, count=1000):
            batch.append(key)
            if len(batch) >= BATCH:
                gone += self._forget_pointing(batch, wanted)
                batch = []
        return gone + (self._forget_pointing(batch, wanted) if batch else 0)

    def _forget_pointing(self, names: list[str], wanted: set[str]) -> int:
        values = cast("list[str | None]", self.r.mget(names))
        prefix = keys.MENTION_ITEM_KEYS.removesuffix("*")
        gone = 0
        for k, v in zip(names, values, strict=True):
            if v in wanted:
                network, mention_id = k.removeprefix(prefix).split(":", 1)
                gone += self.forget_mentions(network, [mention_id])
        return gone

    def drop_held_replies(self, numbers: Collection[int]) -> int:
        """Delete drafts held for a du/Sie check on items `numbers` (they live 30 min anyway)."""
        wanted = {str(n) for n in numbers}
        prefix = keys.HELD_REPLY_KEYS.removesuffix("*")
        doomed = [k for k in self.r.scan_iter(match=prefix + "*", count=1000)
                  if k[len(prefix):].split(":", 1)[0] in wanted]
        return cast("int", self.r.delete(*doomed)) if doomed else 0

    # ----- streams --------------------------------------------------------------------------
    def mention_entries(self) -> Iterator[tuple[str, dict[str, str]]]:
        """The mention stream (`mention`: the mention as JSON)."""
        return self._entries(keys.MENTION_STREAM)

    def dead_letter_entries(self) -> Iterator[tuple[str, dict[str, str]]]:
        """The dead-letter stream (`entry`, `mention`, `reason`)."""
        return self._entries(keys.DEAD_LETTERS)

    def audit_entries(self) -> Iterator[tuple[str, dict[str, str]]]:
        """The audit stream (`at`, `actor`, `action`, `item`, `outcome`, `details` as JSON)."""
        return self._entries(keys.AUDIT_STREAM)

    def delete_mentions(self, ids: Collection[str]) -> int:
        """Delete mention-stream entries, acknowledged first so none stays pending."""
        return self._delete(keys.MENTION_STREAM, ids, group=keys.MENTION_GROUP)

    def delete_dead_letters(self, ids: Collection[str]) -> int:
        return self._delete(keys.DEAD_LETTERS, ids)

    def delete_audit(self, ids: Collection[str]) -> int:
        return self._delete(keys.AUDIT_STREAM, ids)

    def trim_mentions(self, before: datetime) -> tuple[int, int]:
        """Drop mention-stream and dead-letter entries older than `before`: (mentions, dead)."""
        return self._trim(keys.MENTION_STREAM, before), self._trim(keys.DEAD_LETTERS, before)

    def trim_audit(self, before: datetime) -> int:
        """Drop audit entries older than `before`."""
        return self._trim(keys.AUDIT_STREAM, before)

    def _entries(self, stream: str) -> Iterator[tuple[str, dict[str, str]]]:
        """Every entry of `stream`, oldest first, in batches."""
        start = "-"
        while True:
            rows = cast("list[tuple[str, dict[str, str]]]",
                        self.r.xrange(stream, min=start, max="+", count=BATCH))
            yield from rows
            if len(rows) < BATCH:
                return
            ms, seq = rows[-1][0].split("-")
            start = f"{ms}-{int(seq) + 1}"

    def _delete(self, stream: str, ids: Collection[str], *, group: str = "") -> int:
        """XDEL `ids` from `stream`; with `group`, acknowledge them first (pending ones too)."""
        ids = list(ids)
        deleted = 0
        for i in range(0, len(ids), BATCH):
            chunk = ids[i:i + BATCH]
            if group:
                with contextlib.suppress(redis.ResponseError):  # no group yet: nothing pending
                    self.r.xack(stream, group, *chunk)
            deleted += cast("int", self.r.xdel(stream, *chunk))
        return deleted

    def _trim(self, stream: str, before: datetime) -> int:
        """Delete the entries of `stream` older than `before` (exact XTRIM MINID)."""
        return cast("int", self.r.xtrim(stream, minid=stream_id(before), approximate=False))

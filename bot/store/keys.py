"""Every Redis key the project uses, in one place. Nothing else builds key strings.

All keys share the prefix `at:`. Item-scoped keys carry the item number.

Redis Cluster (issue 15): a Lua script, a MULTI or a multi-key command may only touch keys of
one hash slot. The desk's consistent state (items and their indexes, the mention stream and
its dedupe marks, timers, incidents, dead letters, Kürzel) is crossed by scripts everywhere,
so it shares one hash tag: `PREFIX` is `at:{desk}:`. Families that no script crosses keep the
plain `at:` (`SPREAD`) and spread over the cluster by their full name: idempotency marks,
action and storm locks, leases, checkpoints and back-offs, webhook deliveries, held drafts,
daily counters, the audit and answer streams, heartbeats and answer markers. A channel's
pacing keys are crossed by one script and share the channel as their tag (`at:pace:{C…}`).
A new key belongs to the desk family unless it is built from `SPREAD` (the cluster test in
tests/test_redis_cluster.py fails with CROSSSLOT otherwise).
"""

from __future__ import annotations

import hashlib

PREFIX = "at:{desk}:"  # the desk family: one hash tag (see above)
SPREAD = "at:"  # keys no script crosses with another: names unchanged since before issue 15

ITEM_SEQ = PREFIX + "seq:item"                 # INCR: the next short item number (#N)
MENTION_STREAM = PREFIX + "stream:mentions"    # XADD by ingest, XREADGROUP by workers
MENTION_GROUP = "desk-workers"                 # the consumer group on MENTION_STREAM
DEAD_LETTERS = PREFIX + "stream:dead"          # entries that failed MAX_DELIVERIES times (kept)
AUDIT_STREAM = SPREAD + "audit"                # append-only trail of actions and refusals
ITEMS_BY_SEEN = PREFIX + "items:seen"         # ZSET item number -> first seen (epoch s)
OPEN_ITEMS = PREFIX + "open"                   # ZSET item number -> due time (epoch s)
TIMERS = PREFIX + "timers"                     # ZSET "<n>:<kind>:<gen>" -> fire time
TIMERS_INFLIGHT = PREFIX + "timers:inflight"   # ZSET timer entry -> lease end (being fired)
KUERZEL_BY_USER = PREFIX + "kuerzel:user"      # HASH user id -> Kürzel (set with /kuerzel)
USER_BY_KUERZEL = PREFIX + "kuerzel:owner"     # HASH Kürzel -> user id
REPLY_ATTEMPTS = PREFIX + "replies:attempted"  # ZSET item number -> reply attempt start, until settled
WAITING_ITEMS = PREFIX + "waiting"             # ZSET item number -> wait end: waiting for the customer
CARD_UPDATES = PREFIX + "card:dirty"           # SET of item numbers whose card needs an update
WORKER_BEATS = SPREAD + "workers"              # ZSET worker name -> latest heartbeat (epoch s)
AUTHOR_INDEX_SINCE = PREFIX + "privacy:indexed-since"  # first item number in `author_items`
PRIVACY_SALT = PREFIX + "privacy:salt"         # random salt of the hashed subject in audit lines
RETENTION_FLOOR = PREFIX + "privacy:retention-floor"  # first-seen epoch s: older items are done
INCIDENTS_TO_EXPIRE = PREFIX + "privacy:incidents"  # ZSET incident -> seen, until anonymised
MENTION_ITEM_KEYS = PREFIX + "mention-item:*"  # SCAN pattern of `item_for_mention`
HELD_REPLY_KEYS = SPREAD + "held:*"            # SCAN pattern of `held_reply`


def item(number: int) -> str:
    """HASH: one desk item."""
    return f"{PREFIX}item:{number}"


def seen(network: str, mention_id: str) -> str:
    """STRING: set once a mention was accepted (dedupe across ingest paths)."""
    return f"{PREFIX}seen:{network}:{mention_id}"


def item_for_mention(network: str, mention_id: str) -> str:
    """STRING: item number created for a mention (idempotent item creation)."""
    return f"{PREFIX}mention-item:{network}:{mention_id}"


def conversation(network: str, conversation_id: str) -> str:
    """STRING: item number holding an open conversation."""
    return f"{PREFIX}conv:{network}:{conversation_id}"


def action_lock(number: int) -> str:
    """STRING with TTL: one network call per item at a time (double clicks, retries)."""
    return f"{SPREAD}lock:item:{number}"


def idempotency(token: str) -> str:
    """STRING with TTL: a Slack request already handled (X-Slack-Retry-Num, double clicks)."""
    return f"{SPREAD}idem:{token}"


def counts(day: str) -> str:
    """HASH: per-day counters (ingested, by sentiment, by network)."""
    return f"{SPREAD}counts:{day}"


def pace(channel: str) -> str:
    """STRING with PX TTL: a channel's slot: `post:<token>` while a post is in flight, then
    `cool` for the interval after Slack answered (≈1 message/s per channel)."""
    return f"{SPREAD}pace:{{{channel}}}"


def pace_line(channel: str) -> str:
    """ZSET waiter token -> place in line (stream entry order): who posts next into a channel."""
    return f"{SPREAD}pace:{{{channel}}}:line"


def pace_seen(channel: str) -> str:
    """ZSET waiter token -> last time it asked (ms): waiters of dead processes leave the line."""
    return f"{SPREAD}pace:{{{channel}}}:seen"


def pace_announced(channel: str) -> str:
    """SET of waiter tokens announced into the line since a poster last looked: the first poster
    to see them counts them as having asked then (dead workers' entries leave the line)."""
    return f"{SPREAD}pace:{{{channel}}}:announced"


def checkpoint(source: str, name: str) -> str:
    """STRING: a source's polling checkpoint (e.g. X since_id)."""
    return f"{SPREAD}checkpoint:{source}:{name}"


def lease(name: str) -> str:
    """STRING with TTL: a singleton job's lease (e.g. the daily summary)."""
    return f"{SPREAD}lease:{name}"


def webhook_delivery(digest: str) -> str:
    """STRING with TTL: a webhook delivery already ingested (replays for up to 36 h)."""
    return f"{SPREAD}webhook:{digest}"


def held_reply(number: int, user: str) -> str:
    """STRING with TTL: a draft held for a du/Sie mismatch, sent only on explicit override."""
    return f"{SPREAD}held:{number}:{user}"


def source_backoff(source: str, name: str) -> str:
    """STRING with TTL: a source endpoint is rate-limited until the stored epoch (its reset)."""
    return f"{SPREAD}backoff:{source}:{name}"


def timer_entries(number: int) -> str:
    """HASH: an item's timer entries -> `due` | `fired` (stop without scanning; fire once)."""
    return f"{PREFIX}timer:{number}"


def card_budget(minute: int) -> str:
    """STRING with TTL: timer card updates spent in this epoch minute (chat.update Tier 3)."""
    return f"{PREFIX}cards:budget:{minute}"


# ----- incidents (issue 11) -----------------------------------------------------------------
ANSWER_STREAM = SPREAD + "stream:answers"      # one entry per incident member to answer
ANSWER_GROUP = "answer-workers"                # the consumer group on ANSWER_STREAM


def incident_members(number: int) -> str:
    """ZSET: an incident's member items -> when they joined (epoch s)."""
    return f"{PREFIX}incident:{number}:members"


def incidents_open(channel: str) -> str:
    """ZSET: a channel's open incidents -> when they opened (epoch s)."""
    return f"{PREFIX}incidents:{channel}"


def recent_singles(channel: str) -> str:
    """ZSET: a channel's open negative items with their own card -> first seen (epoch s)."""
    return f"{PREFIX}recent:{channel}"


def storm_lock(channel: str) -> str:
    """STRING with TTL: one worker at a time decides about storms in a channel."""
    return f"{SPREAD}lock:storm:{channel}"


def answer_sending(number: int) -> str:
    """STRING with TTL: a member's answer is being sent (a crash now: never send it again)."""
    return f"{SPREAD}sending:{number}"


# ----- data protection (issue 12) -----------------------------------------------------------
def author_items(network: str, author_id: str) -> str:
    """SET: numbers of one customer's items (erasure and export find them without a scan)."""
    return f"{PREFIX}author:{network}:{author_id}"


def item_links(number: int) -> str:
    """SET: ids of follow-up mentions linked to an item (their keys are forgotten with it)."""
    return f"{PREFIX}links:{number}"


def seen_forgotten(network: str, mention_id: str) -> str:
    """STRING with TTL: the dedupe mark of an anonymised mention, its id hashed.

    Keeps an erased post from being ingested again while it would still count as a
    duplicate, without the post id in any key name or value.
    """
    digest = hashlib.sha256(f"{network}:{mention_id}".encode()).hexdigest()
    return f"{PREFIX}seen-hash:{digest}"


# ----- metrics and channel health (issue 13) ------------------------------------------------
METRICS = PREFIX + "metrics"                   # HASH counter/bucket field -> value (MetricsStore;
                                               # the enqueue script counts ingested mentions)
HEALTH_RAISED = PREFIX + "health:raised"       # HASH condition -> JSON (alerted, since, detail)
HEALTH_SLACK = PREFIX + "health:slack"         # HASH error, since: Slack refuses our token
HEALTH_BUDGET = PREFIX + "health:budget"       # HASH "<net>:<kind>" -> used share (0..1)


def health_poll(network: str) -> str:
    """HASH: a network's latest poll outcomes (ok_at, failing_since, status, token, found_at)."""
    return f"{PREFIX}health:poll:{network}"


def health_webhook(network: str) -> str:
    """STRING: epoch s of the network's latest verified webhook delivery."""
    return f"{PREFIX}health:webhook:{network}"


# ----- live countdown on the card (issue 13) ------------------------------------------------
COUNTDOWN = PREFIX + "countdown"              # ZSET item number -> when its countdown next changes
CARD_COUNTDOWN = PREFIX + "card:countdown"    # SET item numbers whose countdown is due to redraw


# ----- the whole customer (issue 16) --------------------------------------------------------
def item_notes(number: int) -> str:
    """LIST: internal notes on an item, oldest first (JSON: at, user, text); never published."""
    return f"{PREFIX}notes:{number}"


def _digest(text: str) -> str:
    return hashlib.blake2b(text.encode(), digest_size=10).hexdigest()


def find_word(word: str) -> str:
    """ZSET item number -> item number: the items whose post contains search word `word`.

    The word is hashed, so no key name carries a customer's words; an erasure removes the
    customer's items from these sets (an emptied set is gone)."""
    return f"{PREFIX}find:w:{_digest(word)}"


def find_handle(handle: str) -> str:
    """ZSET item number -> item number: the items of one handle (any network), handle hashed."""
    return f"{PREFIX}find:h:{_digest(handle)}"


FIND_BACKFILL = PREFIX + "find:backfill"  # HASH next, upto: items older than the index, filed


def find_scratch(token: str) -> str:
    """ZSET, deleted by the script that makes it: one `/find`'s intermediate result."""
    return f"{PREFIX}find:tmp:{token}"


# ----- triage that learns (issue 14) ----------------------------------------------------------
LABELS = PREFIX + "labels"                     # HASH "<item>:<group>" -> training example (JSON)
LABELS_ORDER = PREFIX + "labels:order"         # ZSET "<item>:<group>" -> when labelled (epoch s)
TRIAGE_MODEL = PREFIX + "triage:model"         # HASH the current model: version, threshold, sha256,
                                               # meta (JSON), npz (base64), trained_at
TRIAGE_MODEL_HISTORY = PREFIX + "triage:models"  # ZSET version -> when it became current
DROPPED = PREFIX + "dropped"                   # HASH "<network>:<mention id>" -> a mention triage
                                               # did not post (JSON: mention, sentiment, score)
DROPPED_ORDER = PREFIX + "dropped:order"       # ZSET "<network>:<mention id>" -> seen (epoch s)

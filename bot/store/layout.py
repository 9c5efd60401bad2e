"""Key layout upgrades: the desk family got its hash tag in issue 15 (`at:item:5` became
`at:{desk}:item:5`, see `bot.store.keys`). A Redis written before that is renamed once, by the
first process that starts on it; `at:{desk}:layout` records that it was done.

Keys that stayed in the spread families (`keys.SPREAD`) keep their names and are not touched.
Renaming is RENAMENX per key: two processes starting together rename each key once, and a key
the new code already wrote under its new name is left alone (logged).
"""

from __future__ import annotations

import logging

import redis

from bot.store import keys

log = logging.getLogger(__name__)

LAYOUT = keys.PREFIX + "layout"  # STRING: the key layout this Redis holds ("15")
CURRENT = "15"
# names (or name prefixes) that kept `at:` without a tag: never renamed
_SPREAD_NAMES = ("idem:", "counts:", "lock:", "checkpoint:", "lease:", "webhook:", "held:",
                 "backoff:", "sending:", "pace:")
_SPREAD_EXACT = (keys.AUDIT_STREAM, keys.WORKER_BEATS, keys.ANSWER_STREAM)


def legacy_name(key: str) -> str | None:
    """The tagged name of a desk-family key written before issue 15, or None."""
    if not key.startswith(keys.SPREAD) or "{" in key or key in _SPREAD_EXACT:
        return None
    rest = key[len(keys.SPREAD):]
    if rest.startswith(_SPREAD_NAMES):
        return None
    return keys.PREFIX + rest


def upgrade(r: redis.Redis) -> int:
    """Rename the desk family's legacy keys (once per Redis); returns how many were renamed."""
    if r.get(LAYOUT) == CURRENT:
        return 0
    renamed = 0
    for key in list(r.scan_iter(match=keys.SPREAD + "*", count=1000)):
        new = legacy_name(str(key))
        if new is None:
            continue
        try:
            if r.renamenx(key, new):
                renamed += 1
            else:
                log.warning("key layout: %s and %s both exist; the old one is kept", key, new)
        except redis.ResponseError:  # another process renamed it meanwhile
            continue
    r.set(LAYOUT, CURRENT)
    if renamed:
        log.warning("Redis-Schlüssel umbenannt (Hash-Tag {desk}) / renamed %d keys to the "
                    "tagged layout of issue 15", renamed)
    return renamed

"""Everything a Redis holds, as text: to prove that some data is nowhere any more."""

from __future__ import annotations

from collections.abc import Iterator

import redis


def stored(r: redis.Redis) -> Iterator[tuple[str, str]]:
    """(key, piece) for every key name and every value in Redis, whatever its type: strings,
    hash fields and values, set and sorted-set members, list items, stream ids and fields."""
    for key in r.scan_iter(count=1000):
        yield key, key
        kind = r.type(key)
        if kind == "string":
            yield key, str(r.get(key))
        elif kind == "hash":
            for k, v in r.hgetall(key).items():
                yield key, f"{k}={v}"
        elif kind == "set":
            yield from ((key, m) for m in r.smembers(key))
        elif kind == "zset":
            yield from ((key, m) for m in r.zrange(key, 0, -1))
        elif kind == "list":
            yield from ((key, v) for v in r.lrange(key, 0, -1))
        elif kind == "stream":
            for entry_id, fields in r.xrange(key):
                yield key, entry_id
                yield from ((key, f"{k}={v}") for k, v in fields.items())
        else:
            raise AssertionError(f"{key}: unexpected type {kind}")


def leftovers(r: redis.Redis, *traces: str) -> list[tuple[str, str]]:
    """(key, piece) wherever one of `traces` still occurs."""
    return [(k, v) for k, v in stored(r) if any(t in v for t in traces)]

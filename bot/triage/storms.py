"""Storms: which of a channel's recent complaints say the same thing. Pure.

The desk asks two questions (`bot.desk.incidents`), both answered with
`bot.triage.similarity` (weighted character n-gram cosine, place veto, average linkage):
- `storm_among`: do `min_size` or more of these texts, the anchor among them, form a group?
- `joins`: which open incident does a new text belong to (mean similarity to its members)?
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.triage.similarity import DEFAULT_THRESHOLD, best_group, clusters


def storm_among(texts: Sequence[str], threshold: float | None, *, min_size: int, anchor: int,
                brand_names: Sequence[str] = ()) -> list[int] | None:
    """Indices of the group holding `texts[anchor]`, if it has `min_size` members or more."""
    if len(texts) < min_size:
        return None
    for group in clusters(list(texts), threshold or DEFAULT_THRESHOLD, min_size=min_size,
                          brand_names=brand_names):
        if anchor in group:
            return sorted(group)
    return None


def joins(text: str, incidents: Sequence[Sequence[str]], threshold: float | None,
          brand_names: Sequence[str] = ()) -> int | None:
    """The index of the incident (given by its members' texts) `text` belongs to, or None."""
    if not incidents:
        return None
    return best_group(text, incidents, threshold or DEFAULT_THRESHOLD, brand_names=brand_names)

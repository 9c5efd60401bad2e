"""The team's labels as plain values (issue 14): what `/label` and the card's menu store, and
which of them teach the sentiment model.

    kein         not a service case   -> trains "neutral" (and closes the item, reason not_a_case)
    negativ      a case after all     -> trains "negative"
    du | sie     the customer's address form       (kept for the address rules; not trained)
    daten | keine-daten  personal data present / absent   (kept likewise; not trained)

One label per item and group (``sentiment``, ``address``, ``personal_data``): a later label of
the same group replaces the earlier one.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Any

#: label -> (group, training value)
LABELS: dict[str, tuple[str, str]] = {
    "kein": ("sentiment", "neutral"),
    "negativ": ("sentiment", "negative"),
    "du": ("address", "du"),
    "sie": ("address", "sie"),
    "daten": ("personal_data", "present"),
    "keine-daten": ("personal_data", "absent"),
}
_ALIASES = {"kein-fall": "kein", "keinfall": "kein", "nofall": "kein", "negative": "negativ",
            "neg": "negativ", "keine_daten": "keine-daten", "keinedaten": "keine-daten"}


def normalise_label(text: str) -> str | None:
    """`Kein`, `kein-fall` … → `kein`; None for anything that is no label."""
    t = text.strip().lower()
    t = _ALIASES.get(t, t)
    return t if t in LABELS else None


@dataclass(frozen=True)
class LabelExample:
    """One training example the team made: the text, the label, who, when, which model."""

    item: int
    label: str  # a key of LABELS
    text: str
    by: str  # Slack user id
    at: str  # ISO time
    model: str  # the model version that triaged the text
    network: str = ""
    author_id: str = ""  # erasure finds a customer's examples by it
    mention_id: str = ""

    @property
    def group(self) -> str:
        return LABELS[self.label][0]

    @property
    def sentiment(self) -> str | None:
        """The class this example teaches the sentiment model, or None."""
        group, value = LABELS[self.label]
        return value if group == "sentiment" else None

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_json(cls, raw: str) -> LabelExample | None:
        try:
            d: Any = json.loads(raw)
            return cls(**d) if isinstance(d, dict) and d.get("label") in LABELS else None
        except (ValueError, TypeError):
            return None

"""Plain value types that triage returns and takes: no behaviour beyond (de)serialising."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

#: The shipped model's own threshold (its ``negative_threshold`` in sentiment-v2.json; a test
#: ties the two). Score at or above which a text counts as negative ("post to the desk"), tuned
#: by 5-fold cross-validation on GermEval 2017 train (Twitter part) + dev for negative recall
#: >= 0.85; see benchmarks/TRIAGE.md. Triage itself uses the threshold of the model it runs
#: (a retrained model carries its own) unless desk.yaml sets ``triage.negative_threshold``.
DEFAULT_NEGATIVE_THRESHOLD = 0.2


@dataclass(frozen=True)
class PersonalData:
    """One piece of personal data found in a text; ``text == source[start:end]``."""

    kind: str  # phone | iban | email | customer_number | address | birth_date
    text: str
    start: int
    end: int

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "text": self.text, "start": self.start, "end": self.end}


@dataclass(frozen=True)
class TriageResult:
    """Everything triage knows about one text.

    ``score`` is the model's probability (0..1) that the text is negative; ``sentiment`` is
    ``negative`` when ``score >= rules.negative_threshold``, else the likelier of positive and
    neutral.
    """

    sentiment: str  # negative | neutral | positive
    score: float
    address: str  # du | sie | none
    personal_data: tuple[PersonalData, ...]
    route: str  # channel id of the first matching route, else "default"
    model: str = ""  # version of the sentiment model that judged the text (issue 14)

    def to_json(self, id: str) -> dict[str, Any]:
        """The object ``python -m bot triage`` prints for this result."""
        return {
            "id": id,
            "sentiment": self.sentiment,
            "score": round(self.score, 4),
            "address": self.address,
            "personal_data": [p.to_json() for p in self.personal_data],
            "route": self.route,
            "model": self.model,
        }


@dataclass(frozen=True)
class TriageRules:
    """The desk.yaml settings triage needs, as plain values."""

    routes: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (channel_id, keywords), in order
    # score >= this => "negative"; None: the threshold the model file carries (issue 14)
    negative_threshold: float | None = None
    customer_number_patterns: tuple[str, ...] = ()  # regexes from desk.yaml
    hotlines: tuple[str, ...] = ()  # the brand's own numbers: never personal data
    brand_names: tuple[str, ...] = ("Telekom", "telekom_hilft")


#: The rules used when none are given (a module-level instance, as dataclasses are frozen).
DEFAULT_RULES = TriageRules()

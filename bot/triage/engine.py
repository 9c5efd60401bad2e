"""``Triage``: one call that runs sentiment, address form, personal data and routing."""

from __future__ import annotations

from bot.triage.address import detect_address
from bot.triage.personal_data import find_personal_data
from bot.triage.routing import route
from bot.triage.sentiment import SentimentModel
from bot.triage.types import DEFAULT_RULES, TriageResult, TriageRules


class Triage:
    """Pure text-in, values-out triage; build once (it loads the model), call many times."""

    def __init__(self, rules: TriageRules = DEFAULT_RULES, model: SentimentModel | None = None) -> None:
        self.rules = rules
        self.model = model or SentimentModel()
        # Load lazily-read data now (textblob-de lexicon, phone metadata), not on the first text.
        self.analyse("Warm-up: 0171 1234567, Hauptstraße 1, kein Netz")

    def analyse(self, text: str) -> TriageResult:
        prediction = self.model.predict(text)
        return TriageResult(
            sentiment=prediction.label(self.rules.negative_threshold),
            score=prediction.score,
            address=detect_address(text, self.rules.brand_names),
            personal_data=tuple(find_personal_data(text, self.rules)),
            route=route(text, self.rules.routes),
        )

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

    @property
    def negative_threshold(self) -> float:
        """desk.yaml's ``triage.negative_threshold`` if set, else the model file's own."""
        if self.rules.negative_threshold is not None:
            return self.rules.negative_threshold
        return self.model.default_threshold

    @property
    def model_version(self) -> str:
        return self.model.version

    def use(self, model: SentimentModel) -> None:
        """Switch to another model (a retrained one); texts in flight finish on the old one."""
        self.model = model

    def analyse(self, text: str) -> TriageResult:
        model = self.model  # one model per text, even while `use` swaps it
        prediction = model.predict(text)
        threshold = self.rules.negative_threshold
        return TriageResult(
            sentiment=prediction.label(model.default_threshold if threshold is None else threshold),
            score=prediction.score,
            address=detect_address(text, self.rules.brand_names),
            personal_data=tuple(find_personal_data(text, self.rules)),
            route=route(text, self.rules.routes),
            model=model.version,
        )

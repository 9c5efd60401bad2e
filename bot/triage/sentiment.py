"""Sentiment of a German customer text: a small linear model over ``features.extract``.

The model (``model/sentiment-v2.npz`` + ``.json``) is a multinomial logistic regression
trained by ``scripts/train_sentiment.py``; at run time it needs only numpy. After the model,
telecom domain rules (``lexicon.DOMAIN_RULES``) add fixed negative log-odds for complaints the
Deutsche-Bahn training corpus cannot teach ("Funkloch", "Techniker kam nicht"), and a calm
question (no complaint signal at all) loses ``lexicon.QUESTION_RELIEF``.
"""

from __future__ import annotations

import io
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from bot.triage import features, lexicon

MODEL_DIR = Path(__file__).with_name("model")
MODEL_NAME = "sentiment-v2"
CLASSES = ("negative", "neutral", "positive")


@dataclass(frozen=True)
class Prediction:
    """``score`` is P(negative) after the domain rules; ``probabilities`` are per class."""

    score: float
    probabilities: dict[str, float]

    def label(self, negative_threshold: float) -> str:
        if self.score >= negative_threshold:
            return "negative"
        pos, neu = self.probabilities["positive"], self.probabilities["neutral"]
        return "positive" if pos > neu else "neutral"


class SentimentModel:
    """Loads the weights once; ``predict`` is pure and thread-safe.

    From a path (``model/sentiment-v2``, the shipped one by default) or, with ``from_bytes``,
    from the ``.npz`` bytes and the ``.json`` metadata of a retrained model (issue 14: the
    model travels through Redis). ``version`` names it (``meta["version"]``, else its name);
    ``default_threshold`` is the negative threshold the model file carries.
    """

    def __init__(self, path: Path | str | None = None, *, npz: bytes | None = None,
                 meta: dict[str, Any] | None = None) -> None:
        if npz is not None and meta is not None:
            source: Any = io.BytesIO(npz)
            name = str(meta.get("version") or meta.get("name") or "model")
        else:
            base = Path(path) if path else MODEL_DIR / MODEL_NAME
            base = base.with_suffix("") if base.suffix in {".npz", ".json"} else base
            source, name = base.with_suffix(".npz"), base.name
            meta = json.loads(base.with_suffix(".json").read_text(encoding="utf-8"))
        with np.load(source, allow_pickle=False) as data:
            classes = tuple(str(c) for c in data["classes"])
            order = [classes.index(c) for c in CLASSES]
            hashed = np.zeros((features.HASH_SIZE, len(CLASSES)), dtype=np.float64)
            hashed[data["hashed_index"]] = data["hashed_weight"][:, order]
            self._hashed = hashed
            self._dense = data["dense_weight"][:, order].astype(np.float64)
            self._intercept = data["intercept"][order].astype(np.float64)
        self.meta: dict[str, Any] = dict(meta)
        if (
            self.meta.get("hash_bits") != features.HASH_BITS
            or tuple(self.meta.get("dense_features", ())) != features.DENSE_NAMES
        ):
            raise ValueError(
                f"{name} was trained with other features than bot/triage/features.py "
                "computes; retrain it with `python -m bot train`"
            )
        self.default_threshold: float = float(self.meta.get("negative_threshold", 0.5))
        self.version: str = str(self.meta.get("version") or self.meta.get("name") or name)

    def weights(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Copies of (hashed rows, dense rows, intercept), columns in CLASSES order: where a
        retrain starts (``bot.triage.training``)."""
        return self._hashed.copy(), self._dense.copy(), self._intercept.copy()

    @property
    def licence(self) -> str:
        """What the model's training data allows (CC BY-NC for the shipped model)."""
        return str(self.meta.get("licence", ""))

    def logits(self, text: str) -> tuple[np.ndarray, float, float]:
        """Raw model log-odds per class, the domain rules' extra negative log-odds, and the
        calm-question relief (subtracted from the negative log-odds)."""
        words, chars, dense = features.extract(text)
        out = self._intercept + np.asarray(dense) @ self._dense
        for indices in (words, chars):
            if indices:
                out = out + self._hashed[indices].sum(axis=0) / math.sqrt(len(indices))
        relief = lexicon.QUESTION_RELIEF if dense[_QUESTION] else 0.0
        return out, dense[_DOMAIN] * lexicon.DOMAIN_BOOST_CAP, relief

    def predict(self, text: str) -> Prediction:
        logits, boost, relief = self.logits(text)
        logits[0] += boost - relief
        if boost < 0:  # thanks and resolved problems also make "positive" likelier
            logits[2] -= boost
        logits = logits - logits.max()
        exp = np.exp(logits)
        probs = exp / exp.sum()
        return Prediction(float(probs[0]), {c: float(p) for c, p in zip(CLASSES, probs, strict=True)})


_DOMAIN = features.DENSE_NAMES.index("domain_rules")
_QUESTION = features.DENSE_NAMES.index("calm_question")

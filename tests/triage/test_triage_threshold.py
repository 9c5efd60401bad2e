"""Issue 14, item 5: the model file carries its own negative threshold; desk.yaml may override."""

import io
import json

import numpy as np

from bot.config import load_config
from bot.entry.runtime import triage_rules
from bot.triage import DEFAULT_NEGATIVE_THRESHOLD, Triage, TriageRules
from bot.triage.sentiment import MODEL_DIR, MODEL_NAME, SentimentModel


def _shipped_with_threshold(threshold: float) -> SentimentModel:
    """The shipped weights under another threshold, as a retrain would carry it."""
    meta = json.loads((MODEL_DIR / f"{MODEL_NAME}.json").read_text("utf-8"))
    meta.update(negative_threshold=threshold, version="test-threshold")
    return SentimentModel(npz=(MODEL_DIR / f"{MODEL_NAME}.npz").read_bytes(), meta=meta)


def test_the_constant_is_the_shipped_model_files_threshold():
    meta = json.loads((MODEL_DIR / f"{MODEL_NAME}.json").read_text("utf-8"))
    assert meta["negative_threshold"] == DEFAULT_NEGATIVE_THRESHOLD
    assert Triage().negative_threshold == DEFAULT_NEGATIVE_THRESHOLD


def test_desk_yaml_null_means_the_models_own_threshold():
    config = load_config("config/desk.yaml")
    assert config.triage.negative_threshold is None
    assert triage_rules(config).negative_threshold is None


def test_a_retrained_models_threshold_is_used_without_desk_yaml():
    text = "Warum dauert das so lange mit dem Anschluss"
    score = Triage().analyse(text).score
    low, high = _shipped_with_threshold(score - 0.01), _shipped_with_threshold(min(score + 0.01, 0.99))
    assert Triage(model=low).analyse(text).sentiment == "negative"
    assert Triage(model=high).analyse(text).sentiment != "negative"
    assert Triage(model=high).negative_threshold == high.default_threshold


def test_desk_yaml_overrides_the_model_file():
    text = "Warum dauert das so lange mit dem Anschluss"
    score = Triage().analyse(text).score
    model = _shipped_with_threshold(0.99)
    triage = Triage(TriageRules(negative_threshold=max(score - 0.01, 0.01)), model=model)
    assert triage.negative_threshold < 0.99
    assert triage.analyse(text).sentiment == "negative"


def test_model_from_bytes_predicts_like_the_file():
    shipped = SentimentModel()
    buf = io.BytesIO((MODEL_DIR / f"{MODEL_NAME}.npz").read_bytes())
    again = SentimentModel(npz=buf.getvalue(), meta=dict(shipped.meta))
    for text in ("Seit drei Tagen kein Internet", "Danke, läuft wieder"):
        assert np.isclose(shipped.predict(text).score, again.predict(text).score)
    assert again.version == "sentiment-v2" == shipped.version

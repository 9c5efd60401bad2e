"""Retrain the sentiment model from the team's labels (issue 14): pure, numpy + scipy only.

The public GermEval texts do not ship with the project, so a retrain **starts from the shipped
model's weights**: it minimises the weighted cross-entropy of the training texts plus
``||W - W_shipped||² / 2`` (weighted by ``C``; an L2 pull towards the shipped weights instead of towards
zero), so what GermEval taught stays unless the team's labels say otherwise. A public corpus
the operator put on disk (``--corpus``) joins the training texts at weight 1; each team label
counts ``TEAM_WEIGHT`` (5) times. ``--commercial`` starts from zero weights instead (nothing
derived from the CC BY-NC corpus) and uses only commercially usable corpora plus the labels.

Deterministic: the texts are de-duplicated and sorted, L-BFGS starts from fixed weights, and
the ``.npz`` is written with fixed zip timestamps, so the same data gives the same bytes and
the same SHA-256 (the version is derived from it).
"""

from __future__ import annotations

import hashlib
import io
import json
import math
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from zlib import crc32

import numpy as np
from scipy import sparse
from scipy.optimize import minimize

from bot.triage import features
from bot.triage.corpus import LABELS as CLASSES_IN_CORPUS
from bot.triage.corpus import Example
from bot.triage.sentiment import CLASSES, SentimentModel

TEAM_WEIGHT = 5.0  # one team label counts as five public texts
C = 4.0            # as the shipped model's cross-validated choice
HELD_OUT_EVERY = 5  # a team label whose text hashes to 0 mod 5 is held out (20 %)
MAX_ITER = 400
# The dense signals (lexicon polarity, complaint words, emoji …) and the intercept are shared
# by every text: a few dozen labels of one kind of non-case must not re-weigh them for all
# complaints, so they are held this many times more firmly to where they started; the word and
# character features (e.g. "baskets") carry what the labels teach.
SHARED_PRIOR = 100.0  # (from zero weights, --commercial: plain L2 for all)
assert set(CLASSES) == set(CLASSES_IN_CORPUS)


def held_out(text: str) -> bool:
    """Is this team label in the held-out evaluation slice? (stable across runs and machines)"""
    return crc32(text.encode("utf-8")) % HELD_OUT_EVERY == 0


def split_team(examples: Iterable[Example]) -> tuple[list[Example], list[Example]]:
    """(training part, held-out part) of the team's labels."""
    train: list[Example] = []
    held: list[Example] = []
    for text, label in examples:
        (held if held_out(text) else train).append((text, label))
    return train, held


def featurise(texts: Sequence[str]) -> sparse.csr_matrix:
    """The features ``SentimentModel`` computes: hashed columns, then the dense ones."""
    rows: list[int] = []
    cols: list[int] = []
    vals: list[float] = []
    n_dense = len(features.DENSE_NAMES)
    for i, text in enumerate(texts):
        words, chars, dense = features.extract(text)
        for indices in (words, chars):
            if indices:
                rows += [i] * len(indices)
                cols += indices
                vals += [1 / math.sqrt(len(indices))] * len(indices)
        rows += [i] * n_dense
        cols += range(features.HASH_SIZE, features.HASH_SIZE + n_dense)
        vals += dense
    shape = (len(texts), features.HASH_SIZE + n_dense)
    return sparse.csr_matrix((vals, (rows, cols)), shape=shape)


@dataclass(frozen=True)
class Trained:
    """A trained model as bytes + metadata; ``sha256`` covers both (without the time)."""

    npz: bytes
    meta: dict[str, Any]
    sha256: str

    @property
    def version(self) -> str:
        return str(self.meta["version"])

    def model(self) -> SentimentModel:
        return SentimentModel(npz=self.npz, meta=self.meta)


def train(team: Sequence[Example], public: Sequence[Example] = (), *,
          parent: SentimentModel | None, threshold: float, name: str, licence: str,
          sources: Sequence[str] = ()) -> Trained:
    """Fit a model on `public` (weight 1) and `team` (weight TEAM_WEIGHT; a team label wins over
    a public text with the same words), starting from and pulled towards `parent`'s weights
    (zero weights when None)."""
    # public texts: balanced class weights, as the shipped model was trained (weight 1 on average)
    counts_public = {c: sum(1 for _, label in public if label == c) for c in CLASSES}
    present = [c for c in CLASSES if counts_public[c]]
    balance = {c: len(public) / (len(present) * counts_public[c]) for c in present}
    data: dict[str, tuple[str, float]] = {t: (label, balance[label]) for t, label in public}
    data.update({t: (label, TEAM_WEIGHT) for t, label in team})
    texts = sorted(data)
    if not texts:
        raise ValueError("no training texts: label some cards first (/label N kein|negativ)")
    y = np.array([CLASSES.index(data[t][0]) for t in texts])
    weight = np.array([data[t][1] for t in texts])
    x = featurise(texts)
    used = np.unique(x.indices)
    xu = x[:, used].tocsr()
    k = len(CLASSES)
    hashed0, dense0, bias0 = (_weights(parent) if parent is not None else (
        np.zeros((features.HASH_SIZE, k)), np.zeros((len(features.DENSE_NAMES), k)),
        np.zeros(k)))
    full0 = np.vstack([hashed0, dense0])
    w0 = full0[used]
    shared = SHARED_PRIOR if parent is not None else 1.0  # from zero: plain L2 everywhere
    prior = np.where(used >= features.HASH_SIZE, shared, 1.0)[:, None]
    onehot = np.eye(k)[y]

    def loss(theta: np.ndarray) -> tuple[float, np.ndarray]:
        w, b = theta[:-k].reshape(-1, k), theta[-k:]
        z = xu @ w + b
        z -= z.max(axis=1, keepdims=True)
        logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
        ce = -(weight * (logp * onehot).sum(axis=1)).sum()
        g = (np.exp(logp) - onehot) * weight[:, None]
        diff, dbias = w - w0, b - bias0  # the intercept is pulled towards the start too
        value = C * ce + 0.5 * float((prior * diff * diff).sum()
                                     + shared * (dbias * dbias).sum())
        grad_w = C * (xu.T @ g) + prior * diff
        return value, np.concatenate([np.asarray(grad_w).ravel(),
                                      C * g.sum(axis=0) + shared * dbias])

    start = np.concatenate([w0.ravel(), bias0])
    fit = minimize(loss, start, jac=True, method="L-BFGS-B",
                   options={"maxiter": MAX_ITER, "gtol": 1e-5})
    full = full0.copy()
    full[used] = fit.x[:-k].reshape(-1, k)
    bias = fit.x[-k:]
    hashed, dense = full[: features.HASH_SIZE], full[features.HASH_SIZE :]
    counts = {c: int((y == i).sum()) for i, c in enumerate(CLASSES)}
    meta: dict[str, Any] = {
        "name": name,
        "classes": list(CLASSES),
        "regularisation_C": C,
        "negative_threshold": round(float(threshold), 4),
        "hash_bits": features.HASH_BITS,
        "char_ngrams": list(features.CHAR_NGRAMS),
        "dense_features": list(features.DENSE_NAMES),
        "licence": licence,
        "trained_on": list(sources),
        "started_from": parent.version if parent is not None else "zero weights",
        "team_labels": len(team),
        "team_weight": TEAM_WEIGHT,
        "public_texts": len(public),
        "class_counts": counts,
        "iterations": int(fit.nit),
    }
    npz = _npz(hashed, dense, bias)
    digest = hashlib.sha256(npz + _canonical(meta)).hexdigest()
    meta["sha256"] = digest
    meta["version"] = f"{name}-{digest[:10]}"
    return Trained(npz, meta, digest)


def _weights(model: SentimentModel) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return model.weights()


def _canonical(meta: dict[str, Any]) -> bytes:
    return json.dumps(meta, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def _npz(hashed: np.ndarray, dense: np.ndarray, bias: np.ndarray) -> bytes:
    """The weights as ``SentimentModel`` reads them, in a zip with fixed timestamps."""
    h16 = hashed.astype(np.float16).astype(np.float32)
    nonzero = np.flatnonzero(np.abs(h16).max(axis=1) > 1e-6).astype(np.int32)
    arrays = {
        "classes": np.array(CLASSES, dtype=str),
        "hashed_index": nonzero,
        "hashed_weight": h16[nonzero],
        "dense_weight": dense.astype(np.float32),
        "intercept": bias.astype(np.float32),
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for key, arr in arrays.items():
            info = zipfile.ZipInfo(f"{key}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            buf = io.BytesIO()
            np.lib.format.write_array(buf, np.ascontiguousarray(arr), allow_pickle=False)
            zf.writestr(info, buf.getvalue())
    return out.getvalue()


# ----- evaluation ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Figures:
    """One model on one labelled set at one threshold."""

    n: int
    negatives: int
    accuracy: float
    macro_f1: float
    neg_precision: float
    neg_recall: float | None  # None without negatives in the set


def evaluate(model: SentimentModel, threshold: float, data: Sequence[Example]) -> Figures:
    """Score `data` exactly as triage does at run time (model + domain rules + threshold)."""
    gold = [label for _, label in data]
    pred = [model.predict(text).label(threshold) for text, _ in data]
    return figures(gold, pred)


def figures(gold: Sequence[str], pred: Sequence[str]) -> Figures:
    def prf(label: str) -> tuple[float, float | None, float]:
        tp = sum(g == p == label for g, p in zip(gold, pred, strict=True))
        n_pred = sum(p == label for p in pred)
        n_gold = sum(g == label for g in gold)
        prec = tp / n_pred if n_pred else 0.0
        rec = tp / n_gold if n_gold else None
        r = rec or 0.0
        return prec, rec, (2 * prec * r / (prec + r) if prec + r else 0.0)

    per = {label: prf(label) for label in CLASSES}
    present = [label for label in CLASSES if label in gold] or list(CLASSES)
    n = len(gold)
    return Figures(
        n=n, negatives=sum(g == "negative" for g in gold),
        accuracy=sum(g == p for g, p in zip(gold, pred, strict=True)) / n if n else 0.0,
        macro_f1=sum(per[label][2] for label in present) / len(present),
        neg_precision=per["negative"][0], neg_recall=per["negative"][1],
    )


def choose_threshold(model: SentimentModel, data: Sequence[Example], target_recall: float,
                     fallback: float) -> float:
    """Highest threshold (step 0.01) whose negative recall on `data` reaches the target;
    `fallback` when `data` has fewer than 10 negatives."""
    scores = np.array([model.predict(t).score for t, label in data if label == "negative"])
    if len(scores) < 10:
        return fallback
    for t in np.arange(0.90, 0.04, -0.01):
        if (scores >= t).mean() >= target_recall:
            return round(float(t), 2)
    return 0.05

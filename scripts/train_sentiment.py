"""Train the triage sentiment model and write bot/triage/model/sentiment-v2.{npz,json}.

GermEval 2017 (trains on the ``train*`` and ``dev*`` files only; the test splits are never read):
    .venv/bin/python scripts/train_sentiment.py data/germeval2017

A team's own labelled mentions (JSONL, one {"text": ..., "sentiment": ...} per line), which
replaces the CC BY-NC model with one you own:
    .venv/bin/python scripts/train_sentiment.py --jsonl labelled.jsonl [--jsonl more.jsonl]

The regularisation strength and the negative threshold are chosen by 5-fold cross-validation
on the training data, scoring out-of-fold texts exactly as SentimentModel.predict does (model
log-odds + domain rules + calm-question relief): the threshold is the highest one whose
cross-validated negative recall reaches --target-recall (default 0.85), and C is the one with
the best cross-validated macro-F1 at that threshold. Needs scikit-learn (training only).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from datetime import date
from pathlib import Path

import numpy as np
from scipy import sparse
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score, precision_score, recall_score
from sklearn.model_selection import StratifiedKFold

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.triage import corpus, features, lexicon, training
from bot.triage.sentiment import CLASSES, MODEL_DIR, MODEL_NAME


def featurise(texts: list[str]) -> tuple[sparse.csr_matrix, np.ndarray]:
    """The exact features SentimentModel computes (`bot.triage.training.featurise`), plus the
    post-model log-odds of each text (domain rules minus calm-question relief)."""
    x = training.featurise(texts)
    dense = x[:, features.HASH_SIZE :].toarray()
    domain, question = features.DENSE_NAMES.index("domain_rules"), features.DENSE_NAMES.index("calm_question")
    boost = dense[:, domain] * lexicon.DOMAIN_BOOST_CAP
    relief = np.where(dense[:, question] > 0, lexicon.QUESTION_RELIEF, 0.0)
    post = np.stack([boost - relief, np.where(boost < 0, -boost, 0.0)], axis=1)
    return x, post


def fit(x: sparse.csr_matrix, y: np.ndarray, c: float) -> LogisticRegression:
    model = LogisticRegression(C=c, class_weight="balanced", max_iter=1000, tol=1e-4)
    return model.fit(x, y)


def runtime_proba(logits: np.ndarray, post: np.ndarray) -> np.ndarray:
    """Class probabilities as SentimentModel.predict computes them (columns in CLASSES order)."""
    z = logits.copy()
    z[:, 0] += post[:, 0]
    z[:, 2] += post[:, 1]
    z -= z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def choose_threshold(scores: np.ndarray, y: np.ndarray, target_recall: float) -> float:
    """Highest threshold (step 0.01) whose negative recall reaches the target."""
    is_neg = y == "negative"
    for t in np.arange(0.90, 0.04, -0.01):
        if (scores[is_neg] >= t).mean() >= target_recall:
            return round(float(t), 2)
    return 0.05


def labels_at(proba: np.ndarray, threshold: float) -> np.ndarray:
    """negative if P(negative) >= threshold, else the likelier of positive and neutral."""
    rest = np.where(proba[:, 2] > proba[:, 1], "positive", "neutral")
    return np.where(proba[:, 0] >= threshold, "negative", rest)


def cv_logits(x, y, c: float, seed: int = 7) -> np.ndarray:
    """Out-of-fold log-odds (columns in CLASSES order), 5 stratified folds."""
    out = np.zeros((len(y), len(CLASSES)))
    folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=seed)
    for train_idx, test_idx in folds.split(x, y):
        model = fit(x[train_idx], y[train_idx], c)
        order = [list(model.classes_).index(k) for k in CLASSES]
        out[test_idx] = model.decision_function(x[test_idx])[:, order]
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("corpus_dir", nargs="?", help="GermEval 2017 folder (train*/dev* .tsv)")
    parser.add_argument("--jsonl", action="append", default=[], help="labelled mentions JSONL")
    parser.add_argument("--out", default=str(MODEL_DIR / MODEL_NAME), help="model path, no suffix")
    parser.add_argument("--target-recall", type=float, default=0.85)
    parser.add_argument("--c", type=float, nargs="*", default=[1.0, 2.0, 4.0, 8.0])
    args = parser.parse_args(argv)

    examples: list[corpus.Example] = []
    sources = []
    if args.corpus_dir:
        for split in ("train", "dev"):
            part = corpus.load_split(args.corpus_dir, split)
            examples += part
            files = ", ".join(f.name for f in corpus.germeval_files(args.corpus_dir, split))
            sources.append(f"GermEval 2017 {split} ({len(part)} texts: {files})")
    for path in args.jsonl:
        part = corpus.load(path)
        examples += part
        sources.append(f"{Path(path).name} ({len(part)} texts)")
    if not examples:
        parser.error("no training data: give a GermEval folder and/or --jsonl files")
    examples = list(dict(examples).items())  # a text in both train and dev counts once
    texts = [t for t, _ in examples]
    y = np.array([label for _, label in examples])
    print(f"training on {len(texts)} texts: {dict(Counter(y))}", file=sys.stderr)

    x, post = featurise(texts)
    best = None
    for c in args.c:
        proba = runtime_proba(cv_logits(x, y, c), post)
        threshold = choose_threshold(proba[:, 0], y, args.target_recall)
        labels = labels_at(proba, threshold)
        neg = {"labels": ["negative"], "average": "macro"}
        cv = {
            "macro_f1": round(float(f1_score(y, labels, average="macro")), 4),
            "negative_precision": round(float(precision_score(y, labels, **neg)), 4),
            "negative_recall": round(float(recall_score(y, labels, **neg)), 4),
        }
        print(f"C={c}: threshold {threshold}, cross-validated {cv}", file=sys.stderr)
        if best is None or cv["macro_f1"] > best[0]["macro_f1"]:
            best = (cv, c, threshold)
    assert best is not None
    cv, c, threshold = best
    print(f"chosen C={c}, negative threshold {threshold}, cross-validated {cv}", file=sys.stderr)

    model = fit(x, y, c)
    save(model, Path(args.out), threshold, c, sources, cv)
    return 0


def save(model: LogisticRegression, out: Path, threshold: float, c: float, sources, cv) -> None:
    """Keep only the non-zero hashed rows; numpy alone reads the result back."""
    coef = model.coef_.T.astype(np.float32)  # (features, classes)
    hashed, dense = coef[: features.HASH_SIZE], coef[features.HASH_SIZE :]
    nonzero = np.flatnonzero(np.abs(hashed).max(axis=1) > 1e-6).astype(np.int32)
    out.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(
        out.with_suffix(".npz"),
        classes=np.array(model.classes_, dtype=str),
        hashed_index=nonzero,
        hashed_weight=hashed[nonzero].astype(np.float16).astype(np.float32),
        dense_weight=dense,
        intercept=model.intercept_.astype(np.float32),
    )
    meta = {
        "name": out.name,
        "trained": date.today().isoformat(),
        "trained_on": sources,
        "classes": list(model.classes_),
        "regularisation_C": c,
        "negative_threshold": threshold,
        "cross_validated": cv,
        "hash_bits": features.HASH_BITS,
        "char_ngrams": list(features.CHAR_NGRAMS),
        "dense_features": list(features.DENSE_NAMES),
        "licence": "derived from GermEval 2017 (CC BY-NC 4.0): see LICENSE-NOTICE"
        if any("GermEval" in s for s in sources)
        else "trained on the team's own data",
    }
    out.with_suffix(".json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {out.with_suffix('.npz')} ({len(nonzero)} hashed rows)", file=sys.stderr)


if __name__ == "__main__":
    raise SystemExit(main())

"""Sentiment on GermEval 2017's held-out test splits: our model vs plain textblob-de.

    .venv/bin/python benchmarks/triage_sentiment.py data/germeval2017 [--model data/models/V.npz]

The folder needs ``test_syn*.tsv`` / ``test_dia*.tsv`` (GermEval 2017, CC BY-NC 4.0; the model
never saw them: it trains on train/dev only). Without the corpus this prints how to get it and
exits 0.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.triage import corpus
from bot.triage.sentiment import SentimentModel

HOW_TO_GET = """GermEval 2017 corpus not found at {path}.
Get it (CC BY-NC 4.0) from https://sites.google.com/view/germeval2017-absa/data
(train/dev/test_syn/test_dia, TSV), put the files in {path} (gitignored data/ is a good place),
and run again. Skipping the sentiment benchmark."""


def metrics(gold: list[str], pred: list[str]) -> dict[str, float]:
    """Accuracy, macro-F1 over the three classes, negative precision and recall."""

    def prf(label: str) -> tuple[float, float, float]:
        tp = sum(g == p == label for g, p in zip(gold, pred, strict=True))
        n_pred = sum(p == label for p in pred)
        n_gold = sum(g == label for g in gold)
        prec = tp / n_pred if n_pred else 0.0
        rec = tp / n_gold if n_gold else 0.0
        return prec, rec, (2 * prec * rec / (prec + rec) if prec + rec else 0.0)

    per = {label: prf(label) for label in corpus.LABELS}
    return {
        "accuracy": sum(g == p for g, p in zip(gold, pred, strict=True)) / len(gold),
        "macro_f1": sum(f for _, _, f in per.values()) / len(per),
        "neg_precision": per["negative"][0],
        "neg_recall": per["negative"][1],
    }


def textblob_label(text: str, tokenizer) -> str:
    from textblob_de import TextBlobDE

    polarity = TextBlobDE(text, tokenizer=tokenizer).sentiment.polarity
    return "negative" if polarity < 0 else "positive" if polarity > 0 else "neutral"


def main(argv: list[str]) -> int:
    model_path = None
    if "--model" in argv:  # issue 14: a retrained model file (data/models/<version>.npz)
        i = argv.index("--model")
        model_path, argv = argv[i + 1], argv[:i] + argv[i + 2:]
    path = Path(argv[0] if argv else "data/germeval2017")
    splits = [s for s in ("test_syn", "test_dia") if corpus.germeval_files(path, s)]
    if not splits:
        print(HOW_TO_GET.format(path=path))
        return 0
    from textblob_de import PatternTokenizer

    tokenizer = PatternTokenizer()
    model = SentimentModel(model_path)
    threshold = model.default_threshold  # the model file's own (issue 14)
    seen = {t for s in ("train", "dev") for t, _ in corpus.load_split(path, s)}
    print(
        f"model {model.meta['name']} trained on {', '.join(model.meta['trained_on'])}; "
        f"negative threshold {threshold}"
    )
    header = f"{'split':<10} {'system':<22} {'n':>5} {'acc':>6} {'macroF1':>8} {'negP':>6} {'negR':>6}"
    print(header)
    print("-" * len(header))
    for split in splits:
        data = corpus.load_split(path, split)
        gold = [label for _, label in data]
        overlap = sum(t in seen for t, _ in data)
        t0 = time.perf_counter()
        ours = [model.predict(t).label(threshold) for t, _ in data]
        ours_s = time.perf_counter() - t0
        base = [textblob_label(t, tokenizer) for t, _ in data]
        for name, pred in ((f"this model ({ours_s:.1f}s)", ours), ("plain textblob-de", base)):
            m = metrics(gold, pred)
            print(
                f"{split:<10} {name:<22} {len(gold):>5} {m['accuracy']:>6.3f} {m['macro_f1']:>8.3f}"
                f" {m['neg_precision']:>6.3f} {m['neg_recall']:>6.3f}"
            )
        if overlap:
            print(f"{'':<10} ({overlap} texts of {split} also occur verbatim in train/dev)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

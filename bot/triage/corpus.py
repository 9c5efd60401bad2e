"""Read labelled sentiment corpora for training and evaluation (stdlib only).

Formats:
- GermEval 2017 TSV as published: ``url<TAB>text<TAB>relevance<TAB>sentiment<TAB>aspects``.
- GermEval 2017 "opinion" TSV with a header (one row per aspect; rows are de-duplicated).
- JSONL of a team's own labelled mentions: ``{"text": "...", "sentiment": "negative"}``
  (any other ingest fields are ignored).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path

LABELS = ("negative", "neutral", "positive")
Example = tuple[str, str]  # (text, label)


def load(path: Path | str) -> list[Example]:
    """Labelled examples from one file, whatever its format."""
    path = Path(path)
    if path.suffix in {".jsonl", ".json", ".ndjson"}:
        return _load_jsonl(path)
    return _load_tsv(path)


def germeval_files(corpus_dir: Path | str, split: str) -> list[Path]:
    """Files of one split (``train``, ``dev``, ``test_syn``, ``test_dia``) in a corpus folder."""
    corpus_dir = Path(corpus_dir)
    found = sorted(p for p in corpus_dir.glob(f"{split}*.tsv") if p.is_file())
    # "test_syn" must not pick up e.g. "test_synthetic": keep exact split names only.
    return [p for p in found if p.stem == split or p.stem.startswith((split + "_", split + "-"))]


def load_split(corpus_dir: Path | str, split: str) -> list[Example]:
    """All examples of one split, de-duplicated across the files that hold it."""
    seen: dict[str, str] = {}
    for path in germeval_files(corpus_dir, split):
        for text, label in load(path):
            seen.setdefault(text, label)
    return list(seen.items())


def _load_tsv(path: Path) -> list[Example]:
    csv.field_size_limit(1 << 30)
    with path.open(encoding="utf-8", newline="") as fh:
        first = fh.readline()
        fh.seek(0)
        if first.startswith("id\ttext\t"):
            rows: Iterator[list[str]] = csv.reader(fh, delimiter="\t")
            next(rows)
        else:
            rows = (line.rstrip("\n").split("\t") for line in fh)
        seen: dict[tuple[str, str], str] = {}
        for row in rows:
            if len(row) >= 4 and row[3] in LABELS and row[1].strip():
                seen.setdefault((row[0], row[1]), row[3])
    return [(text, label) for (_, text), label in seen.items()]


def _load_jsonl(path: Path) -> list[Example]:
    out = []
    with path.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            obj = json.loads(line)
            label = obj.get("sentiment") or obj.get("label")
            if label not in LABELS or not isinstance(obj.get("text"), str):
                raise ValueError(f"{path}:{n}: need 'text' and 'sentiment' in {LABELS}")
            out.append((obj["text"], label))
    return out

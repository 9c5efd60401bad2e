"""`python -m bot train [--eval] [--force] [--tolerance 0.02] [--commercial] [--corpus DIR]`
(issue 14): retrain triage's sentiment model from the team's labels, evaluate it against the
current one, and make it current for every process through Redis.

- Training data: the team's `kein`/`negativ` labels (`LabelStore`; `kein` teaches "neutral",
  `negativ` "negative"), weight `TEAM_WEIGHT` each, minus a held-out fifth; plus, when present,
  a public corpus on disk (`--corpus`, default `data/germeval2017` if it exists: its train
  split only). The public texts do not ship with the project: the retrain starts from (and is
  pulled towards) the shipped model's weights. `--commercial` starts from zero weights and
  takes only commercially usable corpora (`--corpus`, e.g. MobASA, CC BY 4.0).
- Implicit negatives: every card the team answered (publicly or by DM: `answered_at`;
  `ItemStore.answered_texts`) is a service case, trained and held out like a `negativ` label
  (an explicit label on the item wins; anonymised items and incidents are left out).
- Evaluation: the held-out team examples, the public dev split (when on disk) and the
  built-in complaints (`bot.triage.sanity`), current model vs new, each at the threshold the
  desk would use. The new model replaces the current one only if its negative recall on none
  of them falls more than `--tolerance` below the current model's, and only if recall could be
  measured on the team's own examples or a public dev split (refused otherwise: `UNMEASURED`);
  `--force` replaces it anyway (audited as forced). `--eval` only prints the table.
- Replacing: a versioned file `<out>/<version>.npz|.json` and the bytes, version and threshold
  in Redis (`ModelStore`); workers and `python -m bot triage` switch within ~30 s.
"""

from __future__ import annotations

import argparse
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

import redis

from bot.config import DeskConfig
from bot.store import AuditLog
from bot.store.items import ItemStore
from bot.store.labels import LabelStore
from bot.store.triage_model import ModelStore, StoredModel
from bot.triage import corpus, sanity
from bot.triage.sentiment import SentimentModel
from bot.triage.training import (
    TEAM_WEIGHT,
    Figures,
    Trained,
    choose_threshold,
    evaluate,
    split_team,
    train,
)

log = logging.getLogger(__name__)

DEFAULT_CORPUS = Path("data/germeval2017")
DEFAULT_OUT = Path("data/models")
NC_LICENCE = ("derived from GermEval 2017 (CC BY-NC 4.0, NON-COMMERCIAL use only) through the "
              "shipped model's weights, plus the team's own labels: see "
              "bot/triage/model/LICENSE-NOTICE")
COMMERCIAL_LICENCE = ("the team's own labels plus only commercially usable corpora (each "
                      "named in trained_on); nothing derived from GermEval 2017")

UNMEASURED = ("no answered cards or `negativ` labels to check recall against (the held-out "
              "team slice has no negatives) and no public dev split: answer or label some "
              "complaints, or pass --corpus, or --force")


def arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--eval", action="store_true", help="print the evaluation table only; "
                   "replace nothing")
    p.add_argument("--force", action="store_true", help="replace even when negative recall "
                   "falls (audited as forced)")
    p.add_argument("--tolerance", type=float, default=0.02, help="how far negative recall may "
                   "fall below the current model's on either evaluation set (default 0.02)")
    p.add_argument("--commercial", action="store_true", help="only commercially usable data: "
                   "zero start weights, --corpus must be commercially usable (e.g. MobASA)")
    p.add_argument("--corpus", metavar="DIR", help="a public corpus on disk (GermEval-format "
                   "TSV or XML: train*/dev* files); default data/germeval2017 if it exists "
                   "(not with --commercial); `none`: the team's labels only")
    p.add_argument("--out", metavar="DIR", default=str(DEFAULT_OUT),
                   help="where the versioned model file is written (default data/models)")
    p.add_argument("--target-recall", type=float, default=0.85, help="--commercial only: the "
                   "threshold is the highest with this negative recall on the evaluation sets")


@dataclass
class Report:
    """What one `bot train` run found and did."""

    current: str
    new: str
    rows: list[tuple[str, str, Figures]] = field(default_factory=list)  # set, model, figures
    notes: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    replaced: bool = False
    trained: Trained | None = None

    def table(self) -> str:
        head = f"{'set':<22} {'model':<32} {'n':>5} {'neg':>5} {'acc':>6} {'macroF1':>8} " \
               f"{'negP':>6} {'negR':>6}"
        lines = [*self.notes, head, "-" * len(head)]
        for name, model, f in self.rows:
            rec = "  n/a" if f.neg_recall is None else f"{f.neg_recall:.3f}"
            lines.append(f"{name:<22} {model:<32} {f.n:>5} {f.negatives:>5} {f.accuracy:>6.3f} "
                         f"{f.macro_f1:>8.3f} {f.neg_precision:>6.3f} {rec:>6}")
        return "\n".join(lines)


def current_model(r: redis.Redis) -> SentimentModel:
    """The model the desk runs now: the one in Redis, else the shipped one."""
    stored = ModelStore(r).get()
    return SentimentModel(npz=stored.npz, meta=stored.meta) if stored else SentimentModel()


def retrain(r: redis.Redis, config: DeskConfig, *, evaluate_only: bool = False,
            force: bool = False, tolerance: float = 0.02, commercial: bool = False,
            corpus_dir: Path | None = None, out: Path = DEFAULT_OUT, target_recall: float = 0.85,
            by: str = "cli") -> Report:
    """Train, evaluate, and (unless refused or `evaluate_only`) replace; see the module doc."""
    examples = [e for e in LabelStore(r).all() if e.sentiment]
    labels = [(e.text, e.sentiment or "") for e in examples]
    # implicit negatives: the cards the team answered are service cases (an explicit label on
    # the same item wins); erased/anonymised items have no text and are left out
    labelled = {e.item for e in examples}
    answered = [(text, "negative") for n, text in ItemStore(r).answered_texts()
                if n not in labelled]
    team_train, team_held = split_team(labels + answered)
    if corpus_dir is None and not commercial and DEFAULT_CORPUS.is_dir():
        corpus_dir = DEFAULT_CORPUS
    if corpus_dir is not None and str(corpus_dir) == "none":  # `--corpus none`: labels only
        corpus_dir = None
    public_train: list[corpus.Example] = []
    public_dev: list[corpus.Example] = []
    sources = [f"team labels ({len(team_train)} of {len(labels) + len(answered)}; "
               f"{len(team_held)} held out)"]
    if corpus_dir is not None:
        public_train = corpus.load_split(corpus_dir, "train")
        public_dev = corpus.load_split(corpus_dir, "dev")
        sources.append(f"{corpus_dir.name} train ({len(public_train)} texts)")
    current = current_model(r)
    shipped = SentimentModel()
    override = config.triage.negative_threshold
    parent = None if commercial else shipped
    name = "sentiment-commercial" if commercial else "sentiment-team"
    licence = COMMERCIAL_LICENCE if commercial else NC_LICENCE
    trained = train(team_train, public_train, parent=parent, name=name, licence=licence,
                    sources=sources, threshold=shipped.default_threshold)
    new = trained.model()
    if commercial:  # no tuned threshold to inherit: pick one on the evaluation sets
        threshold = choose_threshold(new, team_held + public_dev, target_recall, 0.5)
        trained = train(team_train, public_train, parent=None, name=name, licence=licence,
                        sources=sources, threshold=threshold)
        new = trained.model()
    report = Report(current.version, new.version, trained=trained)
    report.notes.append(
        f"training: {len(team_train)} team labels x weight {TEAM_WEIGHT:g} (one label counts as "
        f"{TEAM_WEIGHT:g} public texts) + {len(public_train)} public texts; start: "
        f"{'zero weights (commercial)' if commercial else 'the shipped model ' + shipped.version}")
    report.notes.append(f"team examples: {len(labels)} labels (kein/negativ) + {len(answered)} "
                        "answered cards (negative), same weight")
    sets = [("team held-out", team_held)]
    if public_dev:
        sets.append((f"public dev ({corpus_dir.name if corpus_dir else ''})", public_dev))
    else:
        report.notes.append("public dev split: not on disk (put GermEval 2017 in "
                            "data/germeval2017 or give --corpus): evaluated on team labels and "
                            "the built-in complaints only")
    if not public_dev and not any(label == "negative" for _, label in team_held):
        report.refused.append(UNMEASURED)
    sets.append(("built-in complaints", [(t, "negative") for t in sanity.COMPLAINTS]))
    for set_name, data in sets:
        if not data:
            report.notes.append(f"{set_name}: empty")
            continue
        cur = evaluate(current, override or current.default_threshold, data)
        fresh = evaluate(new, override or new.default_threshold, data)
        if public_dev is data and current.meta.get("cross_validated") and _trained_on_dev(current):
            report.notes.append(f"{set_name}: {current.version} was trained on this split, its "
                                "recall there is optimistic; its cross-validated recall "
                                f"{current.meta['cross_validated'].get('negative_recall')} is "
                                "the bar instead")
            bar = float(current.meta["cross_validated"].get("negative_recall", 0.0))
        else:
            bar = cur.neg_recall if cur.neg_recall is not None else 0.0
        report.rows += [(set_name, f"current {current.version}", cur),
                        (set_name, f"new {new.version}", fresh)]
        if fresh.neg_recall is not None and fresh.neg_recall < bar - tolerance:
            report.refused.append(f"{set_name}: negative recall {fresh.neg_recall:.3f} < "
                                  f"{bar:.3f} - {tolerance:g}")
    audit = AuditLog(r)
    if evaluate_only:
        return report
    if report.refused and not force:
        outcome = "refused:unmeasured" if UNMEASURED in report.refused else "refused:recall"
        audit.record(by, "train", None, outcome, version=new.version,
                     current=current.version, reasons=report.refused)
        return report
    _write(trained, out)
    ModelStore(r).put(StoredModel(new.version, new.default_threshold, trained.sha256,
                                  trained.meta, trained.npz), time.time())
    report.replaced = True
    audit.record(by, "train", None, "forced" if report.refused else "ok", version=new.version,
                 previous=current.version, sha256=trained.sha256, threshold=new.default_threshold,
                 team_labels=len(team_train), held_out=len(team_held),
                 public_texts=len(public_train), reasons=report.refused, commercial=commercial)
    return report


def _trained_on_dev(model: SentimentModel) -> bool:
    return any("dev" in str(s) for s in model.meta.get("trained_on", ()))


def _write(trained: Trained, out: Path) -> None:
    import json

    out.mkdir(parents=True, exist_ok=True)
    (out / f"{trained.version}.npz").write_bytes(trained.npz)
    (out / f"{trained.version}.json").write_text(
        json.dumps(trained.meta, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def main(r: redis.Redis, config: DeskConfig, args: argparse.Namespace, out: TextIO,
         err: TextIO) -> int:
    """The CLI: exit 0 replaced (or --eval), 1 refused, 2 nothing to train on."""
    try:
        report = retrain(r, config, evaluate_only=args.eval, force=args.force,
                         tolerance=args.tolerance, commercial=args.commercial,
                         corpus_dir=Path(args.corpus) if args.corpus else None,
                         out=Path(args.out), target_recall=args.target_recall)
    except ValueError as exc:
        print(f"train: {exc}", file=err)
        return 2
    print(report.table(), file=out)
    if args.eval:
        print(f"--eval: nothing replaced (current: {report.current})", file=out)
        return 0
    if not report.replaced:
        print("REFUSED: " + "; ".join(report.refused) + " (use --force to replace anyway)",
              file=out)
        return 1
    forced = " (FORCED past: " + "; ".join(report.refused) + ")" if report.refused else ""
    print(f"replaced {report.current} with {report.new}{forced}; workers and `bot triage` "
          "switch within ~30 s", file=out)
    return 0

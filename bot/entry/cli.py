"""`python -m bot web|worker|socket|ingest|triage|demo|summary|audit|dead-letters|erase|
export-customer|train` — the CLI."""

from __future__ import annotations

import argparse
import gc
import io
import json
import logging
import sys
import threading
from collections.abc import Sequence
from typing import TextIO

import redis
from pydantic import ValidationError

from bot.config import DeskConfig, load_config
from bot.errors import ConfigError
from bot.settings import Settings


def _open_input(name: str) -> TextIO:
    """FILE or stdin, read as UTF-8 with an optional byte-order mark (Windows exports)."""
    if name == "-":
        if isinstance(sys.stdin, io.TextIOWrapper):
            sys.stdin.reconfigure(encoding="utf-8-sig")
        return sys.stdin
    return open(name, encoding="utf-8-sig")


def _config(settings: Settings) -> DeskConfig:
    return load_config(settings.desk_config)


def settle() -> None:
    """Keep what start-up built (models, apps, catalogues) out of the garbage collector's way:
    frozen, a full collection no longer walks it (one stalled a burst of acks by ~100 ms)."""
    gc.collect()
    gc.freeze()


def cmd_web(settings: Settings) -> int:
    import uvicorn

    from bot.entry.runtime import build_runtime
    from bot.entry.web import create_web_app

    if not settings.slack_signing_secret:
        raise ConfigError("SLACK_SIGNING_SECRET", "is not set: Slack requests cannot be verified")
    if not settings.slack_bot_token:
        raise ConfigError("SLACK_BOT_TOKEN", "is not set: the bot cannot post to Slack (xoxb-…)")
    rt = build_runtime(settings, _config(settings))
    # honcho and Heroku set PORT (honcho: 5000): say where we listen, so nobody has to guess
    logging.getLogger("bot.web").info("web: listening on http://0.0.0.0:%d (PORT)", settings.port)
    app = create_web_app(rt)
    settle()
    uvicorn.run(app, host="0.0.0.0", port=settings.port, log_level="warning",
                access_log=False)
    return 0


def cmd_worker(settings: Settings) -> int:
    import signal

    from bot.entry.runtime import build_runtime
    from bot.entry.worker import Worker

    if not settings.slack_bot_token:
        raise ConfigError("SLACK_BOT_TOKEN", "is not set: the worker cannot post cards (xoxb-…)")
    rt = build_runtime(settings, _config(settings))
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    from bot.scheduler import start_scheduler, worker_jobs

    scheduler = start_scheduler(rt, worker_jobs(rt))
    worker = Worker(rt, reclaim_idle_ms=settings.worker_reclaim_ms)
    settle()
    try:
        worker.run(stop)
    finally:
        scheduler.shutdown(wait=False)
    return 0


def cmd_socket(settings: Settings) -> int:
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    from bot.entry.runtime import build_runtime
    from bot.entry.web import create_bolt_app

    if not settings.slack_app_token:
        raise ConfigError("SLACK_APP_TOKEN", "is not set: Socket Mode needs an app-level token")
    rt = build_runtime(settings, _config(settings))
    SocketModeHandler(create_bolt_app(rt), settings.slack_app_token).start()
    return 0


def cmd_ingest(settings: Settings, path: str) -> int:
    from bot.ingest import ingest_lines
    from bot.store import MentionQueue, connect

    _config(settings)
    if not settings.redis_configured:
        print("Hinweis: REDIS_URL ist nicht gesetzt; eingebettetes Redis (nur dieser Prozess).",
              file=sys.stderr)
    queue = MentionQueue(connect(**settings.redis()))
    queue.ensure_group()
    with _open_input(path) as stream:
        report = ingest_lines(stream, queue)
    for line, reason in report.rejected:
        print(f"line {line}: rejected: {reason}", file=sys.stderr)
    print(json.dumps({"accepted": report.accepted, "duplicate": report.duplicates,
                      "rejected": len(report.rejected)}))
    return 1 if report.rejected else 0


def cmd_triage(settings: Settings, path: str) -> int:
    from bot.entry.runtime import triage_rules
    from bot.triage import Triage
    from bot.triage.cli import main as triage_main

    rules = triage_rules(_config(settings))
    triage = Triage(rules)
    refresh = None
    if settings.redis_url:  # issue 14: the retrained model, and a newer one while reading
        from bot.entry.triage_model import ModelRefresh
        from bot.store import connect
        from bot.store.triage_model import ModelStore

        models = ModelRefresh(ModelStore(connect(settings.redis_url)), triage,
                              settings.triage_model_check)

        def refresh() -> None:
            try:
                models.check()
            except redis.RedisError as exc:
                print(f"triage: Modell nicht aus Redis lesbar / model not read from Redis "
                      f"({type(exc).__name__}): {triage.model_version}", file=sys.stderr)
                models.every_s = float("inf")  # say it once; go on with the model we have

    with _open_input(path) as stream:
        return triage_main([path], rules, stream, sys.stdout, sys.stderr, triage, refresh)


def cmd_train(settings: Settings, args: argparse.Namespace) -> int:
    """`python -m bot train` (issue 14)."""
    from bot.entry.train import main as train_main
    from bot.store import connect

    config = _config(settings)
    _note_embedded(settings, "train")
    return train_main(connect(settings.redis_url), config, args, sys.stdout, sys.stderr)


def cmd_demo(settings: Settings) -> int:
    from bot.entry.demo import run_demo

    return run_demo(sys.stdout, settings.desk_config)


def cmd_summary(settings: Settings, args: argparse.Namespace) -> int:
    from bot.entry.reports import main as summary_main

    _note_embedded(settings, "summary")
    return summary_main(settings, _config(settings), args)


def cmd_audit(settings: Settings, args: argparse.Namespace) -> int:
    from bot.entry.audit_export import main as audit_main

    _config(settings)  # a broken desk.yaml is reported by every command
    _note_embedded(settings, "audit")
    return audit_main(settings, args, sys.stdout)


def cmd_dead_letters(settings: Settings, args: argparse.Namespace) -> int:
    from bot.entry.dead_letters import main as dead_letters_main

    config = _config(settings)
    _note_embedded(settings, "dead-letters")
    return dead_letters_main(settings, config, args, sys.stdout, sys.stderr)


def _note_embedded(settings: Settings, command: str) -> None:
    """Without REDIS_URL a reading command sees only its own, empty, embedded Redis: say so."""
    if not settings.redis_configured:
        print(f"Hinweis: REDIS_URL ist nicht gesetzt; `{command}` liest ein leeres eingebettetes "
              "Redis (nur dieser Prozess). / REDIS_URL is not set: reading an empty embedded "
              "Redis.", file=sys.stderr)


def cmd_privacy(settings: Settings, args: argparse.Namespace) -> int:
    from bot.entry import privacy

    config = _config(settings)
    _note_embedded(settings, args.command)
    run = privacy.erase if args.command == "erase" else privacy.export
    return run(settings, config, args, sys.stdout, sys.stderr)


def build_parser() -> argparse.ArgumentParser:
    from bot.entry.privacy import customer_arguments
    from bot.sources.registry import networks

    p = argparse.ArgumentParser(
        prog="python -m bot", description="Alert-Team: a brand's social-media customer service "
        "desk in Slack. Configuration: DESK_CONFIG (desk.yaml) and the environment (README).")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, summary: str, details: str) -> argparse.ArgumentParser:
        return sub.add_parser(name, help=summary, description=f"{summary}. {details}")

    command("web", "serve Slack's requests, /ingest, webhooks, /healthz and /metrics over HTTP",
            "Listens on PORT (default 3000); needs SLACK_SIGNING_SECRET, SLACK_BOT_TOKEN and "
            "Redis (REDIS_URL).")
    command("worker", "consume mentions, post cards, poll the networks, run timers and the "
            "daily summary", "Reads and writes Redis (REDIS_URL), posts to Slack "
            "(SLACK_BOT_TOKEN), calls the networks that have credentials. Run several at once.")
    command("socket", "the Slack listeners over Socket Mode (no public URL needed)",
            "Needs SLACK_APP_TOKEN (xapp-…) besides SLACK_BOT_TOKEN and Redis.")
    ing = command("ingest", "queue JSONL mentions from FILE or - (stdin)",
                  "Writes the mention stream in Redis (REDIS_URL); prints accepted/duplicate/"
                  "rejected, each rejected line on stderr; exit 1 if any line was rejected.")
    ing.add_argument("file", help="a JSONL file, or - for stdin")
    tri = command("triage", "triage JSONL texts from FILE or - (stdin), one JSON result per line",
                  "Pure: needs no Redis, no Slack, no credentials; reads desk.yaml for routes.")
    tri.add_argument("file", help="a JSONL file, or - for stdin")
    command("demo", "the whole desk in one process on bundled sample mentions",
            "Embedded Redis, no server, no credentials, nothing posted anywhere; prints what "
            "Slack and the networks would see; uses DESK_CONFIG; exits by itself.")
    s = command("summary", "post the daily summary to Slack now (or print it with --print)",
                "By default POSTS to the summary channel in Slack (SLACK_BOT_TOKEN); reads Redis "
                "(REDIS_URL). Without a bot token it prints instead.")
    s.add_argument("--date", help="the day, YYYY-MM-DD (default: today in the desk's time zone)")
    s.add_argument("--print", action="store_true", dest="print_only",
                   help="print to stdout (figures as JSON on stderr); post nothing")
    s.add_argument("--chart", metavar="FILE", help="also write the summary's chart to FILE: "
                   "PNG, or SVG if FILE ends in .svg")
    # issue 13
    s.add_argument("--from-audit", action="store_true", dest="from_audit",
                   help="recompute every figure from the audit trail alone (no item is read) "
                   "and print it as --print does; posts nothing")
    a = command("audit", "export the audit trail (every action and refusal) to stdout",
                "Reads Redis (REDIS_URL); changes nothing.")
    a.add_argument("--since", help="from this date or time on, e.g. 2026-11-24 or "
                   "2026-11-24T09:00+01:00")
    a.add_argument("--format", choices=("csv", "jsonl"), default="jsonl")
    d = command("dead-letters", "list the mentions parked after 5 failed deliveries, or send "
                "them back to the queue", "Without options lists them: id, when, network:mention "
                "id and reason, never customer text; reads Redis (REDIS_URL). --retry and --all "
                "move entries back into the mention stream (atomically, past the duplicate "
                "check) and write the audit trail. Exit 0 ok, 1 unknown ID.")
    once = d.add_mutually_exclusive_group()
    once.add_argument("--retry", metavar="ID", help="re-queue the parked mention with this id "
                      "(the first column of the list)")
    once.add_argument("--all", action="store_true", help="re-queue every parked mention")
    er = command("erase", "DSGVO Art. 17: erase one customer; prints a JSON report",
                 "Their items are anonymised (text, handle, name, ids, URL, reply text; figures "
                 "and the fact of each action stay, so summaries still add up); open ones are "
                 "first closed as no reply with reason 'erased'. Their mention-stream entries "
                 "(pending ones acknowledged), dead letters, held reply drafts, dedupe and index "
                 "keys and the audit entries about them are deleted; the same post stays a "
                 "duplicate (kept as a hash). One audit line records the erasure: who, counts, a "
                 "salted hash instead of the customer. Changes Redis only (REDIS_URL): the next "
                 "worker tick shows the Slack cards anonymised; the card threads to clean up in "
                 "Slack are listed on stderr. Safe to run again.")
    ex = command("export-customer", "DSGVO Art. 15: what is stored about one customer, as JSON",
                 "Items with text, state and history (the audit entries of each item), their "
                 "mention-stream and dead-letter entries, other audit entries naming them. Reads "
                 "Redis (REDIS_URL) and adds one audit line (who asked, counts, a salted hash). "
                 "Contains agents' Slack ids: review before handing it out.")
    for cmd in (er, ex):
        customer_arguments(cmd, sorted(networks()))
    # ----- issue 14 -----
    from bot.entry.train import arguments as train_arguments

    tr = command("train", "retrain triage's sentiment model from the team's labels",
                 "Reads the labels from Redis (REDIS_URL), starts from the shipped model's "
                 "weights (--commercial: from zero, commercially usable data only), evaluates "
                 "on held-out team labels and the public dev split (if on disk), and replaces "
                 "the current model unless negative recall falls more than --tolerance (--force "
                 "overrides, audited). Exit 0 replaced or --eval, 1 refused, 2 no labels.")
    train_arguments(tr)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from bot import logs

    logs.setup()
    try:
        settings = Settings()
        match args.command:
            case "web":
                return cmd_web(settings)
            case "worker":
                return cmd_worker(settings)
            case "socket":
                return cmd_socket(settings)
            case "ingest":
                return cmd_ingest(settings, args.file)
            case "triage":
                return cmd_triage(settings, args.file)
            case "demo":
                return cmd_demo(settings)
            case "summary":
                return cmd_summary(settings, args)
            case "audit":
                return cmd_audit(settings, args)
            case "dead-letters":
                return cmd_dead_letters(settings, args)
            case "erase" | "export-customer":
                return cmd_privacy(settings, args)
            case "train":
                return cmd_train(settings, args)
    except ConfigError as exc:
        print(f"Konfigurationsfehler / configuration error: {exc}", file=sys.stderr)
        return 2
    except FileNotFoundError as exc:
        print(f"Datei nicht gefunden / file not found: {exc.filename}", file=sys.stderr)
        return 2
    except ValidationError as exc:  # an environment variable of the wrong type
        err = exc.errors()[0]
        name = str(err["loc"][0]).upper() if err["loc"] else "environment"
        print(f"Konfigurationsfehler / configuration error: {name}: {err['msg']}", file=sys.stderr)
        return 2
    except redis.ConnectionError:
        print("Redis ist nicht erreichbar / Redis is not reachable: check REDIS_URL and that the "
              "server runs", file=sys.stderr)
        return 1
    except BrokenPipeError:  # e.g. `… | head`
        sys.stderr.close()
        return 0
    return 2


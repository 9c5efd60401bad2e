"""`python -m bot erase` (DSGVO Art. 17) and `python -m bot export-customer` (Art. 15).

Both work on Redis only; the desk's `DataProtection` does the work and audits it. Output is
JSON on stdout; what the operator must still do by hand (Slack threads) goes to stderr. The
subcommands' help texts are in `bot.entry.cli` with the others.
"""

from __future__ import annotations

import argparse
import json
from typing import TextIO

from bot.config import DeskConfig
from bot.entry.dead_letters import operator
from bot.entry.runtime import build_runtime
from bot.messages import say
from bot.privacy import Customer
from bot.settings import Settings


def _customer(args: argparse.Namespace) -> Customer:
    return Customer(args.network, args.author)


def erase(settings: Settings, config: DeskConfig, args: argparse.Namespace, out: TextIO,
          err: TextIO) -> int:
    """Erase one customer; print the report (JSON) and what is left to do in Slack."""
    customer = _customer(args)
    report = build_runtime(settings, config).desk.privacy.erase(customer, args.by)
    out.write(json.dumps(report.as_dict(), ensure_ascii=False) + "\n")
    lang = config.language
    if not (report.items or report.stream_entries or report.dead_letters or report.audit_entries):
        print(say("privacy.nothing", lang, network=customer.network, author=customer.author_id),
              file=err)
    if report.closed_open:
        print(say("privacy.closed_open", lang,
                  numbers=", ".join(f"#{n}" for n in report.closed_open)), file=err)
    if report.slack_threads:
        threads = ", ".join(f"{t['channel']}/{t['ts']}" for t in report.slack_threads)
        print(say("privacy.slack", lang, threads=threads), file=err)
    return 0


def export(settings: Settings, config: DeskConfig, args: argparse.Namespace, out: TextIO,
           err: TextIO) -> int:
    """Write what is stored about one customer as one JSON document."""
    data = build_runtime(settings, config).desk.privacy.export(_customer(args), args.by)
    out.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
    return 0


def customer_arguments(p: argparse.ArgumentParser, networks: list[str]) -> None:
    """`--network`, `--author` and `--by`, shared by `erase` and `export-customer`."""
    p.add_argument("--network", required=True, choices=networks,
                   help="the network as in the mention schema")
    p.add_argument("--author", required=True, metavar="ID",
                   help="the customer's author id (`author.id` of their mentions), not the handle")
    p.add_argument("--by", default=operator(),
                   help="who runs it, for the audit line (default: cli:<login>)")

"""`python -m bot dead-letters [--retry ID | --all]`: list parked mentions or send them back.

The list shows ids, times and reasons only, never customer text: it is meant to be pasted into
a ticket. Every re-queue is audited. Exit 0, or 1 when `--retry` names no parked mention.
"""

from __future__ import annotations

import argparse
import getpass
from typing import TextIO
from zoneinfo import ZoneInfo

from bot.config import DeskConfig
from bot.settings import Settings
from bot.store import AuditLog, connect
from bot.store.dead_letters import DeadLetter, DeadLetters


def operator() -> str:
    """Who ran the command, for the audit trail (`cli:<login>`)."""
    try:
        return f"cli:{getpass.getuser()}"
    except (OSError, KeyError):  # no login name in a bare container
        return "cli"


def _requeue(store: DeadLetters, audit: AuditLog, letter: DeadLetter, out: TextIO) -> bool:
    new_id = store.requeue(letter.dead_id)
    if new_id is None:  # another operator was faster
        return False
    audit.record(operator(), "dead_letter", None, "requeued", dead_letter=letter.dead_id,
                 entry=new_id, mention=letter.mention_key, reason=letter.reason)
    out.write(f"erneut eingereiht / requeued: {letter.dead_id} -> {new_id} "
              f"({letter.mention_key})\n")
    return True


def main(settings: Settings, config: DeskConfig, args: argparse.Namespace, out: TextIO,
         err: TextIO) -> int:
    r = connect(**settings.redis())
    store, audit = DeadLetters(r), AuditLog(r)
    if args.retry:
        letter = store.get(args.retry)
        if letter is None or not _requeue(store, audit, letter, out):
            err.write(f"Unbekannte ID / unknown id: {args.retry} (`python -m bot dead-letters` "
                      "lists the parked ones)\n")
            return 1
        return 0
    if args.all:
        done = sum(_requeue(store, audit, letter, out) for letter in list(store.entries()))
        out.write(f"{done} erneut eingereiht / requeued\n")
        return 0
    tz = ZoneInfo(config.timezone)
    letters = list(store.entries())
    if not letters:
        out.write("Keine geparkten Mentions / no dead letters\n")
        return 0
    out.write(f"{'ID':<16}  {'PARKED (' + config.timezone + ')':<25}  {'MENTION':<30}  REASON\n")
    for d in letters:
        when = d.parked_at.astimezone(tz).strftime("%Y-%m-%d %H:%M:%S")
        out.write(f"{d.dead_id:<16}  {when:<25}  {d.mention_key:<30}  {d.reason}\n")
    return 0

"""``python -m bot triage FILE|-``: JSONL texts in, one JSON triage result per line out.

Each input line is ``{"id": "...", "text": "..."}`` or a whole ingest mention (extra fields
are ignored). Output lines keep the input order. A bad line gets an error on stderr naming its
line number; the good lines are still answered. Exit status 1 if any line was bad, else 0.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TextIO

from bot.triage.engine import Triage
from bot.triage.types import TriageRules

USAGE = 'usage: python -m bot triage FILE|-   (JSONL: {"id": ..., "text": ...} per line)'


def main(args: list[str], rules: TriageRules, stdin: TextIO, stdout: TextIO, stderr: TextIO,
         triage: Triage | None = None, refresh: Callable[[], object] | None = None) -> int:
    """Run the CLI; returns the exit status. `refresh` is called before each line (it switches
    `triage` to a retrained model when there is one; issue 14)."""
    if len(args) != 1 or args[0] in {"-h", "--help"}:
        print(USAGE, file=stderr)
        return 2
    source = args[0]
    try:
        handle = stdin if source == "-" else open(source, encoding="utf-8-sig")  # noqa: SIM115
    except OSError as exc:
        print(f"triage: Datei nicht lesbar / cannot read {source}: {exc.strerror}", file=stderr)
        return 2
    triage = triage or Triage(rules)
    bad = 0
    try:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                item_id, text = parse_line(line)
            except ValueError as exc:
                bad += 1
                print(f"triage: Zeile/line {number}: {exc}", file=stderr)
                continue
            if refresh is not None:
                refresh()
            result = triage.analyse(text)
            stdout.write(json.dumps(result.to_json(item_id), ensure_ascii=False) + "\n")
    finally:
        if handle is not stdin:
            handle.close()
    stdout.flush()
    return 1 if bad else 0


def parse_line(line: str) -> tuple[str, str]:
    """``(id, text)`` of one JSONL line, or ValueError with a bilingual reason."""
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as exc:
        raise ValueError(f"kein gültiges JSON / not valid JSON ({exc.msg}, column {exc.colno})") from None
    if not isinstance(obj, dict):
        raise ValueError("kein JSON-Objekt / not a JSON object")
    item_id, text = obj.get("id"), obj.get("text")
    if isinstance(item_id, int) and not isinstance(item_id, bool):
        item_id = str(item_id)
    if not isinstance(item_id, str) or not item_id:
        raise ValueError('Feld "id" fehlt oder ist kein Text / field "id" missing or not a string')
    if not isinstance(text, str):
        raise ValueError('Feld "text" fehlt oder ist kein Text / field "text" missing or not a string')
    return item_id, text

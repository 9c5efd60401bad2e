"""The layering contracts (`make lint` runs lint-imports) fail when a rule is broken.

Each test copies the tree, breaks one rule on purpose, and runs the real lint-imports.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LINT = Path(sys.executable).with_name("lint-imports")


def lint(tree: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(LINT), "--no-cache"], cwd=tree, capture_output=True, text=True,
                          timeout=120)


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    for name in ("bot", "handlers"):
        shutil.copytree(ROOT / name, tmp_path / name,
                        ignore=shutil.ignore_patterns("__pycache__", "model"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    return tmp_path


def add_import(path: Path, line: str) -> None:
    text = path.read_text()
    head, sep, rest = text.partition("from __future__ import annotations\n")
    path.write_text(head + sep + line + "\n" + rest if sep else line + "\n" + text)


def test_the_tree_as_it_is_keeps_every_contract(tree: Path) -> None:
    result = lint(tree)
    assert result.returncode == 0, result.stdout
    assert "0 broken" in result.stdout


def test_a_handler_importing_the_store_breaks_the_lint(tree: Path) -> None:
    add_import(tree / "handlers" / "home.py", "from bot.store import keys  # noqa")
    result = lint(tree)
    assert result.returncode != 0
    assert "Handlers are thin" in result.stdout and "BROKEN" in result.stdout
    assert "handlers.home -> bot.store" in result.stdout


def test_an_import_cycle_breaks_the_lint(tree: Path) -> None:
    # answers imports rules; rules importing answers closes a cycle inside bot.desk
    add_import(tree / "bot" / "desk" / "rules.py", "import bot.desk.answers  # noqa")
    result = lint(tree)
    assert result.returncode != 0
    assert "No import cycles" in result.stdout and "BROKEN" in result.stdout


def test_the_desk_rendering_block_kit_breaks_the_lint(tree: Path) -> None:
    add_import(tree / "bot" / "desk" / "intake.py", "from bot.slack.cards import card_blocks  # noqa")
    result = lint(tree)
    assert result.returncode != 0 and "The desk renders nothing" in result.stdout

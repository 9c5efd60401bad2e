"""The CLI as a user meets it: help that says what each command touches, honest notices, demo."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.harness import ROOT

COMMANDS = ("web", "worker", "socket", "ingest", "triage", "demo", "summary", "audit",
            "dead-letters", "erase", "export-customer")


def run(*args: str, env: dict[str, str] | None = None, **kw: object) -> subprocess.CompletedProcess[str]:
    base = {"PATH": os.environ.get("PATH", "/usr/bin:/bin")}
    return subprocess.run([sys.executable, "-m", "bot", *args], cwd=ROOT, env={**base, **(env or {})},
                          capture_output=True, text=True, timeout=120, **kw)  # type: ignore[call-overload]


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_says_what_it_does_and_what_it_touches(command: str) -> None:
    out = run(command, "--help")
    assert out.returncode == 0
    text = " ".join(out.stdout.split())
    assert len(text) > 120  # more than a usage line
    assert any(word in text for word in ("Redis", "Slack", "Pure", "no server"))


def test_summary_help_says_it_posts_to_slack_by_default() -> None:
    text = " ".join(run("summary", "--help").stdout.split())
    assert "By default POSTS to the summary channel in Slack" in text and "--print" in text


@pytest.mark.parametrize("args", [("summary", "--print"), ("audit",),
                                  ("export-customer", "--network", "twitter", "--author", "501")])
def test_reading_commands_without_redis_url_say_they_read_an_empty_embedded_redis(
        args: tuple[str, ...]) -> None:
    out = run(*args)
    assert out.returncode == 0
    assert "REDIS_URL" in out.stderr and "eingebettet" in out.stderr


def test_demo_ends_resolved_and_cuts_no_line(tmp_path: Path) -> None:
    out = run("demo")
    assert out.returncode == 0
    assert "/resolve 1" in out.stdout and "erledigt" in out.stdout.split("/resolve 1")[1]
    assert out.stdout.rstrip().endswith("=== Demo beendet ===")
    assert "ist eine Katastrophe" in out.stdout or "Echt jetzt?" in out.stdout
    box = [line for line in out.stdout.splitlines() if line.startswith("│ ")]
    assert box and max(map(len, box)) <= 100


def test_demo_uses_desk_config(tmp_path: Path) -> None:
    raw = yaml.safe_load((ROOT / "config" / "desk.yaml").read_text())
    raw["language"] = "en"
    cfg = tmp_path / "desk.yaml"
    cfg.write_text(yaml.safe_dump(raw, allow_unicode=True))
    out = run("demo", env={"DESK_CONFIG": str(cfg)})
    assert out.returncode == 0 and "You now hold #1" in out.stdout
    broken = tmp_path / "broken.yaml"
    broken.write_text("channels: {default: C0ALERTS}\ntargets: {twitter: zwanzig}\n")
    out = run("demo", env={"DESK_CONFIG": str(broken)})
    assert out.returncode == 2 and "targets" in out.stderr

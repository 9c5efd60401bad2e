"""desk.yaml validation: a broken file names the field, exits 2, prints no traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from bot.config import ConfigError, config_from_dict, load_config, parse_duration

ROOT = Path(__file__).resolve().parents[1]


def _base() -> dict:
    return yaml.safe_load((ROOT / "config" / "desk.yaml").read_text())


def test_shipped_example_config_is_valid() -> None:
    cfg = load_config(ROOT / "config" / "desk.yaml")
    assert cfg.targets["twitter"].total_seconds() == 20 * 60
    assert cfg.agents["U0AGENT1"] == "AB"


@pytest.mark.parametrize("text,seconds", [("90s", 90), ("20m", 1200), ("1h", 3600),
                                          ("1h30m", 5400), (45, 45)])
def test_durations(text: object, seconds: int) -> None:
    assert parse_duration(text).total_seconds() == seconds


@pytest.mark.parametrize("mutate,field", [
    (lambda c: c["channels"].update(alerts="C0X"), "channels.alerts"),
    (lambda c: c["targets"].update(twitter="zwanzig"), "targets"),
    (lambda c: c["business_hours"].update(sat="18:00-09:00"), "business_hours.sat"),
    (lambda c: c.update(warn_at=1.5), "warn_at"),
    (lambda c: c["summary"].update(at="25:00"), "summary.at"),
    (lambda c: c.update(signature=" ^AB"), "signature"),
    (lambda c: c["agents"].update(U0NEW="AB"), "agents"),
])
def test_a_broken_field_is_named(mutate, field: str) -> None:
    raw = _base()
    mutate(raw)
    with pytest.raises(ConfigError) as err:
        config_from_dict(raw)
    assert err.value.field.startswith(field), str(err.value)


@pytest.mark.parametrize("mutate,field", [
    (lambda c: c["channels"].update(alerts="C0X"), "channels.alerts"),
    (lambda c: c["targets"].update(facebook="40 minutes"), "targets"),
    (lambda c: c["business_hours"].update({"mon-fri": "8-20"}), "business_hours.mon-fri"),
])
def test_cli_exits_2_naming_the_field_without_traceback(tmp_path: Path, mutate, field: str) -> None:
    raw = _base()
    mutate(raw)
    cfg = tmp_path / "desk.yaml"
    cfg.write_text(yaml.safe_dump(raw))
    proc = subprocess.run(
        [sys.executable, "-m", "bot", "ingest", "-"], input="", capture_output=True, text=True,
        cwd=ROOT, env={"DESK_CONFIG": str(cfg), "PATH": "/usr/bin:/bin"}, timeout=60,
    )
    assert proc.returncode == 2, proc.stderr
    assert field in proc.stderr
    assert "Traceback" not in proc.stderr

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


@pytest.mark.parametrize("mutate,field", [
    (lambda c: c.update(timezone="Mars/Olympus"), "timezone"),
    (lambda c: c.update(closed=["banana"]), "closed"),
    (lambda c: c.update(closed=["2026-02-30"]), "closed"),
])
def test_time_zone_and_closed_dates_are_checked(mutate, field: str) -> None:
    raw = _base()
    mutate(raw)
    with pytest.raises(ConfigError) as err:
        config_from_dict(raw)
    assert err.value.field.startswith(field), str(err.value)


def test_a_key_given_twice_is_an_error(tmp_path: Path) -> None:
    text = (ROOT / "config" / "desk.yaml").read_text() + "\nlanguage: en\n"
    cfg = tmp_path / "desk.yaml"
    cfg.write_text(text)
    with pytest.raises(ConfigError) as err:
        load_config(cfg)
    assert err.value.field == "language" and "twice" in err.value.reason


@pytest.mark.parametrize("env,name,code", [
    ({"REDIS_URL": "notaurl"}, "REDIS_URL", 2),
    ({"PORT": "abc"}, "PORT", 2),
    ({"REDIS_URL": "redis://127.0.0.1:1/0"}, "REDIS_URL", 1),
])
def test_bad_environment_is_one_clear_line(env: dict[str, str], name: str, code: int) -> None:
    proc = subprocess.run([sys.executable, "-m", "bot", "audit"], capture_output=True, text=True,
                          cwd=ROOT, env={"PATH": "/usr/bin:/bin", **env}, timeout=60)
    assert proc.returncode == code
    assert name in proc.stderr and "Traceback" not in proc.stderr


@pytest.mark.parametrize("command", ["web", "worker"])
def test_web_and_worker_without_bot_token_say_so(command: str) -> None:
    proc = subprocess.run([sys.executable, "-m", "bot", command], capture_output=True, text=True,
                          cwd=ROOT, env={"PATH": "/usr/bin:/bin", "SLACK_SIGNING_SECRET": "x"},
                          timeout=60)
    assert proc.returncode == 2 and "SLACK_BOT_TOKEN" in proc.stderr


def test_a_port_out_of_range_is_one_clear_line() -> None:
    proc = subprocess.run([sys.executable, "-m", "bot", "audit"], capture_output=True, text=True,
                          cwd=ROOT, env={"PATH": "/usr/bin:/bin", "PORT": "99999"}, timeout=60)
    assert proc.returncode == 2 and "PORT" in proc.stderr and "Traceback" not in proc.stderr

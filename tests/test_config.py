"""desk.yaml validation: a broken file names the field, exits 2, prints no traceback."""

from __future__ import annotations

import subprocess
import sys
from datetime import timedelta
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
    (lambda c: c.update(retention={"items": "180"}), "retention.items"),
    (lambda c: c.update(retention={"items": 180}), "retention.items"),
    (lambda c: c.update(retention={"audit": "0d"}), "retention.audit"),
    (lambda c: c.update(retention={"items": "6 months"}), "retention.items"),
    (lambda c: c.update(retention={"itmes": "180d"}), "retention.itmes"),
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
    (lambda c: c.update(retention={"items": "180d", "audit": "ein Jahr"}), "retention.audit"),
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


def test_retention_in_days_or_absent_keeps_everything() -> None:
    raw = _base()
    assert config_from_dict(raw).retention.items is None  # absent: kept forever, as before
    raw["retention"] = {"items": "180d", "audit": "365d"}
    retention = config_from_dict(raw).retention
    assert retention.items == timedelta(days=180) and retention.audit == timedelta(days=365)
    raw["retention"] = {"audit": "30d"}
    assert config_from_dict(raw).retention.items is None


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


def _with_templates(templates: object) -> dict:
    raw = _base()
    raw["templates"] = templates
    return raw


GOOD = {"du": "Hallo {name}, wir kümmern uns um dich.", "sie": "Hallo {name}, wir kümmern uns um Sie."}


@pytest.mark.parametrize("templates,field,reason", [
    ({"stoerung": {"du": GOOD["du"]}}, "templates.stoerung.sie", "required field is missing"),
    ({"stoerung": {**GOOD, "sie": "  "}}, "templates.stoerung.sie", "is empty"),
    ({"stoerung": {**GOOD, "sie": "Hallo {kundennummer}"}}, "templates.stoerung.sie",
     "unknown placeholder {kundennummer} (use {name}, {handle}, {network})"),
    ({"stoerung": {**GOOD, "du": "Hallo {name"}}, "templates.stoerung.du", "broken braces"),
    ({"stoerung": {**GOOD, "du": "Hallo name}"}}, "templates.stoerung.du", "broken braces"),
    ({"stoerung": {**GOOD, "du": "Hallo {}"}}, "templates.stoerung.du", "unknown placeholder {}"),
    ({"stoerung": {**GOOD, "du": "Hallo {name!r}"}}, "templates.stoerung.du", "no format"),
    ({"stoerung": {**GOOD, "er": "Hallo"}}, "templates.stoerung.er", "unknown field"),
    ({"stoerung": "Hallo {name}"}, "templates.stoerung", "needs both variants"),
    ({"dm_invte_du": "Schreib uns"}, "templates.dm_invte_du", "dm_invite_du"),
    ({"stör ung": GOOD}, "templates.stör ung", "template name"),
    ({"Stoerung": GOOD, "stoerung": GOOD}, "templates.stoerung", "same name"),
    ({"stoerung": {"du": GOOD["sie"], "sie": GOOD["du"]}}, "templates.stoerung.du",
     "reads as sie, not du"),
])
def test_a_broken_template_is_named(templates: object, field: str, reason: str) -> None:
    with pytest.raises(ConfigError) as err:
        config_from_dict(_with_templates(templates))
    assert err.value.field == field and reason in err.value.reason, str(err.value)


def test_templates_default_address_is_du_or_sie() -> None:
    assert config_from_dict(_base()).templates_default_address == "sie"
    raw = _base()
    raw["templates_default_address"] = "ihr"
    with pytest.raises(ConfigError) as err:
        config_from_dict(raw)
    assert err.value.field == "templates_default_address"


def test_a_desk_yaml_with_only_the_desks_own_texts_stays_valid() -> None:
    cfg = config_from_dict(_with_templates({"dm_invite_du": "Schreib uns!",
                                            "dm_opening_sie": "Guten Tag!"}))
    assert cfg.templates.named == {}
    assert cfg.templates.dm_invite_du == "Schreib uns!" and cfg.templates.dm_opening_sie == "Guten Tag!"
    assert cfg.templates.dm_invite_sie.startswith("Bitte schreiben Sie")
    shipped = load_config(ROOT / "config" / "desk.yaml")
    assert list(shipped.templates.named) == ["stoerung", "warteschleife"]


def test_cli_exits_2_naming_a_broken_template(tmp_path: Path) -> None:
    cfg = tmp_path / "desk.yaml"
    cfg.write_text(yaml.safe_dump(_with_templates({"stoerung": {
        "du": "Hallo {name}", "sie": "Ihre Kundennummer {kundennummer}"}}), allow_unicode=True))
    proc = subprocess.run(
        [sys.executable, "-m", "bot", "ingest", "-"], input="", capture_output=True, text=True,
        cwd=ROOT, env={"DESK_CONFIG": str(cfg), "PATH": "/usr/bin:/bin"}, timeout=60,
    )
    assert proc.returncode == 2, proc.stderr
    assert "templates.stoerung.sie: unknown placeholder {kundennummer}" in proc.stderr
    assert "Traceback" not in proc.stderr

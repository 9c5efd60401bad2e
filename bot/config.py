"""The desk configuration (`config/desk.yaml`): typed, validated once at start.

A mistake raises `ConfigError` naming the dotted field (e.g. ``targets.twitter``), which the
CLI prints without a traceback and exits 2.
"""

from __future__ import annotations

import re
from datetime import time, timedelta
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    create_model,
    field_validator,
    model_validator,
)

from bot.durations import parse_duration
from bot.errors import ConfigError
from bot.sources.registry import networks

__all__ = ["ConfigError", "DeskConfig", "config_from_dict", "load_config", "parse_duration"]

_CLOCK_TIME = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
_KUERZEL = re.compile(r"^[A-Za-zÄÖÜäöü]{2,4}$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Route(_Strict):
    """Mentions containing one of `keywords` go to `channel`."""

    channel: str
    keywords: tuple[str, ...] = Field(min_length=1)


class Channels(_Strict):
    default: str
    routes: tuple[Route, ...] = ()

    @field_validator("default")
    @classmethod
    def _channel_id(cls, v: str) -> str:
        if not re.match(r"^[CG][A-Z0-9]{2,}$", v):
            raise ValueError(f"{v!r} is not a Slack channel id (like C0ALERTS)")
        return v


class SummaryConfig(_Strict):
    channel: str | None = None
    at: str = "18:00"

    @field_validator("at")
    @classmethod
    def _at(cls, v: str) -> str:
        if not _CLOCK_TIME.match(str(v)):
            raise ValueError(f"{v!r} is not a time like 18:00")
        return v

    @property
    def at_time(self) -> time:
        hh, mm = self.at.split(":")
        return time(int(hh), int(mm))


Sources: type[BaseModel] = create_model(  # `sources.<config_key>`: each network's options
    "Sources", __base__=_Strict,
    **{n.config_key: (n.options, n.options()) for n in networks().values()},  # type: ignore[call-overload]
)


class TriageConfig(_Strict):
    negative_threshold: float | None = Field(default=None, gt=0, lt=1)
    customer_numbers: tuple[str, ...] = ()
    hotlines: tuple[str, ...] = ()
    brand: tuple[str, ...] = ("Telekom", "telekom_hilft")

    @field_validator("customer_numbers")
    @classmethod
    def _regexes(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        for pattern in v:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"{pattern!r} is not a valid regular expression: {exc}") from exc
        return v


class Templates(_Strict):
    """Public texts the desk writes itself, per address form (du/sie)."""

    dm_invite_du: str = "Schreib uns bitte eine Direktnachricht, dann schauen wir uns das an."
    dm_invite_sie: str = (
        "Bitte schreiben Sie uns eine Direktnachricht, dann schauen wir uns das gemeinsam an."
    )
    dm_opening_du: str = "Hallo, hier ist das Service-Team. Wie können wir dir helfen?"
    dm_opening_sie: str = "Guten Tag, hier ist das Service-Team. Wie können wir Ihnen helfen?"


class DeskConfig(_Strict):
    """The whole of `desk.yaml`."""

    language: Literal["de", "en"] = "de"
    timezone: str = "Europe/Berlin"
    channels: Channels
    leads: tuple[str, ...] = ()
    agents: dict[str, str] = Field(default_factory=dict)
    signature: str = " ^{kuerzel}"
    targets: dict[str, timedelta] = Field(
        default_factory=lambda: {n.name: n.default_target for n in networks().values()})
    warn_at: float = Field(default=0.75, gt=0, lt=1)
    business_hours: Any = "always"
    closed: tuple[str, ...] = ()

    @field_validator("closed", mode="before")
    @classmethod
    def _closed_as_text(cls, v: Any) -> Any:
        return tuple(str(d) for d in v) if isinstance(v, list | tuple) else v
    summary: SummaryConfig = SummaryConfig()
    sources: Sources = Sources()  # type: ignore[valid-type]
    triage: TriageConfig = TriageConfig()
    templates: Templates = Templates()
    noreply_reasons: tuple[str, ...] = ("spam", "troll", "solved", "no_question", "duplicate")

    @field_validator("leads")
    @classmethod
    def _leads(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        for lead in v:
            if not re.match(r"^[UWS][A-Z0-9]{2,}$", lead):
                raise ValueError(f"{lead!r} is not a Slack user id (U…/W…) or user group id (S…)")
        return v

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, v: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(v)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"{v!r} is not a time zone like Europe/Berlin") from None
        return v

    @field_validator("closed")
    @classmethod
    def _closed(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        from datetime import date

        for i, day in enumerate(v):
            try:
                date.fromisoformat(str(day))
            except ValueError:
                raise ValueError(f"[{i}] {day!r} is not a date like 2026-12-24") from None
        return v

    @field_validator("targets", mode="before")
    @classmethod
    def _targets(cls, v: Any) -> dict[str, timedelta]:
        if not isinstance(v, dict):
            raise ValueError("must map a network to a duration, e.g. {twitter: 20m}")
        known = networks()
        out = {n.name: n.default_target for n in known.values()}
        for net, dur in v.items():
            if net not in known:
                raise ValueError(f"unknown network {net!r} ({', '.join(known)})")
            try:
                out[net] = parse_duration(dur)
            except ValueError as exc:
                raise ValueError(f"{net}: {exc}") from exc
        return out

    @field_validator("agents")
    @classmethod
    def _agents(cls, v: dict[str, str]) -> dict[str, str]:
        seen: dict[str, str] = {}
        for user, kuerzel in v.items():
            if not _KUERZEL.match(str(kuerzel)):
                raise ValueError(f"{user}: Kürzel {kuerzel!r} must be 2-4 letters")
            if kuerzel.upper() in seen:
                raise ValueError(f"{user}: Kürzel {kuerzel!r} is already used by {seen[kuerzel.upper()]}")
            seen[kuerzel.upper()] = user
        return v

    @field_validator("signature")
    @classmethod
    def _signature(cls, v: str) -> str:
        if "{kuerzel}" not in v:
            raise ValueError("must contain {kuerzel}, e.g. ' ^{kuerzel}'")
        return v

    @model_validator(mode="after")
    def _hours(self) -> DeskConfig:
        self.business_clock()  # raises ConfigError naming the field
        return self

    def business_clock(self) -> Any:
        """The `BusinessClock` these hours describe (validated)."""
        from bot.clock import BusinessClock, ClockConfigError

        try:
            if self.business_hours == "always":
                return BusinessClock.always()
            return BusinessClock.from_config(
                self.business_hours, timezone=self.timezone, closed=self.closed
            )
        except ClockConfigError as exc:
            raise ConfigError(exc.field, exc.reason) from exc

    def target_for(self, network: str) -> timedelta:
        """Response target of a network (unknown networks get the longest target)."""
        return self.targets.get(network, max(self.targets.values(), default=timedelta(minutes=40)))

    def source_options(self, config_key: str) -> Any:
        """A network's `sources.<config_key>` block (its own `PollOptions` subclass)."""
        return getattr(self.sources, config_key)


def _field_path(loc: tuple[int | str, ...]) -> str:
    return ".".join(str(p) for p in loc if not str(p).startswith("function-")) or "(top level)"


class _UniqueKeyLoader(yaml.SafeLoader):
    """A safe loader that refuses a key given twice (YAML would silently keep the last)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise ConfigError(str(key), f"is given twice (line {key_node.start_mark.line + 1})")
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def load_config(path: str | Path) -> DeskConfig:
    """Read and validate `desk.yaml`; raise `ConfigError` naming the first bad field."""
    p = Path(path)
    try:
        raw = yaml.load(p.read_text(encoding="utf-8-sig"), Loader=_UniqueKeyLoader)  # a SafeLoader
    except FileNotFoundError as exc:
        raise ConfigError(str(p), "file not found (set DESK_CONFIG or create it)") from exc
    except yaml.YAMLError as exc:
        raise ConfigError(str(p), f"not valid YAML: {exc}") from exc
    if not isinstance(raw, dict):
        raise ConfigError(str(p), "must be a YAML mapping")
    return config_from_dict(raw)


def config_from_dict(raw: dict[str, Any]) -> DeskConfig:
    """Validate an already-parsed configuration mapping."""
    try:
        return DeskConfig.model_validate(raw)
    except ValidationError as exc:
        err = exc.errors()[0]
        field = _field_path(err["loc"])
        msg = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            msg = "unknown field (check the spelling against the README's desk.yaml)"
        elif err["type"] == "missing":
            msg = "required field is missing"
        raise ConfigError(field, msg) from None

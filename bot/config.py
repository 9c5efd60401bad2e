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

from bot.durations import parse_days, parse_duration
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


class PraiseConfig(SummaryConfig):
    """Issue 14: the daily "Lob" digest of positive mentions (`praise: {channel, at}`)."""

    channel: str
    at: str = "17:00"


Sources: type[BaseModel] = create_model(  # `sources.<config_key>`: each network's options
    "Sources", __base__=_Strict,
    **{n.config_key: (n.options, n.options()) for n in networks().values()},  # type: ignore[call-overload]
)


class StormConfig(_Strict):
    """When many say the same thing: `min_mentions` open negative mentions of one channel within
    `window` open an incident (one card). `threshold`: similarity needed (null: the default)."""

    min_mentions: int = Field(default=5, ge=2)
    window: timedelta = timedelta(minutes=10)
    threshold: float | None = Field(default=None, gt=0, lt=1)

    _d = field_validator("window", mode="before")(lambda cls, v: parse_duration(v))


class TriageConfig(_Strict):
    negative_threshold: float | None = Field(default=None, gt=0, lt=1)
    customer_numbers: tuple[str, ...] = ()
    hotlines: tuple[str, ...] = ()
    brand: tuple[str, ...] = ("Telekom", "telekom_hilft")
    # issue 14: `weekly` retrains from the team's labels once a week (Monday night, one worker
    # under a lease); a retrain that would lower negative recall is refused as with `bot train`
    retrain: Literal["off", "weekly"] = "off"

    @field_validator("customer_numbers")
    @classmethod
    def _regexes(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        for pattern in v:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"{pattern!r} is not a valid regular expression: {exc}") from exc
        return v


TEMPLATE_PLACEHOLDERS = ("name", "handle", "network")
"""What a named template may fill in: the customer's display name (else the handle), the
handle, the network's label."""

_TEMPLATE_NAME = re.compile(r"^[^\W_][\w-]{0,39}$")
MAX_TEMPLATES = 100  # a Slack static_select holds 100 options
DESK_TEXTS = ("dm_invite_du", "dm_invite_sie", "dm_opening_du", "dm_opening_sie")


def template_fields(text: str) -> list[str]:
    """The placeholders `text` uses, in order; ValueError naming the first bad one."""
    import string

    try:
        parsed = list(string.Formatter().parse(text))
    except ValueError as exc:
        raise ValueError(f"broken braces ({exc}); write {{{{ and }}}} for a literal brace") from None
    allowed = ", ".join(f"{{{p}}}" for p in TEMPLATE_PLACEHOLDERS)
    fields = []
    for _, field, spec, conversion in parsed:
        if field is None:
            continue
        if field not in TEMPLATE_PLACEHOLDERS:
            raise ValueError(f"unknown placeholder {{{field}}} (use {allowed})")
        if spec or conversion:
            raise ValueError(f"placeholder {{{field}}} takes no format or conversion "
                             f"(write {{{field}}})")
        fields.append(field)
    return fields


class Template(_Strict):
    """A named template (Textbaustein): the same answer for a customer who writes du and
    for one who writes Sie. Placeholders: `TEMPLATE_PLACEHOLDERS`."""

    du: str
    sie: str

    @model_validator(mode="before")
    @classmethod
    def _both(cls, v: Any) -> Any:
        if not isinstance(v, dict):
            raise ValueError("a template needs both variants, e.g. {du: \"Hallo {name}, …\", "
                             "sie: \"Hallo {name}, …\"} (the desk's own texts are "
                             + ", ".join(DESK_TEXTS) + ")")
        return v

    @field_validator("du", "sie")
    @classmethod
    def _variant(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("is empty")
        template_fields(v)
        return v.strip()

    def variant(self, form: str) -> str:
        """The text for a customer who writes `form` (du | sie)."""
        return self.du if form == "du" else self.sie


class Templates(_Strict):
    """`templates:` in desk.yaml. The four fields are the desk's own public texts, per address
    form (du/sie); every other key is a named template (`Template`) for `/reply N :name`."""

    model_config = ConfigDict(extra="allow", frozen=True)
    __pydantic_extra__: dict[str, Template] = Field(init=False)

    dm_invite_du: str = "Schreib uns bitte eine Direktnachricht, dann schauen wir uns das an."
    dm_invite_sie: str = (
        "Bitte schreiben Sie uns eine Direktnachricht, dann schauen wir uns das gemeinsam an."
    )
    dm_opening_du: str = "Hallo, hier ist das Service-Team. Wie können wir dir helfen?"
    dm_opening_sie: str = "Guten Tag, hier ist das Service-Team. Wie können wir Ihnen helfen?"

    @model_validator(mode="after")
    def _names(self) -> Templates:
        seen: dict[str, str] = {}
        for name in self.named:
            if not _TEMPLATE_NAME.match(str(name)):
                raise ConfigError(f"templates.{name}", "a template name is up to 40 letters, "
                                  "digits, - or _, starting with a letter or digit (e.g. stoerung)")
            if name.casefold() in seen:
                raise ConfigError(f"templates.{name}",
                                  f"is the same name as templates.{seen[name.casefold()]}")
            seen[name.casefold()] = name
        if len(seen) > MAX_TEMPLATES:
            raise ConfigError("templates", f"at most {MAX_TEMPLATES} named templates "
                              f"(Slack's picker holds {MAX_TEMPLATES}), not {len(seen)}")
        return self

    @property
    def named(self) -> dict[str, Template]:
        """The named templates, in the order desk.yaml gives them."""
        return dict(self.__pydantic_extra__ or {})


class RetentionConfig(_Strict):
    """How long customer data is kept (DSGVO); unset: kept forever.

    `items`: after an item closed (its last activity), its customer data is anonymised (and
    mention-stream entries older than that are dropped). `audit`: audit entries older than
    this are trimmed.
    """

    items: timedelta | None = None
    audit: timedelta | None = None

    @field_validator("items", "audit", mode="before")
    @classmethod
    def _days(cls, v: Any) -> timedelta | None:
        return None if v is None else parse_days(v)

    @property
    def configured(self) -> bool:
        return self.items is not None or self.audit is not None


# ----- channel health (issue 13) ------------------------------------------------------------
class HealthConfig(_Strict):
    """`health:` thresholds of the channel-health watchdog (`bot.health`).

    `poll_failing`: alert when a network's polling has failed for this long. `webhook_silence`:
    alert when webhooks (Facebook) delivered nothing for this long in business hours while
    polling finds new comments.
    """

    poll_failing: timedelta = timedelta(minutes=10)
    webhook_silence: timedelta = timedelta(hours=2)

    @field_validator("poll_failing", "webhook_silence", mode="before")
    @classmethod
    def _duration(cls, v: Any) -> timedelta:
        return parse_duration(v)
# ----- the whole customer (issue 16) -------------------------------------------------------
class HistoryConfig(_Strict):
    """How far back a card looks for the same customer's earlier items (`days`, e.g. 90d)."""

    days: timedelta = timedelta(days=90)

    @field_validator("days", mode="before")
    @classmethod
    def _days(cls, v: Any) -> timedelta:
        if isinstance(v, int) and not isinstance(v, bool):
            v = f"{v}d"  # `days: 90` says days in its name
        return parse_days(v)


def parse_wait_max(v: Any) -> timedelta:
    """`3d` (business days) or a business-time duration such as `4h` or `90s`."""
    try:
        return parse_days(v)
    except ValueError:
        pass
    try:
        return parse_duration(v)
    except ValueError:
        raise ValueError(f"{v!r} is neither business days like 3d nor a duration like 4h") from None


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
    praise: PraiseConfig | None = None  # issue 14: daily digest of praise; None: none
    sources: Sources = Sources()  # type: ignore[valid-type]
    triage: TriageConfig = TriageConfig()
    templates: Templates = Templates()
    templates_default_address: Literal["du", "sie"] = "sie"  # for customers who write neither
    noreply_reasons: tuple[str, ...] = ("spam", "troll", "solved", "no_question", "duplicate")
    storm: StormConfig = StormConfig()
    retention: RetentionConfig = RetentionConfig()
    health: HealthConfig = HealthConfig()  # issue 13
    # the whole customer (issue 16): earlier contacts on the card; waiting for the customer
    history: HistoryConfig = HistoryConfig()
    wait_max: timedelta = timedelta(days=3)  # whole days count business days (`bot.clock`)

    _wait_max = field_validator("wait_max", mode="before")(
        lambda cls, v: parse_wait_max(v))

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

    @model_validator(mode="after")
    def _template_forms(self) -> DeskConfig:
        """A variant must not read as the other address form: a template reply is sent in the
        variant the customer's form chooses, without the du/Sie hold, so swapped variants would
        reach every customer in the wrong form."""
        if not self.templates.named:
            return self
        from bot.triage.address import detect_address

        blank = dict.fromkeys(TEMPLATE_PLACEHOLDERS, "")
        for name, tpl in self.templates.named.items():
            for form in ("du", "sie"):
                reads = detect_address(tpl.variant(form).format(**blank), self.triage.brand)
                if reads in ("du", "sie") and reads != form:
                    raise ConfigError(f"templates.{name}.{form}",
                                      f"reads as {reads}, not {form} (are du and sie swapped?)")
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

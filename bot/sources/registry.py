"""The networks the desk knows: every package in `bot/sources/` that declares `NETWORK`.

Adding a network is adding a package; nothing here names one.
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache
from types import MappingProxyType
from typing import TYPE_CHECKING

import bot.sources as _package
from bot.sources.base import Network

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = ["by_config_key", "label", "network", "networks"]


@cache
def _discover() -> Mapping[str, Network]:
    found: dict[str, Network] = {}
    for info in sorted(pkgutil.iter_modules(_package.__path__), key=lambda i: i.name):
        if not info.ispkg:
            continue
        spec = getattr(importlib.import_module(f"{_package.__name__}.{info.name}"), "NETWORK",
                       None)
        if isinstance(spec, Network):
            found[spec.name] = spec
    return MappingProxyType(found)


def networks() -> Mapping[str, Network]:
    """Every known network by its name (`twitter`, `facebook`, …), in a stable order."""
    return _discover()


def network(name: str) -> Network | None:
    """The network called `name`, or None."""
    return _discover().get(name)


def by_config_key(key: str) -> Network | None:
    """The network whose desk.yaml block is `sources.<key>`."""
    return next((n for n in _discover().values() if n.config_key == key), None)


def label(name: str) -> str:
    """How people see the network (`X`, `Facebook`); an unknown name as it is."""
    spec = network(name)
    return spec.label if spec else name

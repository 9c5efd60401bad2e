"""The packages' public surface is what `__all__` says, and it imports without side effects."""

from __future__ import annotations

import importlib

import pytest


@pytest.mark.parametrize("module", ["bot.triage", "bot.store", "handlers"])
def test_all_names_exist(module: str) -> None:
    mod = importlib.import_module(module)
    assert mod.__all__, f"{module} declares its public names"
    for name in mod.__all__:
        assert hasattr(mod, name), f"{module}.{name} is in __all__ but missing"


def test_importing_handlers_registers_nothing() -> None:
    """Listeners are attached only by `handlers.register(app, desk)`, never on import."""
    from slack_bolt import App

    importlib.import_module("handlers.commands")
    from slack_sdk import WebClient

    app = App(signing_secret="x", client=WebClient(token="xoxb-x"), token_verification_enabled=False)
    assert app._listeners == []

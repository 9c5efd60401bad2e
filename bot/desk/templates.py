"""Templates (Textbausteine): a named template's variant for one customer, filled in. Pure.

The variant follows the customer's address form (`Item.address`); a customer who writes
neither du nor Sie gets `templates_default_address`. `{name}` is the customer's display name,
falling back to the handle; it goes to the network as the customer wrote it (whoever shows the
text in Slack escapes it). Single replies and incidents both resolve templates here.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.config import DeskConfig, Template
from bot.models import Item
from bot.sources.registry import label


@dataclass(frozen=True)
class Filled:
    """A template filled in for one customer."""

    name: str  # as desk.yaml spells it
    form: str  # the variant used: du | sie
    text: str


def find(config: DeskConfig, name: str) -> tuple[str, Template] | None:
    """The template called `name` (case-insensitive, a leading ':' ignored), or None."""
    wanted = name.strip().removeprefix(":").casefold()
    return next(((n, t) for n, t in config.templates.named.items() if n.casefold() == wanted),
                None)


def names(config: DeskConfig) -> list[str]:
    """Every named template, in desk.yaml's order."""
    return list(config.templates.named)


def variant_for(address: str, default: str) -> str:
    """The variant a customer who writes `address` (du | sie | none) gets."""
    return address if address in ("du", "sie") else default


def customer_name(item: Item) -> str:
    """The customer's display name on one line, else their handle."""
    author = item.mention.author
    return " ".join(author.name.split()) or author.handle


def fill(config: DeskConfig, item: Item, name: str) -> Filled | None:
    """Template `name` in the variant for `item`'s customer, placeholders filled; None if
    there is no such template."""
    found = find(config, name)
    if found is None:
        return None
    canonical, template = found
    form = variant_for(item.address, config.templates_default_address)
    text = template.variant(form).format(
        name=customer_name(item), handle=item.mention.author.handle,
        network=label(item.mention.network))
    return Filled(canonical, form, text.strip())

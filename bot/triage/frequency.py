"""How common a word is in general German, as a weight: common words say little about an outage.

Every complaint says "geht nicht", "seit heute", "kein", "Fehler"; two storms about different
outages share those words and nothing else. IDF would fix that, but IDF fitted on the texts at
hand makes a big storm's own words cheap (the storm falls apart as it grows), so the weights come
from a fixed, general corpus instead: the word frequency list that textblob-de ships
(``de-frequency.txt`` from the pattern library, BSD licence, about 12,500 words with relative
frequencies, "und" = 1.0), read once from the installed package and not copied into this repo.

``weight(word) = -ln(frequency)``: "und" 0, "nicht" 1.1, "geht" 4.1, "Rechnung" 6.2; a word the
list does not know (most product words, "Router", "MagentaTV", typos) gets the weight of the
rarest listed word, 9.2. City names are common in the newspaper-like source ("Hamburg" 0.02) but
are exactly what separates two outages, so ``bot.triage.similarity`` gives them the maximum too.
"""

from __future__ import annotations

import importlib.util
import math
from functools import lru_cache
from pathlib import Path

from bot.triage.text import fold

_RELATIVE_PATH = ("ext", "_pattern", "text", "de", "de-frequency.txt")


def frequency_file() -> Path:
    """Where the installed textblob-de keeps its word frequency list (the package is not imported)."""
    spec = importlib.util.find_spec("textblob_de")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("textblob-de is not installed (requirements.txt pins it)")
    return Path(next(iter(spec.submodule_search_locations)), *_RELATIVE_PATH)


@lru_cache(maxsize=1)
def word_weights() -> tuple[dict[str, float], float]:
    """Folded word -> ``-ln(relative frequency)``, and the weight for words not in the list."""
    frequencies: dict[str, float] = {}
    with frequency_file().open(encoding="utf-8") as fh:
        for line in fh:
            parts = line.split()
            if len(parts) == 2:
                word = fold(parts[0])
                frequencies[word] = max(frequencies.get(word, 0.0), float(parts[1]))
    rarest = min(frequencies.values())
    weights = {w: -math.log(min(f, 1.0)) for w, f in frequencies.items()}
    return weights, -math.log(rarest)

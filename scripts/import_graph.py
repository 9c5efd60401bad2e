"""Print the import graph's size, its cycles and its imports against the layers.

    .venv/bin/python scripts/import_graph.py [PATH]   # PATH: a checkout (default: this one)

Cycles are strongly connected groups of modules, counted twice: over runtime imports
(function-level included) and over every import (`if TYPE_CHECKING:` ones too). Imports
against the layers are direct imports that break the rules `make lint` enforces
(pyproject.toml, [tool.importlinter]).
"""

from __future__ import annotations

import sys
from pathlib import Path

import grimp

RULES = [  # (importer prefix, imported prefixes it must not import)
    (("bot.triage", "bot.clock"), ("bot.slack", "bot.desk", "bot.store", "handlers")),
    (("bot.store",), ("bot.slack", "bot.desk", "handlers")),
    (("handlers",), ("bot.store", "bot.sources", "redis")),
    (("bot.desk",), ("bot.slack", "handlers")),
]


def _within(module: str, prefixes: tuple[str, ...]) -> bool:
    return any(module == p or module.startswith(p + ".") for p in prefixes)


def cycles(graph: grimp.ImportGraph, modules: set[str]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []
    counter = 0
    for root in sorted(modules):
        if root in index:
            continue
        work = [(root, iter(sorted(graph.find_modules_directly_imported_by(root) & modules)))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on.add(root)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on.add(child)
                    work.append((child, iter(sorted(
                        graph.find_modules_directly_imported_by(child) & modules))))
                    break
                if child in on:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    group = []
                    while True:
                        m = stack.pop()
                        on.discard(m)
                        group.append(m)
                        if m == node:
                            break
                    if len(group) > 1:
                        out.append(sorted(group))
    return out


def main(path: str = ".") -> None:
    sys.path.insert(0, str(Path(path).resolve()))
    for typed in (False, True):
        report(grimp.build_graph("bot", "handlers", include_external_packages=True,
                                 exclude_type_checking_imports=not typed, cache_dir=None),
               "every import" if typed else "runtime imports")


def report(graph: grimp.ImportGraph, title: str) -> None:
    ours = {m for m in graph.modules if _within(m, ("bot", "handlers"))}
    edges = sum(len(graph.find_modules_directly_imported_by(m) & ours) for m in ours)
    found = cycles(graph, ours)
    against = sorted(
        f"{a} -> {b}" for a in ours for b in graph.find_modules_directly_imported_by(a)
        for src, bad in RULES if _within(a, src) and _within(b, bad))
    print(f"{title}: modules {len(ours)} · imports between them {edges} · cycles {len(found)} · "
          f"imports against the layers {len(against)}")
    for group in found:
        print("  cycle:", " ↔ ".join(group))
    for line in against:
        print("  against the layers:", line)


if __name__ == "__main__":
    main(*sys.argv[1:])

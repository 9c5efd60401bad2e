"""Reading `GET /metrics` the way Prometheus does (prometheus_client's own text parser)."""

from __future__ import annotations

from collections.abc import Mapping

from prometheus_client.parser import text_string_to_metric_families

Sample = tuple[str, tuple[tuple[str, str], ...]]


def parse(text: str) -> dict[Sample, float]:
    """Every sample of an exposition: (sample name, sorted labels) -> value."""
    out: dict[Sample, float] = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            out[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return out


def value(samples: Mapping[Sample, float], name: str, **labels: str) -> float:
    """One sample's value (0 when absent: a counter not incremented yet)."""
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def total(samples: Mapping[Sample, float], name: str, **labels: str) -> float:
    """The sum of `name` over every sample whose labels include `labels`."""
    return sum(v for (n, ls), v in samples.items()
               if n == name and set(labels.items()) <= set(ls))


def delta(after: Mapping[Sample, float], before: Mapping[Sample, float], name: str,
          **labels: str) -> float:
    """How much the samples of `name` (matching `labels`) moved between two scrapes."""
    return total(after, name, **labels) - total(before, name, **labels)

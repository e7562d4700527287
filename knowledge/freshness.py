"""Which records name bodies or levels that no longer exist (``knowledge/freshness.yaml``).

A record is flagged when its citizen-facing text names one: the answer then says the record
may predate the 2025 reform and where to check (:mod:`indexer.answer_composer`), the staff
page shows the flag, and ``tthc kb report`` counts the flagged records per rule.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from knowledge.per_record import PerRecord
from knowledge.schema import Procedure, StaleRule


def citizen_text(p: Procedure) -> str:
    """What the bot and the staff page show of a record, lower case, NFC (legal-basis titles
    are left out: a law's title naming a district is history, not an instruction)."""
    parts = [
        p.title,
        p.agency,
        p.competent_authority,
        p.coordinating_agency,
        p.address,
        *p.steps,
        *(d.name for d in p.documents),
        p.conditions,
        p.result,
    ]
    return unicodedata.normalize("NFC", "\n".join(parts)).lower()


@dataclass(frozen=True)
class FreshnessCheck:
    """The rules, compiled.

    :param rules: the maintained list (``knowledge.store.load_stale_rules()``).
    """

    rules: tuple[StaleRule, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "_compiled", [(r, [re.compile(x) for x in r.patterns]) for r in self.rules])
        object.__setattr__(self, "_matched", PerRecord(self._match))

    def stale(self, p: Procedure) -> list[StaleRule]:
        """The rules ``p`` matches, in the file's order (a new list: the caller may keep it)."""
        return list(self._matched(p))  # type: ignore[attr-defined]

    def _match(self, p: Procedure) -> tuple[StaleRule, ...]:
        text = citizen_text(p)
        return tuple(rule for rule, patterns in self._compiled if any(x.search(text) for x in patterns))  # type: ignore[attr-defined]


def check(rules: Sequence[StaleRule]) -> FreshnessCheck:
    return FreshnessCheck(tuple(rules))


@cache
def default_check() -> FreshnessCheck:
    """The check over the knowledge base's rules (loaded once per process)."""
    from knowledge.store import load_stale_rules

    return check(load_stale_rules())

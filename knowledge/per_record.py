"""Values computed from a loaded record, kept per record object.

A record does not change once an index or knowledge base is loaded, and some views of it are
asked by every answer and follow-up (its dossier, its freshness flags), each costing more than
the search that found it (profile of the actions). A new load makes new record objects, so a
rebuilt record is computed afresh.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

R = TypeVar("R")
V = TypeVar("V")


class PerRecord(Generic[R, V]):
    """``compute(record)``, computed once per record object.

    :param compute: a pure function of the record; its value is shared, so callers must not
        change it.
    :param keep: how many records' values are kept (all of them are dropped when it is reached:
        that happens only after several index builds in one process).
    """

    def __init__(self, compute: Callable[[R], V], keep: int = 8192) -> None:
        if keep < 1:
            raise ValueError("keep must be at least 1")
        self.compute = compute
        self.keep = keep
        self._values: dict[int, tuple[R, V]] = {}
        self._lock = threading.Lock()

    def __call__(self, record: R) -> V:
        kept = self._values.get(id(record))
        if kept is not None and kept[0] is record:  # the same object, not a new one at a freed id
            return kept[1]
        value = self.compute(record)
        with self._lock:
            if len(self._values) >= self.keep:
                self._values.clear()
            self._values[id(record)] = (record, value)
        return value

"""knowledge/per_record.py: a value per loaded record, computed once per record object."""

from __future__ import annotations

import pytest

from knowledge.per_record import PerRecord
from knowledge.schema import Procedure
from knowledge.store import load_procedures


@pytest.fixture(scope="module")
def records() -> list[Procedure]:
    return load_procedures()[:3]


def test_a_record_is_computed_once_and_a_copy_afresh(records) -> None:
    calls: list[str] = []

    def title_words(p: Procedure) -> int:
        calls.append(p.code)
        return len(p.title.split())

    per = PerRecord(title_words)
    first = records[0]
    assert per(first) == per(first) == len(first.title.split())
    changed = first.model_copy(update={"title": first.title + " sửa đổi"})
    assert per(changed) == len(first.title.split()) + 2  # a new object: its own value
    assert calls == [first.code, first.code]


def test_it_keeps_at_most_keep_records(records) -> None:
    calls: list[str] = []
    per = PerRecord(lambda p: calls.append(p.code) or p.code, keep=2)
    for p in records:  # the third one drops the two kept
        per(p)
    per(records[2])
    per(records[0])
    assert calls == [p.code for p in records] + [records[0].code]
    with pytest.raises(ValueError):
        PerRecord(len, keep=0)

"""Freshness rules (knowledge/freshness.yaml): every record naming a body or level that no
longer exists is flagged, and only those; the rules are valid and cite why."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

import pytest
from pydantic import ValidationError

from knowledge.freshness import check, citizen_text, default_check
from knowledge.schema import LegalBasis, StaleRule
from knowledge.store import load_procedures, load_stale_rules

RULES = load_stale_rules()


def test_rules_are_valid_and_cite_a_legal_basis() -> None:
    assert {r.id for r in RULES} >= {"cap-huyen", "thi-tran", "cong-an-huyen"}
    for rule in RULES:
        assert rule.legal_basis and rule.since <= dt.date(2025, 7, 1)
    with pytest.raises(ValidationError):
        StaleRule(
            id="x", label="x", patterns=["(unclosed"], since="2025-07-01", legal_basis="Luật số …", advice="…"
        )


def test_every_record_naming_an_abolished_body_is_flagged_and_only_those() -> None:
    """Checked against an independent reading: the rules' words searched in each field."""
    words = {"cap-huyen": "cấp huyện", "thi-tran": "thị trấn", "cong-an-huyen": "công an huyện"}
    flagged = 0
    for p in load_procedures():
        got = {r.id for r in default_check().stale(p)}
        text = citizen_text(p)
        for rule_id, word in words.items():
            if word in text:
                assert rule_id in got, (p.code, word)
        for rule in RULES:
            assert (rule.id in got) == any(re.search(x, text) for x in rule.patterns)
        flagged += bool(got)
    assert flagged >= 100


def test_a_legal_basis_title_naming_a_district_is_not_a_flag() -> None:
    p = next(p for p in load_procedures() if not default_check().stale(p))
    law = LegalBasis(number="1/2020/QĐ-UBND", title="Quyết định của Ủy ban nhân dân cấp huyện A")
    assert not default_check().stale(p.model_copy(update={"legal_bases": [law]}))
    assert default_check().stale(p.model_copy(update={"steps": ["Nộp tại Ủy ban nhân dân cấp huyện"]}))


def test_both_unicode_forms_match() -> None:
    rule = next(r for r in RULES if r.id == "thi-tran")
    p = next(p for p in load_procedures() if not default_check().stale(p))
    decomposed = unicodedata.normalize("NFD", "Ủy ban nhân dân xã, phường, thị trấn")
    assert check([rule]).stale(p.model_copy(update={"agency": decomposed})) == [rule]

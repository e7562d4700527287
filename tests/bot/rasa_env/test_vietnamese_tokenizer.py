"""The underthesea tokenizer component, in the Rasa (Python 3.10) environment."""

from __future__ import annotations

import unicodedata

import pytest

pytest.importorskip("rasa")

from rasa.nlu.constants import TOKENS_NAMES
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.rasa_env.components.vietnamese_tokenizer import VietnameseTokenizer, restored_text


@pytest.fixture(scope="module")
def tokenizer() -> VietnameseTokenizer:
    return VietnameseTokenizer(VietnameseTokenizer.get_default_config())


def tokens(tokenizer: VietnameseTokenizer, text: str):
    message = Message(data={TEXT: text})
    tokenizer.process([message])
    return message.get(TOKENS_NAMES[TEXT])


def test_multi_syllable_words_are_one_token(tokenizer) -> None:
    toks = tokens(tokenizer, "Đăng ký khai sinh cần giấy tờ gì?")
    assert [t.text for t in toks][:2] == ["Đăng ký", "khai sinh"]
    assert "giấy tờ" in [t.text for t in toks]


def test_offsets_point_into_the_original_text(tokenizer) -> None:
    text = "  Làm lại  CCCD bị mất ở đâu?  "
    for tok in tokens(tokenizer, text):
        assert text[tok.start : tok.end] == tok.text


def test_unaccented_text_gets_the_same_lemmas_as_accented(tokenizer) -> None:
    accented = [t.lemma for t in tokens(tokenizer, "đăng ký khai sinh cần giấy tờ gì")]
    plain = [t.lemma for t in tokens(tokenizer, "dang ky khai sinh can giay to gi")]
    assert plain == accented
    assert "dang_ky" in accented and "khai_sinh" in accented


def test_abbreviations_expand_in_lemmas(tokenizer) -> None:
    lemmas = [t.lemma for t in tokens(tokenizer, "làm lại cccd")]
    assert any("can_cuoc" in lemma for lemma in lemmas)
    assert "dang_ky" in [t.lemma for t in tokens(tokenizer, "đk khai sinh")]


def test_codes_stay_whole(tokenizer) -> None:
    texts = [t.text for t in tokens(tokenizer, "thủ tục 1.001193 theo 45/2016/QĐ-TTg")]
    assert "1.001193" in texts and "45/2016/QĐ-TTg" in texts


def test_decomposed_unicode_input_keeps_offsets(tokenizer) -> None:
    text = unicodedata.normalize("NFD", "Đăng ký tạm trú")
    toks = tokens(tokenizer, text)
    assert [t.lemma for t in toks] == ["dang_ky", "tam_tru"]
    for tok in toks:
        assert text[tok.start : tok.end] == tok.text


def test_empty_and_punctuation_only_messages(tokenizer) -> None:
    assert tokens(tokenizer, "") == [] or tokens(tokenizer, "") is None
    assert len(tokens(tokenizer, "???")) == 1


def test_restored_text_puts_back_tone_marks_and_expands_abbreviations(tokenizer) -> None:
    toks = tokens(tokenizer, "lam lai cccd bi mat")
    assert restored_text(toks) == "làm lại căn cước công dân bị mất"
    assert restored_text(tokens(tokenizer, "Làm lại CCCD bị mất")) == "Làm lại căn cước công dân bị mất"

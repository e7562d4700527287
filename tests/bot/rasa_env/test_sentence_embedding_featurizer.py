"""The sentence-embedding featurizer, in the Rasa (Python 3.10) environment, with the real
int8 e5 encoder written by `tthc model prepare` (make setup)."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("rasa")

from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.rasa_env.components.sentence_embedding_featurizer import SentenceEmbeddingFeaturizer
from bot.rasa_env.components.vietnamese_tokenizer import VietnameseTokenizer


@pytest.fixture(scope="module")
def featurize():
    tokenizer = VietnameseTokenizer(VietnameseTokenizer.get_default_config())
    featurizer = SentenceEmbeddingFeaturizer(SentenceEmbeddingFeaturizer.get_default_config(), "e5")

    def run(text: str) -> Message:
        message = Message(data={TEXT: text})
        tokenizer.process([message])
        featurizer.process([message])
        return message

    return run


def sentence_vector(message: Message) -> np.ndarray:
    (feature,) = message.features
    assert feature.type == FEATURE_TYPE_SENTENCE and feature.attribute == TEXT
    return feature.features[0]


def test_a_message_gets_one_normalised_384_dim_sentence_feature(featurize) -> None:
    vector = sentence_vector(featurize("Làm lại căn cước công dân bị mất cần gì?"))
    assert vector.shape == (384,)
    assert abs(float(np.linalg.norm(vector)) - 1.0) < 1e-3


def test_text_without_tone_marks_embeds_like_accented_text(featurize) -> None:
    accented = sentence_vector(featurize("làm lại căn cước công dân bị mất"))
    typed = sentence_vector(featurize("lam lai cccd bi mat"))
    assert float(accented @ typed) > 0.99  # restored and expanded before encoding


def test_meaning_not_only_words(featurize) -> None:
    fee = sentence_vector(featurize("cấp lại hộ chiếu bao nhiêu tiền"))
    other_fee = sentence_vector(featurize("lệ phí làm lại giấy khai sinh là bao nhiêu"))
    food = sentence_vector(featurize("một tô phở bao nhiêu tiền"))
    assert float(fee @ other_fee) > float(fee @ food)


def test_messages_without_text_get_no_feature(featurize) -> None:
    tokenizer = VietnameseTokenizer(VietnameseTokenizer.get_default_config())
    featurizer = SentenceEmbeddingFeaturizer(SentenceEmbeddingFeaturizer.get_default_config(), "e5")
    data = TrainingData([Message(data={TEXT: ""}), Message(data={"intent": "greet"})])
    tokenizer.process_training_data(data)
    featurizer.process_training_data(data)
    assert all(not m.features for m in data.training_examples)


def test_a_repeated_message_gets_the_same_feature_in_its_own_array(featurize) -> None:
    first = sentence_vector(featurize("thế còn lệ phí?"))
    again = sentence_vector(featurize("thế còn lệ phí?"))
    assert np.array_equal(first, again)
    again[0] = 9.0  # one message's features are its own: the cached embedding is unchanged
    assert sentence_vector(featurize("thế còn lệ phí?"))[0] == first[0]

"""The intent classifier, in the Rasa (Python 3.10) environment: trained in-process on a
small set with the real tokenizer, e5 featurizer and count vectors, saved to a Rasa model
storage and loaded back."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("rasa")

from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import CountVectorsFeaturizer
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.rasa_env.components.linear_intent_classifier import LinearIntentClassifier
from bot.rasa_env.components.sentence_embedding_featurizer import SentenceEmbeddingFeaturizer
from bot.rasa_env.components.vietnamese_tokenizer import VietnameseTokenizer

EXAMPLES = {
    "ask_procedure": [
        "làm lại căn cước công dân bị mất cần gì",
        "đăng ký khai sinh cho con ở đâu",
        "cấp đổi giấy phép lái xe mất bao lâu",
        "thủ tục đăng ký tạm trú",
        "lệ phí cấp hộ chiếu bao nhiêu",
        "sang tên sổ đỏ cần giấy tờ gì",
    ],
    "out_of_scope": [
        "hôm nay trời có mưa không",
        "quán cà phê nào ngon gần đây",
        "kể chuyện cười đi",
        "giá vàng hôm nay bao nhiêu",
        "đội nào vô địch world cup",
        "cách nấu phở bò",
    ],
    "greet": ["xin chào", "chào bạn", "chào ad", "hello", "chào buổi sáng", "alo"],
}


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory):
    storage = LocalModelStorage(tmp_path_factory.mktemp("storage"))
    context = ExecutionContext(GraphSchema({}), "test")
    tokenizer = VietnameseTokenizer(VietnameseTokenizer.get_default_config())
    embedder = SentenceEmbeddingFeaturizer(SentenceEmbeddingFeaturizer.get_default_config(), "e5")
    counts = CountVectorsFeaturizer.create(
        CountVectorsFeaturizer.get_default_config(), storage, Resource("counts"), context
    )
    data = TrainingData(
        [Message(data={TEXT: text, INTENT: intent}) for intent, texts in EXAMPLES.items() for text in texts]
    )
    tokenizer.process_training_data(data)
    embedder.process_training_data(data)
    counts.train(data)
    counts.process_training_data(data)
    resource = Resource("intent")
    LinearIntentClassifier.create({}, storage, resource, context).train(data)
    classifier = LinearIntentClassifier.load({}, storage, resource, context)

    def classify(text: str) -> Message:
        message = Message(data={TEXT: text})
        for component in (tokenizer, embedder, counts, classifier):
            component.process([message])
        return message

    classify.classifier = classifier
    return classify


def test_saved_classifier_reads_new_messages(pipeline) -> None:
    assert pipeline("thủ tục cấp lại giấy khai sinh").get(INTENT)["name"] == "ask_procedure"
    assert pipeline("chao ban nhe").get(INTENT)["name"] == "greet"
    # no word in common with the out-of-scope examples: the embedding carries it
    assert pipeline("tối nay xem phim gì hay").get(INTENT)["name"] == "out_of_scope"


def test_ranking_is_a_probability_distribution(pipeline) -> None:
    message = pipeline("lam lai cccd mat bao lau")
    ranking = message.get("intent_ranking")
    assert ranking[0]["name"] == message.get(INTENT)["name"] == "ask_procedure"
    assert abs(sum(r["confidence"] for r in ranking) - 1.0) < 1e-6
    assert ranking == sorted(ranking, key=lambda r: -r["confidence"])


@pytest.mark.parametrize(
    "text", ["lam lai cccd mat bao lau", "xin chào bạn nhé", "giá vàng hôm nay", "thủ tục 7 ngày"]
)
def test_the_per_message_scorer_gives_scikit_learns_probabilities(pipeline, text: str) -> None:
    import numpy as np

    classifier = pipeline.classifier
    assert classifier._scorer is not None  # the trained model is multinomial: the fast path runs
    message = pipeline(text)
    expected = classifier._model["clf"].predict_proba(classifier._matrix([message]))[0]
    np.testing.assert_allclose(classifier._scorer.probabilities(message), expected, rtol=1e-6, atol=1e-9)


def test_a_message_without_text_gets_no_intent(pipeline) -> None:
    assert pipeline("").get(INTENT) == {"name": None, "confidence": 0.0}


@pytest.mark.parametrize("mash", ["qwertyuiop zxcvbnm asdfgh", "hdhdhd", "xyz"])
def test_a_message_without_any_known_word_gets_no_intent(pipeline, mash: str) -> None:
    # the FallbackClassifier turns confidence 0 into nlu_fallback: retrieval says it does not know
    message = pipeline(mash)
    assert message.get(INTENT) == {"name": None, "confidence": 0.0}
    assert message.get("intent_ranking") == []


def test_a_tampered_model_file_is_refused(tmp_path: Path) -> None:
    import skops.io as sio

    storage = LocalModelStorage(tmp_path)
    resource = Resource("intent")
    with storage.write_to(resource) as directory:
        sio.dump({"clf": Path("/etc/passwd")}, directory / "linear_intent_classifier.skops")
    with pytest.raises(RuntimeError, match="retrain"):
        LinearIntentClassifier.load({}, storage, resource, ExecutionContext(GraphSchema({}), "test"))

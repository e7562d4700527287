"""Sentence embedding of a message as a dense feature for the intent classifier.

Word and character n-grams tell the intent classifier which words a message uses, not
what it is about: "một tô phở bao nhiêu tiền" shares "bao nhiêu tiền" with a fee question, and
"chế độ ăn keto là gì" looks like any "… là gì" about a procedure. The e5 model the
search already runs (the int8 query encoder, :mod:`common.query_encoder`) places
messages by meaning, which separates small talk from procedure questions.

The encoder reads the message as the tokenizer restored it (tone marks put back,
abbreviations expanded, :func:`restored_text`): e5 embeds "lam lai cccd" far from
"làm lại căn cước công dân", the restored form close to it.

Cost: one encode per new message (its share of a turn: bench/bench_chat_turn.py); a message
read before ("xin chào", "lệ phí?") is looked up.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.featurizers.dense_featurizer.dense_featurizer import DenseFeaturizer
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, TEXT
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.rasa_env.components.vietnamese_tokenizer import VietnameseTokenizer, restored_text
from bot.rasa_env.settings import get_rasa_settings


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False)
class SentenceEmbeddingFeaturizer(DenseFeaturizer, GraphComponent):
    """Adds the e5 embedding of the restored message as a sentence-level feature."""

    @classmethod
    def required_components(cls) -> list[type]:
        return [VietnameseTokenizer]

    @staticmethod
    def required_packages() -> list[str]:
        return ["onnxruntime"]

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        # model_dir: None = TTHC_MODEL_DIR or var/models/multilingual-e5-small
        return {**DenseFeaturizer.get_default_config(), "model_dir": None}

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> SentenceEmbeddingFeaturizer:
        return cls(config, execution_context.node_name)

    @classmethod
    def validate_config(cls, config: dict[str, Any]) -> None:
        pass

    def __init__(self, config: dict[str, Any], name: str) -> None:
        super().__init__(name, config)
        from common.query_encoder import CachedQueryEncoder, OnnxQueryEncoder

        model_dir = Path(self._config["model_dir"] or get_rasa_settings().embedding_model_dir)
        # FileNotFoundError says to run `tthc model prepare` (make model)
        self._encoder = CachedQueryEncoder(OnnxQueryEncoder(model_dir))

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            tokens = message.get(TOKENS_NAMES[TEXT])
            if not tokens:  # button payloads ("/ask_detail{…}") carry no text
                continue
            vector = self._encoder(restored_text(tokens))  # the cache's own array: copied below
            message.add_features(
                Features(
                    np.array(vector, dtype=np.float32).reshape(1, -1),
                    FEATURE_TYPE_SENTENCE,
                    TEXT,
                    self._identifier,
                )
            )
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self.process(training_data.training_examples)
        return training_data

"""Intent classifier: logistic regression over tf-idf-weighted n-grams and the message's
sentence embedding.

Why not DIET: on this data (short messages, a dozen intents) adding the e5 sentence embedding
(:mod:`bot.rasa_env.components.sentence_embedding_featurizer`) to DIET over word and character
n-grams made it *worse*: its sparse-to-dense layers drown 384 small dense values. A linear model over the same
n-grams, weighted tf-idf and L2-normalised per featurizer, with the embedding scaled
to a comparable norm, separates small talk from procedure questions by meaning and
keeps the word-level distinctions (follow-up vs new question). Cross-validation
figures of both: bot/results/SUMMARY.md (``make nlu-report``). Predicting is a sparse dot
product, where DIET makes a TensorFlow call per message.

Rasa's own LogisticRegressionClassifier takes raw counts with a fixed C=1; here the
count vectors of each featurizer get sub-linear tf-idf (fitted on the training data).

A message none of whose syllables occurs in the training examples ("qwertyuiop", "hdhdhd")
gets no intent (confidence 0): the character n-grams and the embedding of a keyboard
mash would otherwise still pick some intent (greet, abuse) with confidence 0.5. The
FallbackClassifier then hands it to retrieval, which says it does not know and offers
a person.
"""

from __future__ import annotations

import logging
from itertools import pairwise
from typing import Any

import numpy as np
import scipy.sparse
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.featurizers.featurizer import Featurizer
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from sklearn.feature_extraction.text import TfidfTransformer
from sklearn.linear_model import LogisticRegression

logger = logging.getLogger(__name__)

MODEL_FILE = "linear_intent_classifier.skops"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class LinearIntentClassifier(GraphComponent, IntentClassifier):
    """Logistic regression on per-featurizer tf-idf n-grams + scaled dense sentence features."""

    @classmethod
    def required_components(cls) -> list[type]:
        return [Featurizer]

    @staticmethod
    def required_packages() -> list[str]:
        return ["sklearn", "skops"]

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            # inverse regularisation strength of the logistic regression
            "C": 10.0,
            # the dense (unit-norm) sentence embedding is multiplied by this before it
            # joins the unit-norm n-gram blocks: 3 weighs meaning against wording best
            # in cross-validation (1 → under-used, 10 → word distinctions lost)
            "dense_scale": 3.0,
            "max_iter": 3000,
            "ranking_length": 10,
        }

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        model: dict[str, Any] | None = None,
    ) -> None:
        self.config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self._use(model)

    def _use(self, model: dict[str, Any] | None) -> None:
        # {"origins": [featurizer names of the sparse blocks], "tfidf": [one per block],
        #  "clf": LogisticRegression, "words": [every syllable of the training examples]}
        self._model = model
        # looked up for every message: built once per model, not per call
        self._known = frozenset((model or {}).get("words") or ())
        self._scorer = _LinearScorer.of(model, self.config["dense_scale"])

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> LinearIntentClassifier:
        return cls(config, model_storage, resource)

    # ------------------------------------------------------------------ features
    @staticmethod
    def _sparse_origins(messages: list[Message]) -> list[str]:
        return sorted(
            {
                f.origin
                for m in messages
                for f in m.features
                if f.attribute == TEXT and f.type == FEATURE_TYPE_SENTENCE and f.is_sparse()
            }
        )

    def _blocks(self, messages: list[Message], origins: list[str]) -> list[scipy.sparse.csr_matrix]:
        """One (messages × vocabulary) count matrix per sparse featurizer."""
        blocks = []
        for origin in origins:
            rows, width = [], None
            for message in messages:
                _, sentence = message.get_sparse_features(TEXT, featurizers=[origin])
                rows.append(None if sentence is None else sentence.features)
                if sentence is not None:
                    width = sentence.features.shape[1]
            width = width or 1
            rows = [r if r is not None else scipy.sparse.csr_matrix((1, width)) for r in rows]
            blocks.append(scipy.sparse.vstack(rows).tocsr())
        return blocks

    def _dense(self, messages: list[Message]) -> scipy.sparse.csr_matrix | None:
        rows = [message.get_dense_features(TEXT)[1] for message in messages]
        present = [r for r in rows if r is not None]
        if not present:
            return None
        width = present[0].features.shape[1]
        dense = np.vstack([r.features if r is not None else np.zeros((1, width)) for r in rows])
        return scipy.sparse.csr_matrix(dense * self.config["dense_scale"])

    def _matrix(self, messages: list[Message]) -> scipy.sparse.csr_matrix:
        assert self._model is not None
        blocks = [
            tfidf.transform(block)
            for tfidf, block in zip(
                self._model["tfidf"], self._blocks(messages, self._model["origins"]), strict=True
            )
        ]
        dense = self._dense(messages)
        return scipy.sparse.hstack([*blocks, *([dense] if dense is not None else [])]).tocsr()

    # ------------------------------------------------------------------ training
    def train(self, training_data: TrainingData) -> Resource:
        examples = [e for e in training_data.intent_examples if e.get(INTENT) and e.get(TEXT)]
        if not examples:
            logger.debug("No intent examples: the intent classifier is not trained.")
            return self._resource
        origins = self._sparse_origins(examples)
        tfidf = [TfidfTransformer(sublinear_tf=True).fit(b) for b in self._blocks(examples, origins)]
        self._use({"origins": origins, "tfidf": tfidf, "clf": None, "words": sorted(_words(examples))})
        clf = LogisticRegression(
            C=self.config["C"], max_iter=self.config["max_iter"], class_weight="balanced"
        )
        clf.fit(self._matrix(examples), [e.get(INTENT) for e in examples])
        self._use({**self._model, "clf": clf})
        self.persist()
        return self._resource

    def persist(self) -> None:
        import skops.io as sio

        with self._model_storage.write_to(self._resource) as directory:
            sio.dump(self._model, directory / MODEL_FILE)

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> LinearIntentClassifier:
        import skops.io as sio

        try:
            with model_storage.read_from(resource) as directory:
                path = directory / MODEL_FILE
                types = sio.get_untrusted_types(file=path)
                # scikit-learn, scipy and numpy objects only: refuse anything else in the file
                unexpected = [t for t in types if not t.startswith(("sklearn.", "scipy.", "numpy."))]
                if unexpected:
                    raise RuntimeError(
                        f"{path} holds unexpected types {unexpected}: retrain the model (make rasa-model)."
                    )
                model = sio.load(path, trusted=types)
        except ValueError:  # nothing persisted: trained without intent examples
            logger.debug("No trained intent classifier in the model: messages get no intent.")
            model = None
        return cls(config, model_storage, resource, model)

    # ------------------------------------------------------------------ prediction
    def process(self, messages: list[Message]) -> list[Message]:
        model = self._model or {}
        # no text, no model or no known word (numbers count as known: "7" picks a choice):
        # no intent, as DIET gives a message without text
        texts = [
            m for m in messages if m.get(TEXT) and any(w in self._known or w.isdigit() for w in _words([m]))
        ]
        for message in messages:
            message.set(INTENT, {"name": None, "confidence": 0.0}, add_to_output=True)
            message.set("intent_ranking", [], add_to_output=True)
        if not texts or model.get("clf") is None:
            return messages
        clf = model["clf"]
        if self._scorer is not None:
            probabilities = np.vstack([self._scorer.probabilities(m) for m in texts])
        else:
            probabilities = clf.predict_proba(self._matrix(texts))
        for message, row in zip(texts, probabilities, strict=True):
            order = np.argsort(-row)
            ranking = [{"name": str(clf.classes_[i]), "confidence": float(row[i])} for i in order]
            message.set(INTENT, ranking[0], add_to_output=True)
            message.set("intent_ranking", ranking[: self.config["ranking_length"]], add_to_output=True)
        return messages


class _LinearScorer:
    """The fitted tf-idf blocks and logistic regression as plain arrays, to classify one
    message at a time. scikit-learn's ``transform`` and ``predict_proba`` check their inputs and
    build sparse matrices on every call, which was most of the classifier's time per message
    (py-spy on a Rasa server); the arithmetic is theirs: sub-linear tf × idf, L2 norm per block,
    the dense block scaled, then the multinomial softmax (tests compare both).

    :param idf: each sparse block's idf vector, in the model's block order.
    :param coef: the regression's coefficients (classes × features, the blocks then the dense part).
    :param intercept: its intercepts (classes).
    :param origins: the featurizer name of each sparse block.
    :param dense_scale: the factor the dense sentence features get.
    """

    def __init__(
        self,
        idf: list[np.ndarray],
        coef: np.ndarray,
        intercept: np.ndarray,
        origins: list[str],
        dense_scale: float,
    ) -> None:
        if len(idf) != len(origins):
            raise ValueError("one idf vector per sparse block")
        self.origins = origins
        self.idf = idf
        starts = np.cumsum([0, *(len(v) for v in idf)])
        # features × classes, so that a message's few non-zero columns are a row slice
        self.weights = [np.ascontiguousarray(coef[:, a:b].T) for a, b in pairwise(starts)]
        self.dense_weights = np.ascontiguousarray(coef[:, starts[-1] :].T) * dense_scale
        self.intercept = intercept

    @classmethod
    def of(cls, model: dict[str, Any] | None, dense_scale: float) -> _LinearScorer | None:
        """The scorer of a trained model; ``None`` when the model is not the kind it computes
        (no regression yet, tf-idf options other than the ones trained here, two classes or
        one-vs-rest): scikit-learn then classifies."""
        clf = (model or {}).get("clf")
        if clf is None or len(clf.classes_) <= 2 or clf.multi_class == "ovr" or clf.solver == "liblinear":
            return None
        tfidf = model["tfidf"]
        if any(not (t.sublinear_tf and t.use_idf and t.norm == "l2") for t in tfidf):
            return None
        return cls([t.idf_ for t in tfidf], clf.coef_, clf.intercept_, list(model["origins"]), dense_scale)

    def probabilities(self, message: Message) -> np.ndarray:
        """The probability of each class (in the regression's class order) for ``message``."""
        # the message's own sentence features: Message.get_*_features deep-copies them to combine
        sentence = {}
        dense = []
        for f in message.features:
            if f.attribute == TEXT and f.type == FEATURE_TYPE_SENTENCE:
                if f.is_sparse():
                    sentence[f.origin] = f.features
                else:
                    dense.append(np.asarray(f.features, dtype=np.float64).reshape(-1))
        z = self.intercept.astype(np.float64)
        for origin, idf, weights in zip(self.origins, self.idf, self.weights, strict=True):
            if origin not in sentence:
                continue
            row = sentence[origin].tocsr()  # sums repeated n-grams, as the matrix path does
            tf = (np.log(row.data.astype(np.float64)) + 1.0) * idf[row.indices]
            norm = np.sqrt(tf @ tf)
            if norm > 0:
                z += (tf / norm) @ weights[row.indices]
        if dense and len(self.dense_weights):
            z += np.concatenate(dense) @ self.dense_weights
        e = np.exp(z - z.max())
        return e / e.sum()


def _words(messages: list[Message]) -> set[str]:
    """The syllables of the messages' token lemmas (diacritic-free, "dang_ky" → dang, ky):
    syllables, not words, so that a different word segmentation still meets the vocabulary."""
    return {
        syllable
        for m in messages
        for t in m.get(TOKENS_NAMES[TEXT]) or ()
        for syllable in (t.lemma or t.text.lower()).split("_")
        if syllable
    }

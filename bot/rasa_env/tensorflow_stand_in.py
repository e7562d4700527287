"""Serve the bot without loading TensorFlow.

Rasa 3.6 imports TensorFlow whatever the pipeline (``rasa.core.policies.policy`` →
featurizers → ``rasa.utils.train_utils`` → ``rasa.utils.tensorflow.callback``): a large
share of the Rasa server's memory (``bench/bench_memory.py``), for a bot whose components use none of it (a linear
classifier over n-grams and the ONNX sentence encoder, rules and memoization). When the
server starts (``bot/rasa_env/server.py run``), ``tensorflow`` and its companion packages are
replaced by stand-in modules: every name in them is an inert placeholder that can be
subclassed, used as a decorator or a type and iterated (empty), which is all Rasa does
with them at import time. Training (``rasa train``) and any pipeline that names a
TensorFlow component (listed below) keep the real library.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import sys
import types
from pathlib import Path
from typing import Any

import yaml

STANDS_IN_FOR = ("tensorflow", "tensorflow_addons", "tensorflow_hub", "tensorflow_text", "keras", "tf_keras")
# Rasa 3.6 components that run TensorFlow models when the bot answers
TENSORFLOW_COMPONENTS = frozenset(
    {
        "DIETClassifier",
        "TEDPolicy",
        "UnexpecTEDIntentPolicy",
        "ResponseSelector",
        "LanguageModelFeaturizer",
        "ConveRTFeaturizer",
        "LanguageModelTokenizer",
        "ConveRTTokenizer",
    }
)


class _Placeholder:
    """Any TensorFlow name, as Rasa's modules use it when they are imported."""

    def __init__(self, name: str) -> None:
        object.__setattr__(self, "_name", name)

    def __getattr__(self, item: str) -> Any:
        if item.startswith("__") and item.endswith("__"):
            raise AttributeError(item)
        return _Placeholder(f"{self._name}.{item}")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if len(args) == 1 and callable(args[0]) and not kwargs:  # @tf.function and the like
            return args[0]
        return _Placeholder(f"{self._name}()")

    def __mro_entries__(self, bases: tuple) -> tuple:  # class RasaTrainingLogger(tf.keras.callbacks.Callback)
        return (object,)

    def __iter__(self) -> Any:
        return iter(())

    def __bool__(self) -> bool:
        return False

    def __getitem__(self, key: Any) -> Any:
        return _Placeholder(f"{self._name}[]")

    def __or__(self, other: Any) -> Any:  # tf.Tensor | None in annotations
        return self

    __ror__ = __or__

    def __repr__(self) -> str:
        return f"<stand-in for {self._name}>"


class _StandInModule(types.ModuleType):
    def __getattr__(self, item: str) -> Any:
        if item.startswith("__") and item.endswith("__"):
            raise AttributeError(item)
        return _Placeholder(f"{self.__name__}.{item}")


class _Finder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    def find_spec(self, name: str, path: Any, target: Any = None) -> importlib.machinery.ModuleSpec | None:
        if name.split(".")[0] in STANDS_IN_FOR:
            return importlib.machinery.ModuleSpec(name, self, is_package=True)
        return None

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType:
        module = _StandInModule(spec.name)
        module.__path__ = []
        module.__version__ = "0+stand-in"
        return module

    def exec_module(self, module: types.ModuleType) -> None:
        pass


def pipeline_needs_tensorflow(config: Path) -> bool:
    """The Rasa config names a component or policy that runs a TensorFlow model."""
    data = yaml.safe_load(config.read_text(encoding="utf-8")) or {}
    names = {str(item.get("name")) for key in ("pipeline", "policies") for item in data.get(key) or []}
    return bool(names & TENSORFLOW_COMPONENTS)


def install(config: Path) -> bool:
    """Put the stand-ins in place (before Rasa is imported) unless ``config`` needs TensorFlow."""
    if any(name.split(".")[0] in STANDS_IN_FOR for name in sys.modules):
        return False  # already imported: too late, and harmless
    if pipeline_needs_tensorflow(config):
        return False
    if not any(isinstance(finder, _Finder) for finder in sys.meta_path):
        sys.meta_path.insert(0, _Finder())
    return True

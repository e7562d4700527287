"""Vietnamese tokenizer for Rasa 3: underthesea word segmentation that also reads
text typed without tone marks.

underthesea segments accented text well ("đăng ký khai sinh" → "đăng_ký",
"khai_sinh") but not unaccented text. So, for each message:

1. split the original text into syllables (codes such as ``1.001193`` or
   ``45/2016/QĐ-TTg`` stay one syllable) and keep their character offsets;
2. restore missing tone marks syllable by syllable with the project's restorer
   (``common.text``, the same model and lexicon the search uses);
3. segment the restored sentence with underthesea and map each word back to the
   span of original characters it covers;
4. give every token the original text (offsets stay valid for entities), the
   restored word with abbreviations expanded ("cccd" → "căn cước công dân"; read by
   the sentence-embedding featurizer) and, as its *lemma*, that word without
   diacritics ("can_cuoc_cong_dan", "đk" → "dang_ky").

CountVectorsFeaturizer reads lemmas, so "dang ky khai sinh", "đk khai sinh" and
"Đăng ký khai sinh" produce the same word features; the character n-gram
featurizer over the same lemmas absorbs typos.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.tokenizers.tokenizer import Token, Tokenizer
from rasa.shared.nlu.training_data.message import Message

from common.text.lexicon import get_lexicon
from common.text.normalize import fold, nfc
from common.text.restore import get_restorer

logger = logging.getLogger(__name__)

# A syllable: letters/digits (with combining marks, for NFD input), possibly joined
# by . / - inside codes and numbers ("1.001193", "45/2016/QĐ-TTg", "20.000").
_SYLLABLE = re.compile(r"[\w\u0300-\u036f]+(?:[./\-][\w\u0300-\u036f]+)*")

Span = tuple[int, int]

# token data key: the word with tone marks restored and abbreviations expanded
RESTORED = "restored"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False)
class VietnameseTokenizer(Tokenizer):
    """Segments Vietnamese into words; lemmas are diacritic-free normalised words."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            "intent_tokenization_flag": False,
            "intent_split_symbol": "_",
            "token_pattern": None,
            "prefix_separator_symbol": None,
            # restore tone marks before segmenting (off: segment the text as typed)
            "restore_diacritics": True,
        }

    @staticmethod
    def supported_languages() -> list[str] | None:
        return ["vi"]

    @staticmethod
    def required_packages() -> list[str]:
        return ["underthesea"]

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> VietnameseTokenizer:
        return cls(config)

    def __init__(self, config: dict[str, Any]) -> None:
        super().__init__(config)
        self._restore = bool(self._config.get("restore_diacritics", True))

    def tokenize(self, message: Message, attribute: str) -> list[Token]:
        text = message.get(attribute) or ""
        spans = [m.span() for m in _SYLLABLE.finditer(text)]
        if not spans:
            return [Token(text, 0)] if text else []
        syllables = [nfc(text[a:b]) for a, b in spans]
        restored = self._restore_syllables(syllables)
        tokens = []
        for first, last in self._word_groups(restored):
            start, end = spans[first][0], spans[last - 1][1]
            expanded = get_lexicon().expand(" ".join(restored[first:last]))
            # lemma: diacritic-free, lower-case, syllables joined by "_" ("can_cuoc_cong_dan")
            token = Token(text[start:end], start, end, lemma=fold(expanded).replace(" ", "_"))
            token.set(RESTORED, expanded)
            tokens.append(token)
        return self._apply_token_pattern(tokens)

    def _restore_syllables(self, syllables: list[str]) -> list[str]:
        if not self._restore:
            return syllables
        restorer = get_restorer()
        if restorer is None:
            return syllables
        restored = restorer.restore(" ".join(syllables)).split(" ")
        # the restorer changes letters, never the number of syllables; if it ever
        # did, keep the text as typed rather than misalign offsets
        if len(restored) != len(syllables):
            logger.debug("restoration changed syllable count, using text as typed")
            return syllables
        return restored

    @staticmethod
    def _word_groups(syllables: list[str]) -> list[Span]:
        """Group consecutive syllables into words with underthesea; (first, end) indexes."""
        from underthesea import word_tokenize  # heavy import, once

        words = word_tokenize(" ".join(syllables))
        groups: list[Span] = []
        i = 0
        for word in words:
            n = len(word.split())
            if n == 0 or " ".join(syllables[i : i + n]) != word:
                # underthesea split or merged differently (punctuation inside codes):
                # fall back to one word per syllable for the rest
                return groups + [(k, k + 1) for k in range(i, len(syllables))]
            groups.append((i, i + n))
            i += n
        if i < len(syllables):
            groups.extend((k, k + 1) for k in range(i, len(syllables)))
        return groups


def restored_text(tokens: list[Token]) -> str:
    """The message as the tokenizer read it: tone marks restored, abbreviations expanded."""
    return " ".join(token.get(RESTORED) or token.text for token in tokens)

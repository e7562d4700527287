"""Vietnamese input understanding shared by every entry point.

Used by the indexer/retrieval, the API staff search, the Rasa action server and
(through ``bot/components``) the Rasa NLU pipeline, so it must import under both
environments: ``.venv`` (Python 3.11) and ``.venv-rasa`` (Python 3.10, pydantic 1,
numpy 1.23). It therefore uses only the standard library, plus underthesea for
word segmentation (imported lazily).

Entry points: :mod:`indexer.text.normalize` (``nfc``, ``fold``, ``analyze``,
``expand_synonyms``, ``segment``), :mod:`indexer.text.lexicon`,
:mod:`indexer.text.restore`. Paths: :mod:`indexer.text.config`.
"""

"""Vietnamese input understanding shared by every entry point.

Used by the indexer/retrieval, the API (staff search, masking), the bot's actions and
(through ``bot/rasa_env/components``) the Rasa NLU pipeline, so it must import under both
environments: ``.venv`` (Python 3.11) and ``.venv-rasa`` (Python 3.10, pydantic 1,
numpy 1.23). It therefore uses only the standard library, plus underthesea for
word segmentation (imported lazily).

Entry points: :mod:`common.text.normalize` (``nfc``, ``fold``, ``analyze``,
``expand_synonyms``, ``segment``), :mod:`common.text.lexicon`,
:mod:`common.text.restore`, :mod:`common.text.personal_data`. Paths: :mod:`common.text.config`.
The restoration model is trained by the application (:mod:`indexer.text.train`, ``tthc text build``).
"""

"""Code that both Python environments import: the application's (3.11: API, actions, indexer)
and Rasa's (3.10: the NLU components, training, the server and its stores).

- :mod:`common.text`: reading what citizens type (normalisation, lexicon, diacritic restoration,
  masking of personal data);
- :mod:`common.query_encoder`: the int8 e5 query encoder run by ONNX Runtime, with
  :mod:`common.unigram_tokenizer`, its tokenizer in plain Python.

Nothing here imports the application's packages (``tthc``, ``api``, ``indexer``, ``knowledge``,
pydantic-settings, torch) or Rasa's: only the standard library, numpy, onnxruntime and
underthesea (imported lazily), which both environments install
(``tests/bot/rasa_env/test_imports.py`` checks it under Python 3.10).
"""

"""What runs inside Rasa's environment (``.venv-rasa``, Python 3.10, Rasa 3.6).

- ``components/``: the custom NLU components that ``config.yml`` names (tokenizer,
  sentence-embedding featurizer, intent classifier);
- ``server.py``: ``rasa run`` with the project's runtime fixes (the Procfile's ``rasa``);
- ``train.py``: trains the Rasa model when its inputs changed (``make rasa-model``);
- ``tracker_store.py``, ``lock_store.py``: the stores ``endpoints.yml`` / ``endpoints.multi.yml`` name;
- ``settings.py``: paths and variables of this environment (no pydantic-settings here);
- ``nlu_report.py``: the NLU cross-validation report (``make nlu-report``);
- ``tensorflow_stand_in.py``: serving without loading TensorFlow.

These modules import Rasa and :mod:`common` (code shared with the application), never the
application's packages (``tthc``, ``api``, ``indexer``, ``knowledge``, ``bot.actions``), which need
Python 3.11; ``tests/bot/rasa_env/test_imports.py`` checks it. The bot's custom actions
(``bot/actions``) run in the application's environment, served by the API.
"""

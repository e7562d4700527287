"""Tests of ``common/``, the code both environments import.

They run in the application environment; those marked ``rasa_env`` run in the Rasa environment
(Python 3.10) too (`make test`: ``pytest tests/bot/rasa_env tests/common -m rasa_env``), so every
module here must import there: application packages (``tthc``, ``knowledge``, ``indexer``) only
inside the tests that need them.
"""

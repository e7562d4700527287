"""Tests of ``bot/rasa_env``: they run in the Rasa environment (Python 3.10), where `make test`
selects them with ``-m rasa_env`` together with the shared code's tests so marked
(``tests/common``). In the application environment they skip (``pytest.importorskip("rasa")``).

Every test collected here gets the ``rasa_env`` mark, so none is left out by forgetting it.
"""

from __future__ import annotations

import pytest


def pytest_itemcollected(item: pytest.Item) -> None:
    item.add_marker(pytest.mark.rasa_env)

"""Fixtures of the reliability tests.

Fast tests build the FastAPI app in-process with settings from environment variables
(``settings_env``). Slow tests start real servers (tests/e2e/servers.py, and
tests/reliability/services.py for PostgreSQL/Redis/uvicorn) and stop them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from tthc.settings import get_settings


@pytest.fixture
def settings_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., None]]:
    """Set TTHC_* variables for one test (the cached settings are re-read)."""

    def apply(**values: object) -> None:
        for key, value in values.items():
            monkeypatch.setenv(f"TTHC_{key.upper()}", str(value))
        get_settings.cache_clear()

    get_settings.cache_clear()
    yield apply
    monkeypatch.undo()
    get_settings.cache_clear()

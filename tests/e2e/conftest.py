from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.e2e.servers import Bot, start_bot


@pytest.fixture(scope="session")
def bot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Bot]:
    running = start_bot(tmp_path_factory.mktemp("bot"))
    yield running
    running.stop()

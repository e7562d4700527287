"""``tthc conversations prune`` (api/retention.py) on real tracker stores: the SQLite file of the
default configuration and PostgreSQL, with the events table Rasa's SQL tracker store writes."""

from __future__ import annotations

import contextlib
import json
import subprocess
import time
import uuid
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from api.retention import prune
from tthc.stack.servers import APP_PYTHON, REPO_ROOT
from tthc.stack.services import PG_HOST, PG_PORT, PG_USER, ensure_services, psql

DAY = 86_400
NOW = 1_800_000_000.0

# Rasa 3.6's SQLTrackerStore.SQLEvent
EVENTS = """CREATE TABLE events (
    id INTEGER PRIMARY KEY, sender_id VARCHAR(255) NOT NULL, type_name VARCHAR(255) NOT NULL,
    timestamp FLOAT, intent_name VARCHAR(255), action_name VARCHAR(255), data TEXT)"""


def fill(url: str) -> None:
    """'old' ended 100 days ago; 'spanning' began 100 days ago and goes on today; 'new' is today."""
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql(EVENTS)
        rows = [("old", NOW - 101 * DAY), ("old", NOW - 100 * DAY), ("spanning", NOW - 100 * DAY),
                ("spanning", NOW - 60), ("new", NOW - 10)]  # fmt: skip
        for i, (sender, ts) in enumerate(rows, start=1):
            conn.execute(
                sa.text("INSERT INTO events VALUES (:id, :s, 'user', :ts, 'greet', NULL, :d)"),
                {"id": i, "s": sender, "ts": ts, "d": json.dumps({"event": "user", "text": "xin chào"})},
            )
    engine.dispose()


def senders(url: str) -> list[str]:
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        found = [r[0] for r in conn.exec_driver_sql("SELECT sender_id FROM events ORDER BY id")]
    engine.dispose()
    return found


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    url = f"sqlite:///{tmp_path / 'tracker.db'}"
    fill(url)
    return url


@pytest.fixture
def postgres_url() -> Iterator[str]:
    if not ensure_services()[0]:
        pytest.fail("PostgreSQL is not running on 127.0.0.1:5432 (it runs on every machine, CI included)")
    db = f"tthc_retention_{uuid.uuid4().hex[:10]}"
    psql(f"CREATE DATABASE {db}")
    url = f"postgresql+psycopg://{PG_USER}@{PG_HOST}:{PG_PORT}/{db}"
    try:
        fill(url)
        yield url
    finally:
        with contextlib.suppress(subprocess.SubprocessError):
            psql(f"DROP DATABASE IF EXISTS {db} WITH (FORCE)")


@pytest.mark.parametrize("store", ["sqlite_url", "postgres_url"])
def test_whole_conversations_older_than_the_period_are_deleted(store: str, request) -> None:
    url = request.getfixturevalue(store)
    counted = prune(url, 90, now=NOW, dry_run=True)
    assert (counted.conversations, counted.events) == (1, 2) and len(senders(url)) == 5
    done = prune(url, 90, now=NOW)
    assert (done.conversations, done.events) == (1, 2)
    # a conversation still going on keeps its beginning
    assert senders(url) == ["spanning", "spanning", "new"]
    assert prune(url, 90, now=NOW).events == 0


def test_a_store_without_conversations_and_a_bad_period(tmp_path) -> None:
    assert prune(f"sqlite:///{tmp_path / 'empty.db'}", 30).conversations == 0
    with pytest.raises(ValueError):
        prune(f"sqlite:///{tmp_path / 'empty.db'}", 0)


def test_the_command_uses_the_configured_period(sqlite_url: str, tmp_path) -> None:
    env = {
        "TTHC_TRACKER_DB_URL": sqlite_url,
        "TTHC_CONVERSATION_RETENTION_DAYS": "30",
        "PATH": "/usr/bin:/bin",
    }
    fresh = time.time()
    engine = sa.create_engine(sqlite_url)
    with engine.begin() as conn:  # the fixture's 'new' is from 2027; make today's conversation
        conn.exec_driver_sql(f"UPDATE events SET timestamp = {fresh} WHERE sender_id != 'old'")
    engine.dispose()
    cmd = [str(APP_PYTHON), "-m", "tthc.cli", "conversations", "prune"]
    out = subprocess.run(cmd, env=env, cwd=REPO_ROOT, capture_output=True, text=True, timeout=120, check=True)
    assert "Đã xóa 1 hội thoại (2 sự kiện) cũ hơn 30 ngày." in out.stdout
    assert senders(sqlite_url) == ["spanning", "spanning", "new"]

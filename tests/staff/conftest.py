"""Fixtures of the staff tool tests: the app in-process (TestClient, real index through
Retriever.load()) with its own staff database and tracker store location."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tthc.settings import get_settings

PASSWORD = "mat-khau-kiem-thu-123"


@pytest.fixture
def staff_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A fresh staff database (and tracker store URL) for one test."""
    monkeypatch.setenv("TTHC_STAFF_DB", str(tmp_path / "staff.db"))
    # these tests type many keystrokes from one client: the per-IP limit of /api/* is not under test
    monkeypatch.setenv("TTHC_RATE_LIMIT_IP_PER_S", "0")
    tracker = tmp_path / "tracker.db"
    with sqlite3.connect(tracker) as db:  # Rasa's SQLTrackerStore schema, no events yet
        db.execute(
            "create table events (id integer primary key, sender_id varchar(255) not null, "
            "type_name varchar(255) not null, timestamp float, intent_name varchar(255), "
            "action_name varchar(255), data text)"
        )
    monkeypatch.setenv("TTHC_TRACKER_DB_URL", f"sqlite:///{tracker}")
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


@pytest.fixture
def client(staff_env: Path) -> Iterator[TestClient]:
    from api.main import create_app

    with TestClient(create_app(), base_url="http://testserver") as c:
        yield c


def add_user(name: str = "canbo", password: str = PASSWORD) -> None:
    from api.staff.auth import get_store

    get_store().add_user(name, password)


def login(client: TestClient, name: str = "canbo", password: str = PASSWORD, next: str = "/staff/insights"):
    return client.post(
        "/staff/login",
        content=f"username={name}&password={password}&next={next}",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        follow_redirects=False,
    )

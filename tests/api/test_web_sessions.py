"""Web conversation ids are issued and signed by the server (api/web_sessions.py, api/signing.py)."""

from __future__ import annotations

import os
import stat

import pytest

from api import signing, web_sessions
from tthc.settings import get_settings


@pytest.fixture
def key_in(tmp_path, monkeypatch):
    monkeypatch.setenv("TTHC_VAR_DIR", str(tmp_path))
    monkeypatch.delenv("TTHC_SECRET_KEY", raising=False)
    get_settings.cache_clear()
    signing._keys.clear()
    yield tmp_path
    get_settings.cache_clear()
    signing._keys.clear()


def test_an_issued_id_is_accepted_and_others_are_not(key_in) -> None:
    sender = web_sessions.new_sender()
    assert web_sessions.is_issued(sender) and len(sender) <= 64
    assert sender != web_sessions.new_sender()
    flipped = sender[:-1] + ("0" if sender[-1] != "0" else "1")
    forged = [
        sender + "\n",  # a pattern checked with match() accepted a final newline
        " " + sender,
        sender.upper(),
        flipped,
        "web-" + "0" * 40,
        "messenger-9900001",
        "zalo-1234567890",
        "abcdefgh",
        sender.replace("web-", "zalo-"),
        "",
    ]
    assert not [f for f in forged if web_sessions.is_issued(f)]


def test_the_generated_key_is_kept_private_and_survives_a_restart(key_in) -> None:
    sender = web_sessions.new_sender()
    key_file = key_in / "secret_key"
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
    signing._keys.clear()  # a new process reads the same file
    assert web_sessions.is_issued(sender)


def test_a_configured_key_is_used_and_another_key_refuses_the_id(key_in, monkeypatch) -> None:
    monkeypatch.setenv("TTHC_SECRET_KEY", "khoa-thu-nhat")
    get_settings.cache_clear()
    sender = web_sessions.new_sender()
    assert not (key_in / "secret_key").exists()
    monkeypatch.setenv("TTHC_SECRET_KEY", "khoa-thu-hai")
    get_settings.cache_clear()
    assert not web_sessions.is_issued(sender)

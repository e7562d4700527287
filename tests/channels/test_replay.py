"""A correctly signed webhook event is answered once, whatever the door it is replayed to:
the same API after a restart, or another API instance (api/channels/replay.py).

Two real app processes share the default store (the SQLite file in their common var/),
then two with separate var/ folders share Redis (the multi-instance configuration)."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.channels.conftest import MESSENGER_ENV, ZALO_ENV, App, FakeHTTP, start_app
from tests.channels.test_messenger import event, sign
from tests.channels.test_zalo import CS_PATH, mac, zalo_event

REDIS_URL = "redis://127.0.0.1:6379/0"


@pytest.fixture(autouse=True)
def _send_apis(platform: FakeHTTP) -> None:
    platform.requests.clear()
    platform.responders["/v19.0/me/messages"] = lambda rec: (200, {"recipient_id": "x", "message_id": "m"})
    platform.responders[CS_PATH] = lambda rec: (200, {"error": 0, "message": "Success"})


def env(rasa: FakeHTTP, platform: FakeHTTP, **extra: str) -> dict[str, str]:
    return {
        **MESSENGER_ENV,
        **ZALO_ENV,
        "TTHC_RASA_URL": rasa.url,
        "TTHC_MESSENGER_API_BASE": f"{platform.url}/v19.0",
        "TTHC_ZALO_API_BASE": platform.url,
        "TTHC_ZALO_OAUTH_BASE": platform.url,
        **extra,
    }


def deliver(app: App, messenger_body: bytes, zalo_body: bytes) -> None:
    r = httpx.post(
        f"{app.url}/webhooks/messenger",
        content=messenger_body,
        headers={"X-Hub-Signature-256": sign(messenger_body)},
    )
    assert r.status_code == 200, r.text
    r = httpx.post(
        f"{app.url}/webhooks/zalo", content=zalo_body, headers={"X-ZEvent-Signature": mac(zalo_body)}
    )
    assert r.status_code == 200, r.text


def asked(rasa: FakeHTTP, sender: str) -> int:
    time.sleep(1.0)  # background tasks
    return sum(1 for r in rasa.requests if r.json()["sender"] == sender)


def replayed_everywhere(
    tmp: Path, rasa: FakeHTTP, platform: FakeHTTP, var_dirs: tuple[str, str, str], **extra
) -> None:
    user = uuid.uuid4().hex[:12]
    messenger_body = event(f"psid-{user}", "xin chào")
    zalo_body = zalo_event(f"u-{user}", "xin chào")
    first = start_app(tmp / "a", env(rasa, platform, TTHC_VAR_DIR=var_dirs[0], **extra))
    second = start_app(tmp / "b", env(rasa, platform, TTHC_VAR_DIR=var_dirs[1], **extra))
    try:
        for app in (first, second, first):
            deliver(app, messenger_body, zalo_body)
        first.stop()
        restarted = start_app(tmp / "c", env(rasa, platform, TTHC_VAR_DIR=var_dirs[2], **extra))
        deliver(restarted, messenger_body, zalo_body)
        restarted.stop()
    finally:
        first.stop()
        second.stop()
    assert asked(rasa, f"messenger-psid-{user}") == 1
    assert asked(rasa, f"zalo-u-{user}") == 1


@pytest.fixture
def apps_tmp(tmp_path: Path) -> Iterator[Path]:
    for name in ("a", "b", "c"):
        (tmp_path / name).mkdir()
    yield tmp_path


def test_replay_to_another_instance_or_after_a_restart_is_answered_once(
    apps_tmp: Path, rasa: FakeHTTP, platform: FakeHTTP
) -> None:
    shared = str(apps_tmp / "var")
    replayed_everywhere(apps_tmp, rasa, platform, (shared, shared, shared))


def test_instances_on_separate_machines_share_the_seen_events_through_redis(
    apps_tmp: Path, rasa: FakeHTTP, platform: FakeHTTP
) -> None:
    own = tuple(str(apps_tmp / name / "var") for name in ("a", "b", "c"))
    replayed_everywhere(apps_tmp, rasa, platform, own, TTHC_REDIS_URL=REDIS_URL)  # type: ignore[arg-type]

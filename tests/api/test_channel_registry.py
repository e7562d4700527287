"""The one list of channels (api/channels/registry.py) and what reads it."""

from __future__ import annotations

from fastapi.testclient import TestClient

from api.channels.registry import CHANNELS, OTHER, channel_of, labels
from api.main import create_app


def test_a_conversation_belongs_to_the_channel_of_its_prefix() -> None:
    assert channel_of("messenger-123").name == "messenger"
    assert channel_of("zalo-456").name == "zalo"
    assert channel_of("web-a1b2").name == "web"
    assert channel_of("webhook") is OTHER and channel_of("other-1") is OTHER


def test_staff_labels_list_every_channel_then_the_others() -> None:
    assert labels() == {"web": "Web", "messenger": "Messenger", "zalo": "Zalo", "khac": "Khác"}


def test_every_registered_platform_webhook_is_served(monkeypatch) -> None:
    monkeypatch.setenv("TTHC_PRELOAD_INDEX", "false")
    client = TestClient(create_app())
    for channel in CHANNELS:
        if channel.module:  # served, and refusing traffic while its secrets are unset
            assert client.post(f"/webhooks/{channel.name}", content=b"{}").status_code == 503

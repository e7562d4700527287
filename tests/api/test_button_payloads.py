"""Only payloads of the bot's own buttons, sent to that conversation, reach Rasa as intents
(api/button_payloads.py)."""

from __future__ import annotations

import pytest

from api import button_payloads
from tthc.settings import get_settings

PAYLOAD = '/ask_detail{"procedure_code": "1.001193", "info_type": "fee"}'


@pytest.fixture(autouse=True)
def _key(monkeypatch):
    monkeypatch.setenv("TTHC_SECRET_KEY", "khoa-kiem-thu")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_a_button_offered_to_the_conversation_is_its_intent() -> None:
    messages = [{"text": "Bạn muốn xem gì?", "buttons": [{"title": "Lệ phí", "payload": PAYLOAD}]}]
    signed = button_payloads.sign_buttons("web-a", messages)[0]["buttons"][0]["payload"]
    assert signed.startswith(PAYLOAD + "~") and signed != PAYLOAD
    assert button_payloads.to_rasa("web-a", signed) == PAYLOAD


def test_links_and_plain_titles_are_left_as_they_are() -> None:
    buttons = [{"title": "Trang", "payload": "https://dichvucong.gov.vn/p/1"}, {"title": "Ghi chú"}]
    assert button_payloads.sign_buttons("web-a", [{"buttons": buttons}])[0]["buttons"] == buttons


@pytest.mark.parametrize(
    "text, expected",
    [
        ('/ask_detail{"procedure_code":{"a":1}}', 'ask_detail{"procedure_code":{"a":1}}'),
        ("/restart", "restart"),
        ("/session_start", "session_start"),
        ("//handoff", "handoff"),
        ("/ /greet", "greet"),
        ("/", ""),
        ("lệ phí bao nhiêu", "lệ phí bao nhiêu"),
        ("giá 1/2 tháng", "giá 1/2 tháng"),
    ],
)
def test_typed_intents_are_plain_text(text: str, expected: str) -> None:
    assert button_payloads.to_rasa("web-a", text) == expected


def test_a_payload_is_bound_to_its_conversation_and_cannot_be_altered() -> None:
    signed = button_payloads.sign("web-a", PAYLOAD)
    assert not button_payloads.to_rasa("web-b", signed).startswith("/")  # replayed into another conversation
    altered = signed.replace("1.001193", "1.000656")
    assert not button_payloads.to_rasa("web-a", altered).startswith("/")
    assert not button_payloads.to_rasa("web-a", PAYLOAD + "~" + "0" * 16).startswith("/")

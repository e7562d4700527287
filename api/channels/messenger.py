"""Facebook Messenger connector: ``GET``/``POST /webhooks/messenger``.

Why a FastAPI route instead of Rasa 3.6's built-in ``facebook`` channel: that
connector verifies only the legacy ``X-Hub-Signature`` (HMAC-SHA1) header and its
GET verification compares the verify token without checking ``hub.mode``. This
route replaces it (the ``facebook`` channel stays out of credentials.yml):

- GET: answers ``hub.challenge`` only when ``hub.mode == "subscribe"`` and the verify
  token matches (constant-time); anything else is 403.
- POST: ``X-Hub-Signature-256: sha256=<hex HMAC-SHA256(app secret, raw body)>`` is
  checked in constant time on the raw bytes before the body is even parsed; a missing,
  malformed or wrong signature is 403 and nothing is processed.
- Each messaging event's own ``timestamp`` must lie within ``TTHC_WEBHOOK_REPLAY_WINDOW_S``
  of now (a request whose events are all outside it is 403), and an event is handled
  once, by whichever API instance records its id first (api/channels/replay.py): a
  captured request replayed after a restart or to another instance is not answered again.
- Accepted events are acknowledged with 200 at once and handled in a background task
  (Meta expects an answer within seconds and redelivers otherwise).
- Text messages and quick-reply taps go to Rasa's REST channel as sender
  ``messenger-<PSID>``; a quick reply or postback is read as an intent only when it is a
  button the bot offered to that conversation (api/button_payloads.py). The Get Started
  postback becomes ``/greet``, and the first answer always says it is an automated
  assistant.
- Replies go through the Send API (``messaging_type: RESPONSE``): text cut under
  2,000 characters at paragraph/list/sentence boundaries, buttons as at most 13 quick
  replies with titles of at most 20 characters (more choices, or link buttons, are
  listed in the text).

When ``TTHC_MESSENGER_APP_SECRET``/``VERIFY_TOKEN``/``PAGE_TOKEN`` are not set the
webhook is disabled and answers 503 instead of accepting unsigned traffic.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from typing import Any

from fastapi import APIRouter, BackgroundTasks, Request
from fastapi.responses import JSONResponse, PlainTextResponse

from api.channels import outbound
from api.channels.formatting import Reply, button_titles, numbered_choices, split_text, text_lists_buttons
from api.channels.registry import channel
from api.channels.replay import fresh, seen_events
from api.channels.turn import GREETING_INTENT, bot_replies
from tthc.settings import get_settings

CHANNEL = channel("messenger")
log = logging.getLogger("tthc.channels.messenger")
router = APIRouter(prefix="/webhooks/messenger", tags=["channels"])

TEXT_LIMIT = 1990  # Messenger's limit is 2,000 characters; stay under it
MAX_QUICK_REPLIES = 13
QUICK_REPLY_TITLE_LIMIT = 20
QUICK_REPLY_PAYLOAD_LIMIT = 1000
GET_STARTED_PAYLOADS = {"GET_STARTED", "get_started", "/get_started"}

MAX_BODY_BYTES = 1_000_000  # platform events are a few kB

DISABLED = (
    "Kênh Messenger chưa được cấu hình (thiếu TTHC_MESSENGER_VERIFY_TOKEN, "
    "TTHC_MESSENGER_APP_SECRET hoặc TTHC_MESSENGER_PAGE_TOKEN). / "
    "The Messenger channel is not configured."
)


def _configured() -> bool:
    s = get_settings()
    return bool(s.messenger_verify_token and s.messenger_app_secret and s.messenger_page_token)


def _disabled() -> JSONResponse:
    return JSONResponse({"detail": DISABLED}, status_code=503)


def _forbidden(reason: str) -> JSONResponse:
    log.warning("messenger webhook rejected: %s", reason)
    return JSONResponse({"detail": "Chữ ký không hợp lệ. / Forbidden."}, status_code=403)


def signature_valid(app_secret: str, raw_body: bytes, header: str | None) -> bool:
    """``header`` must be ``sha256=`` + hex HMAC-SHA256 of the raw body, compared in constant time."""
    if not header or not header.startswith("sha256="):
        return False
    expected = "sha256=" + hmac.new(app_secret.encode(), raw_body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected.encode(), header.strip().lower().encode())


@router.get("")
async def verify(request: Request) -> Any:
    if not _configured():
        return _disabled()
    params = request.query_params
    token = params.get("hub.verify_token", "")
    if params.get("hub.mode") != "subscribe" or not hmac.compare_digest(
        token.encode(), get_settings().messenger_verify_token.encode()
    ):
        return _forbidden("verification with a wrong mode or token")
    return PlainTextResponse(params.get("hub.challenge", ""))


@router.post("")
async def receive(request: Request, background: BackgroundTasks) -> Any:
    if not _configured():
        return _disabled()
    if int(request.headers.get("content-length") or 0) > MAX_BODY_BYTES:
        return JSONResponse({"detail": "Nội dung quá lớn. / Payload too large."}, status_code=413)
    raw = await request.body()
    if not signature_valid(
        get_settings().messenger_app_secret, raw, request.headers.get("x-hub-signature-256")
    ):
        return _forbidden("missing or wrong X-Hub-Signature-256")
    try:
        body = json.loads(raw)
    except ValueError:
        return JSONResponse({"detail": "Nội dung không phải JSON. / Body is not JSON."}, status_code=400)
    if not isinstance(body, dict) or body.get("object") != "page":
        return JSONResponse({"status": "ignored"})
    events, stale = [], 0
    for entry in body.get("entry") or []:
        for event in (entry or {}).get("messaging") or []:
            incoming = parse_event(event)
            if incoming is None:
                continue
            if not fresh(event.get("timestamp")):
                stale += 1
            elif await seen_events.first_time(f"messenger:{incoming[2]}"):
                events.append(incoming)
    if stale and not events:
        return _forbidden(f"{stale} event(s) outside the replay window")
    for psid, text, _key, first_contact in events:
        background.add_task(handle, psid, text, first_contact)
    return JSONResponse({"status": "ok", "accepted": len(events)})


def parse_event(event: dict[str, Any]) -> tuple[str, str, str, bool] | None:
    """(PSID, text or payload for Rasa, event key, is Get Started) or None for events we ignore.

    The key is the message id, or for a postback without one its sender, time and payload.
    """
    psid = str((event.get("sender") or {}).get("id") or "")
    if not psid:
        return None
    message = event.get("message")
    if isinstance(message, dict):
        if message.get("is_echo"):
            return None
        quick = message.get("quick_reply") if isinstance(message.get("quick_reply"), dict) else {}
        text = str(quick.get("payload") or message.get("text") or "").strip()
        if not text:
            return None  # attachments, stickers: nothing to ask Rasa
        return psid, text, _key(psid, event, message.get("mid"), text), False
    postback = event.get("postback")
    if isinstance(postback, dict):
        payload = str(postback.get("payload") or postback.get("title") or "").strip()
        if not payload:
            return None
        key = _key(psid, event, postback.get("mid"), payload)
        if payload in GET_STARTED_PAYLOADS:
            return psid, GREETING_INTENT, key, True
        return psid, payload, key, False
    return None  # deliveries, reads, reactions


def _key(psid: str, event: dict[str, Any], mid: Any, text: str) -> str:
    if mid:
        return str(mid)
    digest = hashlib.sha256(f"{psid}\n{event.get('timestamp')}\n{text}".encode()).hexdigest()
    return f"psid-time-text:{digest}"


async def handle(psid: str, text: str, first_contact: bool = False) -> None:
    """Ask Rasa, then send every answer through the Send API (errors are logged)."""
    try:
        await _typing(psid)
        replies = await bot_replies(CHANNEL.prefix + psid, text, first_contact=first_contact)
        for message in to_send_api(replies):
            await _send(psid, message)
    except Exception:
        log.exception("messenger reply to %s failed", psid)


def to_send_api(replies: list[Reply]) -> list[dict[str, Any]]:
    """Rasa replies → Send API ``message`` objects (text chunks; quick replies on the last one)."""
    out: list[dict[str, Any]] = []
    for reply in replies:
        text = reply.text
        quick = [b for b in reply.buttons if not b.is_link and len(b.payload) <= QUICK_REPLY_PAYLOAD_LIMIT]
        listed = [b for b in reply.buttons if b not in quick[:MAX_QUICK_REPLIES]]
        if listed:  # links and choices beyond 13 are written in the text
            text = (text + "\n\n" if text else "") + numbered_choices(listed, hint=False)
        chunks = split_text(text, TEXT_LIMIT) or ([" "] if quick else [])
        for i, chunk in enumerate(chunks):
            message: dict[str, Any] = {"text": chunk}
            if i == len(chunks) - 1 and quick:
                shown = quick[:MAX_QUICK_REPLIES]
                titles = button_titles(
                    shown, QUICK_REPLY_TITLE_LIMIT, numbered=text_lists_buttons(reply.text, shown)
                )
                message["quick_replies"] = [
                    {"content_type": "text", "title": title, "payload": b.payload}
                    for title, b in zip(titles, shown, strict=True)
                ]
            out.append(message)
    return out


def _headers() -> dict[str, str]:
    return {"Authorization": f"Bearer {get_settings().messenger_page_token}"}


async def _typing(psid: str) -> None:
    url = f"{get_settings().messenger_api_base}/me/messages"
    body = {"recipient": {"id": psid}, "sender_action": "typing_on"}
    try:
        await outbound.request("POST", url, json=body, headers=_headers(), retries=0)
    except outbound.OutboundError as exc:
        log.info("typing indicator not sent: %s", exc)


async def _send(psid: str, message: dict[str, Any]) -> None:
    url = f"{get_settings().messenger_api_base}/me/messages"
    body = {"recipient": {"id": psid}, "messaging_type": "RESPONSE", "message": message}
    response = await outbound.request("POST", url, json=body, headers=_headers())
    if response.status_code >= 400:
        log.error("Send API refused a message to %s: %d %s", psid, response.status_code, response.text[:500])

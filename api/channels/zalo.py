"""Zalo Official Account connector: ``POST /webhooks/zalo``.

Inbound (Zalo OA webhook):

- ``X-ZEvent-Signature`` must equal ``mac=`` + hex SHA-256 (a plain hash, not an HMAC)
  of ``app_id + raw body + timestamp + OA secret key``, with ``app_id`` and
  ``timestamp`` taken from the body; compared in constant time. ``app_id`` must be the
  configured app, and ``timestamp`` (milliseconds) must lie within
  ``TTHC_WEBHOOK_REPLAY_WINDOW_S`` (default 300 s) of now, so a captured request cannot be
  replayed later. Anything else is 403 and nothing is processed. Within the window, an
  event is handled once, by whichever API instance records its message id (or, without
  one, the hash of its signed body) first (api/channels/replay.py).
- Accepted events are acknowledged with 200 at once and processed in a background task.
- ``user_send_text``: the text goes to Rasa as sender ``zalo-<user id>``. Buttons in
  Rasa's answers are sent as a numbered list; a reply "2" is mapped back to the
  second button's payload (so the intent is triggered directly). Clicks on OA
  buttons of type ``oa.query.show``/``oa.query.hide`` reach us as ``user_send_text``
  with the button's payload as text: plain words (``gặp cán bộ``) work, an intent
  payload does not (only the bot's own buttons are read as intents, api/button_payloads.py).
- ``follow`` and ``user_click_chatnow`` (the OA page's "Nhắn tin" button; once per
  user): greet (the greeting says it is an automated assistant). ``unfollow`` and
  other events (``user_received_message``, ``oa_send_*`` echoes…) are logged and ignored.

Outbound (OA Open API v3): ``POST {zalo_api_base}/v3.0/oa/message/cs`` with the
``access_token`` header and ``{"recipient": {"user_id"}, "message": {"text"}}``, text
cut under 2,000 characters. Error -216 (access token expired) refreshes the token with
the refresh token at ``{zalo_oauth_base}/v4/oa/access_token`` and stores the new pair
in ``var/channels/zalo_tokens.json`` (written atomically; Zalo refresh tokens are single
use, so the new one must be kept). Errors -213, -201, -230 (user not following, bad
parameters, outside the interaction window) are logged and the rest of that answer is
dropped; they never crash the app.

When ``TTHC_ZALO_APP_ID``/``TTHC_ZALO_OA_SECRET_KEY`` are not set the webhook is disabled
and answers 503 instead of accepting unsigned traffic.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import json
import logging
import os
import tempfile
import time
from pathlib import Path
from typing import Any

from fastapi import APIRouter, BackgroundTasks, Request
from fastapi.responses import JSONResponse

from api.channels import outbound
from api.channels.formatting import ChoiceMemory, Reply, numbered_choices, split_text
from api.channels.registry import channel
from api.channels.replay import SeenIds, fresh, seen_events
from api.channels.turn import GREETING_INTENT, bot_replies
from tthc.settings import get_settings

CHANNEL = channel("zalo")
log = logging.getLogger("tthc.channels.zalo")
router = APIRouter(prefix="/webhooks/zalo", tags=["channels"])

TEXT_LIMIT = 2000
TOKEN_EXPIRED = -216
WINDOW_ERRORS = {
    -213: "người dùng chưa quan tâm OA / user does not follow the OA",
    -201: "tham số không hợp lệ / invalid parameters",
    -230: "ngoài khung thời gian được phép trả lời / outside the reply window",
}

MAX_BODY_BYTES = 1_000_000  # platform events are a few kB

DISABLED = (
    "Kênh Zalo OA chưa được cấu hình (thiếu TTHC_ZALO_APP_ID hoặc TTHC_ZALO_OA_SECRET_KEY). / "
    "The Zalo OA channel is not configured."
)

_choices = ChoiceMemory()
_greeted = SeenIds()  # "Nhắn tin" clicks greet once per user (per process)


def _configured() -> bool:
    s = get_settings()
    return bool(s.zalo_app_id and s.zalo_oa_secret_key)


def _forbidden(reason: str) -> JSONResponse:
    log.warning("zalo webhook rejected: %s", reason)
    return JSONResponse({"detail": "Chữ ký không hợp lệ hoặc đã hết hạn. / Forbidden."}, status_code=403)


def expected_signature(app_id: str, raw_body: bytes, timestamp: str, oa_secret_key: str) -> str:
    digest = hashlib.sha256(app_id.encode() + raw_body + timestamp.encode() + oa_secret_key.encode())
    return "mac=" + digest.hexdigest()


@router.post("")
async def receive(request: Request, background: BackgroundTasks) -> Any:
    settings = get_settings()
    if not _configured():
        return JSONResponse({"detail": DISABLED}, status_code=503)
    if int(request.headers.get("content-length") or 0) > MAX_BODY_BYTES:
        return JSONResponse({"detail": "Nội dung quá lớn. / Payload too large."}, status_code=413)
    raw = await request.body()
    header = request.headers.get("x-zevent-signature")
    if not header:
        return _forbidden("missing X-ZEvent-Signature")
    try:
        body = json.loads(raw)
    except ValueError:
        return _forbidden("body is not JSON")
    if not isinstance(body, dict):
        return _forbidden("body is not an object")
    app_id, timestamp = str(body.get("app_id", "")), str(body.get("timestamp", ""))
    expected = expected_signature(app_id, raw, timestamp, settings.zalo_oa_secret_key)
    if not hmac.compare_digest(expected.encode(), header.strip().encode()):
        return _forbidden("wrong X-ZEvent-Signature")
    if not hmac.compare_digest(app_id.encode(), settings.zalo_app_id.encode()):
        return _forbidden(f"event for another app ({app_id!r})")
    if not fresh(timestamp):
        return _forbidden(f"timestamp outside the replay window ({timestamp!r})")

    event = str(body.get("event_name", ""))
    message = body.get("message") if isinstance(body.get("message"), dict) else {}
    body_key = f"zalo:{hashlib.sha256(raw).hexdigest()}"  # an event without its own id: the signed body
    if event == "user_send_text":
        user_id = str((body.get("sender") or {}).get("id") or "")
        text = str(message.get("text") or "").strip()
        key = f"zalo:{message['msg_id']}" if message.get("msg_id") else body_key
        if user_id and text and await seen_events.first_time(key):
            background.add_task(handle_text, user_id, text)
    elif event in ("follow", "user_click_chatnow"):
        # follow: {"follower": {"id"}}; user_click_chatnow (the OA's "Nhắn tin" button): {"user_id"}
        user_id = str((body.get("follower") or {}).get("id") or body.get("user_id") or "")
        first = event == "follow" or _greeted.first_time(user_id)
        if user_id and first and await seen_events.first_time(body_key):
            background.add_task(handle_text, user_id, GREETING_INTENT, True)
    else:
        log.info("zalo event %s ignored", event or "(none)")
    return JSONResponse({"status": "ok"})


async def handle_text(user_id: str, text: str, first_contact: bool = False) -> None:
    conversation = CHANNEL.prefix + user_id
    try:
        text = _choices.resolve(conversation, text)
        replies = await bot_replies(conversation, text, first_contact=first_contact)
        offered = [b for r in replies for b in r.buttons]
        _choices.offer(conversation, offered)
        for chunk in to_texts(replies):
            if not await send_text(user_id, chunk):
                break
    except Exception:
        log.exception("zalo reply to %s failed", user_id)


def to_texts(replies: list[Reply]) -> list[str]:
    """Rasa replies → text messages under Zalo's limit; buttons (of all replies) numbered once."""
    texts: list[str] = []
    buttons = [b for r in replies for b in r.buttons]
    for i, reply in enumerate(replies):
        text = reply.text
        if i == len(replies) - 1 and buttons:
            text = (text + "\n\n" if text else "") + numbered_choices(buttons, text=text)
        texts.extend(split_text(text, TEXT_LIMIT))
    return texts


# --------------------------------------------------------------------------- tokens

_token_lock = asyncio.Lock()


def token_file() -> Path:
    return get_settings().var_dir / "channels" / "zalo_tokens.json"


def load_tokens() -> dict[str, str]:
    settings = get_settings()
    tokens = {"access_token": settings.zalo_access_token, "refresh_token": settings.zalo_refresh_token}
    try:
        stored = json.loads(token_file().read_text(encoding="utf-8"))
        if isinstance(stored, dict) and stored.get("access_token"):
            tokens.update({k: str(stored[k]) for k in ("access_token", "refresh_token") if stored.get(k)})
    except (OSError, ValueError):
        pass
    return tokens


def store_tokens(access_token: str, refresh_token: str) -> None:
    """Write the token pair atomically (temp file in the same folder, then rename), mode 600."""
    path = token_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = {"access_token": access_token, "refresh_token": refresh_token, "updated_at": int(time.time())}
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".zalo_tokens.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(payload, f)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


async def refresh_tokens(expired_access_token: str) -> str | None:
    """Get a new access token with the refresh token; return it (None when refreshing failed)."""
    settings = get_settings()
    async with _token_lock:
        current = load_tokens()
        if current["access_token"] and current["access_token"] != expired_access_token:
            return current["access_token"]  # another task refreshed it meanwhile
        if not (current["refresh_token"] and settings.zalo_app_secret):
            log.error("zalo access token expired and no refresh token/app secret is configured")
            return None
        try:
            response = await outbound.request(
                "POST",
                f"{settings.zalo_oauth_base}/v4/oa/access_token",
                data={
                    "refresh_token": current["refresh_token"],
                    "app_id": settings.zalo_app_id,
                    "grant_type": "refresh_token",
                },
                headers={"secret_key": settings.zalo_app_secret},
            )
            answer = response.json()
        except (outbound.OutboundError, ValueError) as exc:
            log.error("zalo token refresh failed: %s", exc)
            return None
        if not (isinstance(answer, dict) and answer.get("access_token") and answer.get("refresh_token")):
            log.error("zalo token refresh refused: %s", str(answer)[:300])
            return None
        store_tokens(str(answer["access_token"]), str(answer["refresh_token"]))
        log.info("zalo access token refreshed")
        return str(answer["access_token"])


async def send_text(user_id: str, text: str) -> bool:
    """Send one customer-service text message; True when Zalo accepted it."""
    url = f"{get_settings().zalo_api_base}/v3.0/oa/message/cs"
    body = {"recipient": {"user_id": user_id}, "message": {"text": text}}
    token = load_tokens()["access_token"]
    for attempt in range(2):
        try:
            response = await outbound.request("POST", url, json=body, headers={"access_token": token})
            answer = response.json()
        except (outbound.OutboundError, ValueError) as exc:
            log.error("zalo send to %s failed: %s", user_id, exc)
            return False
        error = answer.get("error", 0) if isinstance(answer, dict) else None
        if error == 0:
            return True
        if error == TOKEN_EXPIRED and attempt == 0:
            new_token = await refresh_tokens(token)
            if not new_token:
                return False
            token = new_token
            continue
        if error in WINDOW_ERRORS:
            log.warning("zalo refused a message to %s: %s (%s)", user_id, error, WINDOW_ERRORS[error])
        else:
            log.error("zalo refused a message to %s: %s", user_id, str(answer)[:300])
        return False
    return False

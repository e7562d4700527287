"""POST /api/chat — the web chat's entry point, forwarded to Rasa's REST channel.

The first message is sent without ``sender``; the answer carries the conversation id the
server issued (api/web_sessions.py), which the client sends with every later message. An
id the server did not issue is refused with 403, so a client cannot continue anyone
else's conversation, on the web or on another channel.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel, Field

from api import rasa_client, web_sessions
from tthc import texts
from tthc.settings import get_settings

router = APIRouter(tags=["chat"])


class ChatRequest(BaseModel):
    sender: str | None = Field(
        None, description="Mã phiên do máy chủ cấp ở câu trả lời đầu tiên; bỏ trống để bắt đầu phiên mới"
    )
    message: str = Field(..., description="Tin nhắn của người dùng")


class ChatResponse(BaseModel):
    sender: str = Field(..., description="Mã phiên: gửi kèm các tin nhắn sau của cuộc trò chuyện này")
    messages: list[dict[str, Any]]


@router.post("/api/chat", response_model=ChatResponse)
async def chat(request: ChatRequest) -> ChatResponse:
    sender = request.sender if request.sender is not None else web_sessions.new_sender()
    if not web_sessions.is_issued(sender):
        raise HTTPException(403, texts.INVALID_SESSION)
    text = request.message.strip()
    if not text:
        raise HTTPException(422, texts.EMPTY_MESSAGE)
    limit = get_settings().max_message_chars
    if len(text) > limit:
        raise HTTPException(413, texts.too_long(limit))
    try:
        messages = await rasa_client.send_message(sender, text)
    except rasa_client.RateLimited as exc:
        raise HTTPException(429, texts.TOO_FAST, headers={"Retry-After": "5"}) from exc
    except rasa_client.RasaUnavailable as exc:
        raise HTTPException(503, texts.ASSISTANT_STARTING) from exc
    return ChatResponse(sender=sender, messages=messages)

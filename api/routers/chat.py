"""POST /api/chat — the web chat's entry point, forwarded to Rasa's REST channel."""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel, Field

from api import rasa_client
from tthc.settings import get_settings

router = APIRouter(tags=["chat"])

MAX_MESSAGE_CHARS = 2000  # default of TTHC_MAX_MESSAGE_CHARS (the body itself is limited in api/limits.py)
_SENDER = re.compile(r"^[A-Za-z0-9_-]{8,64}$")


class ChatRequest(BaseModel):
    sender: str = Field(..., description="Mã phiên của người dùng (8–64 ký tự chữ, số, - hoặc _)")
    message: str = Field(..., description="Tin nhắn của người dùng")


class ChatResponse(BaseModel):
    messages: list[dict[str, Any]]


@router.post("/api/chat", response_model=ChatResponse)
async def chat(request: ChatRequest) -> ChatResponse:
    if not _SENDER.match(request.sender):
        raise HTTPException(422, "Mã phiên không hợp lệ: cần 8–64 ký tự chữ, số, '-' hoặc '_'.")
    text = request.message.strip()
    if not text:
        raise HTTPException(422, "Tin nhắn trống: hãy nhập câu hỏi của bạn.")
    limit = get_settings().max_message_chars
    if len(text) > limit:
        raise HTTPException(413, f"Tin nhắn quá dài: tối đa {limit} ký tự.")
    try:
        messages = await rasa_client.send_message(request.sender, text)
    except rasa_client.RateLimited as exc:
        raise HTTPException(
            429,
            "Bạn gửi tin nhắn quá nhanh. Vui lòng đợi vài giây rồi gửi lại.",
            headers={"Retry-After": "5"},
        ) from exc
    except rasa_client.RasaUnavailable as exc:
        raise HTTPException(
            503, "Trợ lý đang khởi động hoặc tạm thời gián đoạn. Vui lòng thử lại sau ít phút."
        ) from exc
    return ChatResponse(messages=messages)

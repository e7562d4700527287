"""The fixed words citizens read from the API, the channels and the bot's own actions, in
one place. (The bot's small-talk replies are Rasa responses in domain.yml; answers about
procedures are composed from the records by indexer/answer_composer.py.)"""

from __future__ import annotations

# --- the assistant cannot answer right now
ASSISTANT_FAULT = (
    "Xin lỗi, hệ thống đang gặp sự cố nên tôi chưa trả lời được tin nhắn này. "
    "Bạn vui lòng gửi lại câu hỏi sau ít phút."
)
"""Rasa answered nothing (the actions are down or an action failed)."""
SEARCH_FAULT = (
    "Xin lỗi, hệ thống tra cứu đang gặp sự cố nên tôi chưa trả lời được. "
    'Bạn vui lòng thử lại sau ít phút, hoặc nhắn "gặp cán bộ" để được hỗ trợ.'
)
"""An action could not search (the index cannot be read)."""
ASSISTANT_STARTING = "Trợ lý đang khởi động hoặc tạm thời gián đoạn. Vui lòng thử lại sau ít phút."
"""Rasa is down or starting (web chat: 503)."""
CHANNEL_UNAVAILABLE = "Xin lỗi, trợ lý đang tạm thời gián đoạn. Bạn vui lòng nhắn lại sau ít phút."
"""Rasa is down, on Messenger and Zalo."""
NO_ANSWER = "Xin lỗi, tôi chưa có câu trả lời cho câu hỏi này."
"""A channel got no message to send."""

# --- the message itself
EMPTY_MESSAGE = "Tin nhắn trống: bạn hãy nhập câu hỏi về thủ tục cần làm."
TOO_FAST = "Bạn gửi tin nhắn quá nhanh. Vui lòng đợi vài giây rồi gửi lại."
INVALID_SESSION = "Phiên trò chuyện không hợp lệ hoặc đã hết hạn. Hãy tải lại trang để bắt đầu phiên mới."


def too_long(limit: int) -> str:
    return (
        f"Tin nhắn quá dài (tối đa {limit} ký tự). "
        "Bạn hãy hỏi ngắn gọn, ví dụ: “đăng ký khai sinh cần giấy tờ gì?”."
    )


# --- first contact on a channel (when the bot's own greeting does not say it is automated)
AUTOMATED_NOTICE = (
    "Xin chào! Tôi là trợ lý tự động (không phải cán bộ) hỗ trợ tra cứu thủ tục hành chính. "
    "Bạn cần hỏi về thủ tục nào?"
)

# --- hand-over and ratings (bot/actions/conversation_actions.py)
HANDOFF_NOTED = "Tôi đã ghi nhận yêu cầu gặp cán bộ"


def handoff_done(office_contact: str) -> str:
    return (
        f"{HANDOFF_NOTED}; cuộc trò chuyện này được đánh dấu để cán bộ xem lại. "
        f"Bạn cũng có thể liên hệ trực tiếp: {office_contact}."
    )


RATED_HELPFUL = "Cảm ơn bạn đã đánh giá!"
RATED_NOT_HELPFUL = (
    "Cảm ơn bạn, tôi đã ghi nhận câu trả lời chưa đúng để cán bộ bổ sung. "
    'Bạn có thể hỏi lại rõ hơn, hoặc nhắn "gặp cán bộ".'
)


# --- buttons under an answer (bot/actions/replies.py); domain.yml's responses name their own
HANDOFF_BUTTON = "Gặp cán bộ"
HELPFUL_BUTTON = "👍 Hữu ích"
NOT_HELPFUL_BUTTON = "👎 Chưa đúng"


def choose_by_number(choices: int) -> str:
    """Under a numbered list where a channel has no buttons (Zalo text, api/channels/formatting.py)."""
    return f"(Trả lời bằng số 1–{choices} để chọn.)"

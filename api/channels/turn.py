"""One citizen message of a channel → the bot's replies, the same for every channel."""

from __future__ import annotations

import logging

from api import rasa_client
from api.channels.formatting import Reply, from_rasa, mentions_automation
from tthc import texts

log = logging.getLogger("tthc.channels")

GREETING_INTENT = "/greet"


async def bot_replies(conversation: str, text: str, *, first_contact: bool = False) -> list[Reply]:
    """Rasa's answer to ``text`` in channel-neutral form, never empty.

    :param first_contact: the citizen opened the conversation (Get Started, follow) and
        ``text`` is our greeting intent; the first reply then says it is an automated assistant.
    """
    try:
        messages = await rasa_client.send_message(conversation, text, server_payload=first_contact)
        replies = from_rasa(messages)
    except rasa_client.RasaUnavailable as exc:
        log.error("Rasa unavailable for %s: %s", conversation, exc)
        replies = [Reply(texts.CHANNEL_UNAVAILABLE)]
    if not replies:
        replies = [Reply(texts.NO_ANSWER)]
    if first_contact and not mentions_automation(replies):
        replies.insert(0, Reply(texts.AUTOMATED_NOTICE))
    return replies

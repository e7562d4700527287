"""POST /webhook — the bot's custom actions (``bot.actions``), run in the API process.

Rasa calls its action endpoint with the standard action-server protocol (rasa-sdk's
``ActionExecutor``, the same request and response as ``python -m rasa_sdk``). Served here, the
embedding model and the index are loaded once per machine, by the process that also answers the
API and the staff search. A separate action server (``python -m rasa_sdk --actions bot.actions``)
still works where actions must run on other machines (README, "Deploying for a province").

Only Rasa may call it: the caller must send ``?token=`` equal to ``TTHC_ACTION_TOKEN``, or, when
no token is set, be on this machine.
"""

from __future__ import annotations

import json
import logging
import zlib
from functools import cache

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from rasa_sdk.executor import ActionExecutor
from rasa_sdk.interfaces import (
    ActionExecutionRejection,
    ActionMissingDomainException,
    ActionNotFoundException,
)

from api import metrics
from api.access import secret_or_loopback
from tthc.settings import get_settings

log = logging.getLogger("tthc.actions")
router = APIRouter(tags=["actions"], include_in_schema=False)
ACTIONS_PACKAGE = "bot.actions"


@cache
def executor() -> ActionExecutor:
    """The actions of ``bot.actions``, registered once (importing them loads the index)."""
    actions = ActionExecutor()
    actions.register_package(ACTIONS_PACKAGE)
    return actions


def _error(status: int, message: str, action: str | None = None) -> JSONResponse:
    return JSONResponse({"error": message, "action_name": action}, status_code=status)


@router.get("/health")
async def health() -> dict:
    """The actions are loaded: the same ``GET /health`` as a separate action server's."""
    executor()
    return {"status": "ok"}


@router.post("/webhook")
async def webhook(request: Request) -> JSONResponse:
    if not secret_or_loopback(request, get_settings().action_token, request.query_params.get("token", "")):
        return _error(403, "Chỉ máy chủ Rasa được gọi địa chỉ này. / Only the Rasa server may call this.")
    body = await request.body()
    try:
        if request.headers.get("content-encoding") == "deflate":
            body = zlib.decompress(body)
        action_call = json.loads(body)
    except (ValueError, zlib.error):
        return _error(400, "Nội dung không phải JSON hợp lệ. / Invalid body request.")
    if not isinstance(action_call, dict):
        return _error(400, "Nội dung không phải JSON hợp lệ. / Invalid body request.")
    try:
        result = await executor().run(action_call)
    except ActionExecutionRejection as exc:
        return _error(400, exc.message, exc.action_name)
    except ActionNotFoundException as exc:
        log.error("%s", exc)
        return _error(404, exc.message, exc.action_name)
    except ActionMissingDomainException as exc:  # Rasa sends the domain again
        return _error(449, exc.message, exc.action_name)
    if result is None:
        return JSONResponse(None)
    result = result.model_dump() if hasattr(result, "model_dump") else result
    metrics.observe_action((action_call.get("tracker") or {}).get("sender_id"), result.get("events"))
    return JSONResponse(result)

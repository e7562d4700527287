"""GET /api/health — is every part of the assistant up?"""

from __future__ import annotations

import httpx
from fastapi import APIRouter
from fastapi.responses import JSONResponse

from api import rasa_client
from api.routers import actions
from indexer import live_index
from tthc.settings import get_settings

router = APIRouter(tags=["health"])


async def _action_server_up() -> bool:
    base = get_settings().action_server_url
    if not base:  # the actions run in this process (api/routers/actions.py)
        try:
            actions.executor()
        except Exception:
            return False
        return True
    url = f"{base.rstrip('/')}/health"
    try:
        async with httpx.AsyncClient(timeout=2.0) as client:
            return (await client.get(url)).status_code == 200
    except httpx.HTTPError:
        return False


@router.get("/api/health")
async def health() -> JSONResponse:
    checks = {
        "rasa": await rasa_client.is_up(),
        "action_server": await _action_server_up(),
        "index": live_index.healthy(),  # a loaded index, or a complete one not known to be damaged
    }
    ok = all(checks.values())
    return JSONResponse(
        {"status": "ok" if ok else "degraded", "checks": checks}, status_code=200 if ok else 503
    )

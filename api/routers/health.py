"""GET /api/health — is every part of the assistant up?"""

from __future__ import annotations

import httpx
from fastapi import APIRouter
from fastapi.responses import JSONResponse

from api import index_guard, rasa_client
from tthc.settings import get_settings

router = APIRouter(tags=["health"])


async def _action_server_up() -> bool:
    url = f"http://127.0.0.1:{get_settings().action_server_port}/health"
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
        "index": index_guard.healthy(),  # a loaded index, or a complete one not known to be damaged
    }
    ok = all(checks.values())
    return JSONResponse(
        {"status": "ok" if ok else "degraded", "checks": checks}, status_code=200 if ok else 503
    )

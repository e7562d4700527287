"""The web chat page at / (the embeddable widget is served from /static)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import FileResponse

from api.static_files import STATIC_DIR

router = APIRouter(include_in_schema=False)


@router.get("/")
async def index() -> FileResponse:
    return FileResponse(STATIC_DIR / "index.html")

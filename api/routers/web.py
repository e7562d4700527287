"""The widget demo page at / and the embeddable widget itself at /widget.js.

``api/static/widget.js`` is built from ``api/widget/`` by ``make widget`` (esbuild)
and committed, so the app serves it without node. It is sent with ``no-cache`` (the
browser revalidates with the ETag), so portals get a new build at once.
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import FileResponse

from api.static_files import STATIC_DIR

router = APIRouter(include_in_schema=False)


@router.get("/")
async def index() -> FileResponse:
    return FileResponse(STATIC_DIR / "index.html", headers={"Cache-Control": "no-cache"})


@router.get("/widget.js")
async def widget() -> FileResponse:
    return FileResponse(
        STATIC_DIR / "widget.js",
        media_type="text/javascript; charset=utf-8",
        headers={"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"},
    )

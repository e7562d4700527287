"""FastAPI application: web chat, JSON API for staff tools, channel webhooks.

Run: ``uvicorn api.main:app`` (``make run`` does it on 127.0.0.1:8000).
"""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from api.routers import chat, health, web
from api.static_files import STATIC_DIR


def create_app() -> FastAPI:
    app = FastAPI(
        title="Trợ lý thủ tục hành chính — API",
        description="Tra cứu thủ tục hành chính và trò chuyện với trợ lý tự động.",
        version="0.1.0",
    )
    app.include_router(health.router)
    app.include_router(chat.router)
    app.include_router(web.router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    return app


app = create_app()

"""FastAPI application: web chat, JSON API for staff tools, channel webhooks.

Run: ``uvicorn api.main:app`` (``make run`` does it on 127.0.0.1:8000).
"""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.staticfiles import StaticFiles

from api import errors
from api.channels import messenger, zalo
from api.routers import chat, health, knowledge, web
from api.static_files import STATIC_DIR
from tthc.settings import get_settings


def create_app() -> FastAPI:
    app = FastAPI(
        title="Trợ lý thủ tục hành chính — API",
        description="Tra cứu thủ tục hành chính và trò chuyện với trợ lý tự động.",
        version="0.1.0",
    )
    errors.install(app)
    app.include_router(health.router)
    app.include_router(knowledge.router)
    app.include_router(chat.router)
    app.include_router(web.router)
    app.include_router(messenger.router)
    app.include_router(zalo.router)
    # The embeddable widget (/widget.js) runs on portal pages of other origins and posts to /api/chat.
    origins = [o.strip() for o in get_settings().widget_allowed_origins.split(",") if o.strip()]
    app.add_middleware(CORSMiddleware, allow_origins=origins, allow_methods=["GET", "POST"],
                       allow_headers=["Content-Type"], allow_credentials=False)  # fmt: skip
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    return app


app = create_app()

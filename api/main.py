"""FastAPI application: web chat, JSON API for staff tools, channel webhooks.

Run: ``uvicorn api.main:app`` (``make run`` does it on 127.0.0.1:8000).
"""

from __future__ import annotations

import importlib
import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from urllib.parse import urlsplit

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.staticfiles import StaticFiles

from api import errors, limits, logs, metrics
from api.channels.registry import CHANNELS
from api.routers import actions, chat, health, knowledge, staff, web
from api.static_files import STATIC_DIR
from indexer import live_index
from tthc.settings import get_settings

logger = logging.getLogger(__name__)


def _preload_index() -> None:
    try:
        live_index.retriever()  # validated load (indexer/live_index.py)
    except Exception:  # /api/health and the search endpoints report it
        logger.exception("could not load the search index")
    if not get_settings().action_server_url:
        actions.executor()  # the bot's actions, served by this process (POST /webhook)


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    # A damaged index (CURRENT naming a missing/corrupt build) stops the start-up with a clear message.
    live_index.check_at_startup()
    # Load model + index in the background so the first search does not wait for it.
    if get_settings().preload_index:
        threading.Thread(target=_preload_index, name="preload-index", daemon=True).start()
    yield


def create_app() -> FastAPI:
    logs.configure_api_logging(get_settings().log_format)  # JSON lines, personal data masked
    app = FastAPI(
        lifespan=lifespan,
        title="Trợ lý thủ tục hành chính — API",
        description="Tra cứu thủ tục hành chính và trò chuyện với trợ lý tự động.",
        version="0.1.0",
    )
    errors.install(app)
    app.include_router(health.router)
    app.include_router(knowledge.router)
    app.include_router(chat.router)
    app.include_router(web.router)
    app.include_router(staff.pages)
    app.include_router(staff.api)
    for channel in CHANNELS:  # the platforms' webhooks (/webhooks/messenger, /webhooks/zalo)
        if channel.module:
            app.include_router(importlib.import_module(channel.module).router)
    app.include_router(metrics.router)  # GET /metrics (Prometheus)
    app.include_router(actions.router)  # POST /webhook: the bot's actions, for Rasa
    # Early limits (api/limits.py): per-IP rate limit on /api/*, body size on every route.
    app.add_middleware(limits.RateLimit)
    app.add_middleware(limits.BodySizeLimit)
    # The embeddable widget (/widget.js) runs on portal pages of other origins and posts to /api/chat.
    # Default (unset): only the assistant's own public origin; "*" must be asked for explicitly.
    origins = [o.strip() for o in get_settings().widget_allowed_origins.split(",") if o.strip()]
    origins = origins or [_origin(get_settings().public_base_url)]
    app.add_middleware(CORSMiddleware, allow_origins=origins, allow_methods=["GET", "POST"],
                       allow_headers=["Content-Type"], allow_credentials=False)  # fmt: skip
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    return app


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


app = create_app()

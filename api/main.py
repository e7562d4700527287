"""FastAPI application: web chat, JSON API for staff tools, channel webhooks.

Run: ``uvicorn api.main:app`` (``make run`` does it on 127.0.0.1:8000).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.staticfiles import StaticFiles

from api import errors
from api.channels import messenger, zalo
from api.routers import chat, health, knowledge, staff, web
from api.static_files import STATIC_DIR
from tthc.settings import get_settings

logger = logging.getLogger(__name__)


def _preload_index() -> None:
    from indexer.procedure_search import Retriever

    try:
        Retriever.load()
    except Exception:  # /api/health and the search endpoints report it
        logger.exception("could not load the search index")


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    # Load model + index in the background so the first search does not wait for it.
    if get_settings().preload_index:
        threading.Thread(target=_preload_index, name="preload-index", daemon=True).start()
    yield


def create_app() -> FastAPI:
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
    app.include_router(messenger.router)
    app.include_router(zalo.router)
    # The embeddable widget (/widget.js) runs on portal pages of other origins and posts to /api/chat.
    origins = [o.strip() for o in get_settings().widget_allowed_origins.split(",") if o.strip()]
    app.add_middleware(CORSMiddleware, allow_origins=origins, allow_methods=["GET", "POST"],
                       allow_headers=["Content-Type"], allow_credentials=False)  # fmt: skip
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    return app


app = create_app()

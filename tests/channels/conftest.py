"""Fixtures of the channel tests: the real FastAPI app under uvicorn, plus local HTTP
servers standing in for the external platforms (Graph API, Zalo Open API/OAuth).

Only the external platform is replaced: requests reach our code over real HTTP with
real signatures, and our code's outbound calls are received over real HTTP.
"""

from __future__ import annotations

import json
import os
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from tests.conftest import session_bot
from tthc.stack.servers import REPO_ROOT, Bot, api_command, free_port

MESSENGER_ENV = {
    "TTHC_MESSENGER_VERIFY_TOKEN": "verify-me-123",
    "TTHC_MESSENGER_APP_SECRET": "messenger-app-secret",
    "TTHC_MESSENGER_PAGE_TOKEN": "page-token-abc",
}
ZALO_ENV = {
    "TTHC_ZALO_APP_ID": "1234567890123456789",
    "TTHC_ZALO_APP_SECRET": "zalo-app-secret",
    "TTHC_ZALO_OA_SECRET_KEY": "zalo-oa-secret-key",
    "TTHC_ZALO_ACCESS_TOKEN": "access-1",
    "TTHC_ZALO_REFRESH_TOKEN": "refresh-1",
}


@dataclass
class Recorded:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)

    def form(self) -> dict[str, str]:
        return {k: v[0] for k, v in parse_qs(self.body.decode()).items()}


Responder = Callable[[Recorded], tuple[int, Any]]


@dataclass
class FakeHTTP:
    """A tiny JSON HTTP server on 127.0.0.1 that records every request.

    ``responders`` maps a path to a function returning (status, JSON body); unknown
    paths answer 404.
    """

    responders: dict[str, Responder] = field(default_factory=dict)
    requests: list[Recorded] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self) -> FakeHTTP:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                parts = urlsplit(self.path)
                rec = Recorded(
                    self.command,
                    parts.path,
                    parse_qs(parts.query),
                    {k.lower(): v for k, v in self.headers.items()},
                    self.rfile.read(length) if length else b"",
                )
                fake.requests.append(rec)
                responder = fake.responders.get(parts.path)
                status, body = responder(rec) if responder else (404, {"error": "not found"})
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = _handle

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server:
            self.server.shutdown()
            self.server.server_close()

    def wait_for(self, predicate: Callable[[list[Recorded]], bool], timeout: float = 10.0) -> list[Recorded]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate(list(self.requests)):
                return list(self.requests)
            time.sleep(0.05)
        raise AssertionError(
            f"timed out; received: {[(r.method, r.path, r.body[:200]) for r in self.requests]}"
        )


def rasa_stand_in() -> FakeHTTP:
    """A stand-in for Rasa's REST webhook, used ONLY to test the connectors' own parsing,
    splitting and sending: it answers canned messages in Rasa's REST format. The slow
    tests talk to the real Rasa server instead.
    """
    long_text = "\n".join(
        f"{i}. Giấy tờ số {i}: bản chính hoặc bản sao có chứng thực, nộp tại Bộ phận Một cửa. "
        "Người nộp xuất trình căn cước khi nộp hồ sơ." * 2
        for i in range(1, 25)
    )

    def reply(rec: Recorded) -> tuple[int, Any]:
        body = rec.json()
        sender, text = body["sender"], body["message"]
        if text == "/greet":
            return 200, [{"recipient_id": sender, "text": "Xin chào! Bạn cần hỏi thủ tục nào?"}]
        if text == "dài":
            return 200, [{"recipient_id": sender, "text": long_text}]
        if text == "nút":
            buttons = [{"title": f"Lựa chọn số {i} có tiêu đề rất dài", "payload": f"/choose{{\"n\": {i}}}"}
                       for i in range(1, 16)]  # fmt: skip
            return 200, [{"recipient_id": sender, "text": "Bạn muốn hỏi gì?", "buttons": buttons}]
        return 200, [{"recipient_id": sender, "text": f"Bạn đã gửi: {text}"}]

    return FakeHTTP({"/webhooks/rest/webhook": reply}).start()


@dataclass
class App:
    url: str
    process: subprocess.Popen
    log_path: Path

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=5)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


def start_app(tmp: Path, env_extra: dict[str, str], clear: tuple[str, ...] = ()) -> App:
    """Start the real app (``uvicorn api.main:app``) on a free loopback port."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TTHC_MESSENGER_", "TTHC_ZALO_"))}
    env.update({"TTHC_VAR_DIR": str(tmp / "var"), "PYTHONUNBUFFERED": "1"}, **env_extra)
    for key in clear:
        env.pop(key, None)
    log_path = tmp / f"uvicorn-{port}.log"
    process = subprocess.Popen(
        api_command(port, access_log=True),
        cwd=REPO_ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=log_path.open("wb"),
        stderr=subprocess.STDOUT,
    )
    app = App(f"http://127.0.0.1:{port}", process, log_path)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"uvicorn exited:\n{app.log()}")
        try:
            if httpx.get(f"{app.url}/widget.js", timeout=1).status_code == 200:
                return app
        except httpx.HTTPError:
            time.sleep(0.1)
    app.stop()
    raise TimeoutError(f"uvicorn not ready:\n{app.log()}")


@pytest.fixture(scope="module")
def rasa() -> Iterator[FakeHTTP]:
    fake = rasa_stand_in()
    yield fake
    fake.stop()


@pytest.fixture(scope="module")
def platform() -> Iterator[FakeHTTP]:
    """Stands in for graph.facebook.com, openapi.zalo.me and oauth.zaloapp.com."""
    fake = FakeHTTP().start()
    yield fake
    fake.stop()


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory, rasa: FakeHTTP, platform: FakeHTTP) -> Iterator[App]:
    tmp = tmp_path_factory.mktemp("app")
    running = start_app(
        tmp,
        {
            **MESSENGER_ENV,
            **ZALO_ENV,
            "TTHC_RASA_URL": rasa.url,
            "TTHC_MESSENGER_API_BASE": f"{platform.url}/v19.0",
            "TTHC_ZALO_API_BASE": platform.url,
            "TTHC_ZALO_OAUTH_BASE": platform.url,
            "TTHC_CHANNEL_HTTP_RETRIES": "2",
        },
    )
    yield running
    running.stop()


def shared_bot(tmp_path_factory: pytest.TempPathFactory) -> Bot:
    """The one real Rasa + action server of the test session (tests/conftest.py), for
    tests/channels and tests/browser: starting Rasa costs tens of seconds."""
    return session_bot(tmp_path_factory)

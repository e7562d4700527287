"""Faults: the action server dies mid-conversation, Rasa restarts, the index is damaged or
rebuilt while the API serves traffic.

Real processes: action server, Rasa server (own SQLite tracker store), the app under
uvicorn — the citizen's side is ``POST /api/chat``. Index tests work on a copy of the
built index in a temporary folder (never on var/index).
"""

from __future__ import annotations

import os
import shutil
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from indexer.build import current_build, switch_current
from tests.web_chat import WebChat
from tthc import texts
from tthc.settings import get_settings
from tthc.stack.servers import free_port, sqlite_endpoints
from tthc.stack.services import (
    action_server,
    api_server,
    rasa_server,
    wait_port_free,
)

pytestmark = pytest.mark.slow


def kill(server) -> None:
    """SIGKILL the whole process group: a crash, not a clean stop."""
    if server.process is not None and server.process.poll() is None:
        os.killpg(os.getpgid(server.process.pid), signal.SIGKILL)
        server.process.wait(timeout=10)


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    workdir = tmp_path_factory.mktemp("faults")
    action_port, rasa_port = free_port(), free_port()
    endpoints = sqlite_endpoints(workdir, action_port, workdir / "tracker.db")
    actions = action_server(workdir, port=action_port)
    rasa = rasa_server(workdir, endpoints, {}, port=rasa_port)
    api = api_server(
        workdir,
        {
            "TTHC_RASA_URL": f"http://127.0.0.1:{rasa_port}",
            "TTHC_ACTION_SERVER_URL": f"http://127.0.0.1:{action_port}",
            "TTHC_PRELOAD_INDEX": "false",
        },
    )
    state = {"actions": actions, "rasa": rasa, "api": api, "workdir": workdir, "endpoints": endpoints}
    try:
        for server in (actions, rasa, api.server):
            server.start()
        for server in (actions, rasa, api.server):
            server.wait_ready()
        yield state
    finally:
        for server in (state["api"].server, state["rasa"], state["actions"]):
            server.stop()


def said(response: httpx.Response) -> str:
    return "\n".join(m.get("text") or "" for m in response.json()["messages"]).lower()


def test_action_server_killed_mid_conversation_then_back(stack: dict) -> None:
    api, chat = stack["api"].url, WebChat(stack["api"].url, timeout=90)
    first = chat.post("đăng ký khai sinh cần giấy tờ gì?")
    assert first.status_code == 200 and "khai sinh" in said(first)

    kill(stack["actions"])
    down = chat.post("thế còn lệ phí?")
    assert down.status_code == 200, down.text
    assert down.json()["messages"][0]["text"] == texts.ASSISTANT_FAULT  # polite, in Vietnamese
    health = httpx.get(f"{api}/api/health", timeout=30).json()
    assert health["checks"]["action_server"] is False

    back = action_server(stack["workdir"], port=stack["actions"].port)
    stack["actions"] = back
    back.start()
    back.wait_ready()
    deadline = time.monotonic() + 120
    while True:  # the worker loads the model and index in the background after start
        again = chat.post("thế còn lệ phí?")
        if again.json()["messages"][0]["text"] != texts.ASSISTANT_FAULT or time.monotonic() > deadline:
            break
        time.sleep(2)
    answer = said(again)
    assert "lệ phí" in answer and "khai sinh" in answer, answer  # the conversation went on


def test_rasa_restart_resumes_from_the_tracker_store(stack: dict) -> None:
    chat = WebChat(stack["api"].url, timeout=90)
    first = chat.post("đăng ký khai sinh cần giấy tờ gì?")
    assert first.status_code == 200 and "khai sinh" in said(first)

    rasa = stack["rasa"]
    rasa.stop()
    down = chat.post("mất bao lâu?")
    assert down.status_code == 503 and "thử lại" in down.json()["detail"]

    wait_port_free(rasa.port)
    restarted = rasa_server(stack["workdir"], stack["endpoints"], {}, port=rasa.port)
    stack["rasa"] = restarted
    restarted.start()
    restarted.wait_ready()
    after = chat.post("thế còn lệ phí?")
    assert after.status_code == 200
    assert "khai sinh" in said(after), said(after)  # the slot came back from the tracker store


# ----------------------------------------------------------------------------- index


@pytest.fixture
def index_copy(tmp_path: Path) -> Path:
    build = current_build(get_settings().resolved_index_dir)
    if build is None:
        pytest.fail("no built index in var/index: run `make index` first")
    root = tmp_path / "index"
    root.mkdir()
    shutil.copytree(build, root / build.name)
    switch_current(root, build.name)
    return root


def damage(build: Path, how: str) -> None:
    if how == "missing_faiss":
        (build / "dense.faiss").unlink()
    elif how == "truncated_docs":
        data = (build / "docs.jsonl").read_bytes()
        (build / "docs.jsonl").write_bytes(data[: len(data) // 2])
    elif how == "garbage_rows":
        (build / "rows.npy").write_bytes(b"\x93NUMPY garbage" * 10)
    elif how == "corrupt_procedures":
        with (build / "procedures.jsonl").open("r+b") as f:
            f.seek(1000)
            f.write(b"\x00\xff{{{not json")
    elif how == "empty_current":
        (build.parent / "CURRENT").write_text("does-not-exist\n")


@pytest.mark.parametrize(
    "how", ["missing_faiss", "truncated_docs", "garbage_rows", "corrupt_procedures", "empty_current"]
)
def test_damaged_index_is_refused(index_copy: Path, how: str) -> None:
    from indexer.build import named_build
    from indexer.validate import check_build

    build = named_build(index_copy)
    assert check_build(build) == []
    damage(build, how)
    assert check_build(named_build(index_copy)), how


def test_app_refuses_to_start_on_a_damaged_index(index_copy: Path, tmp_path: Path) -> None:
    damage(named_build_of(index_copy), "truncated_docs")
    api = api_server(tmp_path, {"TTHC_INDEX_DIR": str(index_copy), "TTHC_PRELOAD_INDEX": "false"})
    api.server.start()
    try:
        code = api.server.process.wait(timeout=120)
    finally:
        api.server.stop()
    log = api.server.log_tail(20000)
    assert code != 0
    assert "bị hỏng" in log and "docs.jsonl" in log and "tthc index --force" in log, log


def named_build_of(root: Path) -> Path:
    from indexer.build import named_build

    build = named_build(root)
    assert build is not None
    return build


def wait_for_log(server, text: str, limit_s: float = 90.0) -> None:
    """Until the server has logged ``text`` (a build loads in the background: slower on a busy
    machine), at most ``limit_s``; the test's assertions then say what is missing."""
    deadline = time.monotonic() + limit_s
    while text not in server.log_tail(50000) and time.monotonic() < deadline:
        time.sleep(0.2)


def test_index_rebuilt_while_serving_no_failed_request(index_copy: Path, tmp_path: Path) -> None:
    """CURRENT moves to a new build, then to a damaged one, under steady search traffic:
    every request answers 200 with the same results; the damaged build is never served."""
    api = api_server(
        tmp_path,
        {"TTHC_INDEX_DIR": str(index_copy), "TTHC_RATE_LIMIT_IP_PER_S": "0", "TTHC_PRELOAD_INDEX": "true"},
    )
    api.server.start()
    try:
        api.server.wait_ready()
        url = f"{api.url}/api/search"
        deadline = time.monotonic() + 180
        while True:  # first search loads model + index
            first = httpx.get(url, params={"q": "đăng ký khai sinh", "k": 3}, timeout=120)
            if first.status_code == 200 or time.monotonic() > deadline:
                break
            time.sleep(1)
        assert first.status_code == 200, first.text
        expected = [r["code"] for r in first.json()["results"]]

        failures: list[str] = []
        codes_seen: list[list[str]] = []
        stop = threading.Event()

        def traffic() -> None:
            with httpx.Client(timeout=30) as client:
                while not stop.is_set():
                    try:
                        r = client.get(url, params={"q": "đăng ký khai sinh", "k": 3})
                        if r.status_code != 200:
                            failures.append(f"{r.status_code} {r.text[:200]}")
                        else:
                            codes_seen.append([x["code"] for x in r.json()["results"]])
                    except httpx.HTTPError as exc:
                        failures.append(repr(exc))

        threads = [threading.Thread(target=traffic) for _ in range(4)]
        for t in threads:
            t.start()
        try:
            time.sleep(2)
            old = named_build_of(index_copy)
            new = index_copy / "rebuilt0000000001"
            shutil.copytree(old, new.with_suffix(".tmp"))  # a build is written aside, then renamed
            os.replace(new.with_suffix(".tmp"), new)
            switch_current(index_copy, new.name)
            wait_for_log(api.server, "search index switched to rebuilt0000000001")  # loaded meanwhile
            bad = index_copy / "damaged000000002"
            shutil.copytree(new, bad)
            damage(bad, "truncated_docs")
            switch_current(index_copy, bad.name)
            wait_for_log(api.server, "damaged000000002 rejected")
            time.sleep(1)  # and traffic goes on after it
        finally:
            stop.set()
            for t in threads:
                t.join(timeout=60)
        assert not failures, failures[:5]
        assert len(codes_seen) > 20
        assert all(codes == expected for codes in codes_seen)
        log = api.server.log_tail(50000)
        assert "search index switched to rebuilt0000000001" in log, log[-3000:]
        assert "damaged000000002 rejected" in log, log[-3000:]
        health = httpx.get(f"{api.url}/api/health", timeout=30).json()
        assert health["checks"]["index"] is True  # the last good index is still served
    finally:
        api.server.stop()

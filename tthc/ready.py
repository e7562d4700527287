"""Wait until every service answers, then print the web chat URL (a Procfile process).

It stays alive afterwards (honcho stops all processes when any one exits), as ``sleep``: the
Python interpreter is replaced, so waiting holds no interpreter in memory.
"""

from __future__ import annotations

import os
import signal
import sys
import time

import httpx

from tthc.settings import get_settings


def wait_until_ready(timeout_s: float = 300.0) -> bool:
    settings = get_settings()
    url = f"http://{settings.api_host}:{settings.api_port}/api/health"
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=2.0).status_code == 200:
                return True
        except httpx.HTTPError:
            pass
        time.sleep(1.0)
    return False


def main() -> int:
    settings = get_settings()
    started = time.monotonic()
    if wait_until_ready():
        print(
            f"\n  Trợ lý sẵn sàng sau {time.monotonic() - started:.0f} s — web chat: {settings.public_base_url}\n",
            flush=True,
        )
    else:
        print("Hết thời gian chờ: xem nhật ký của rasa và api ở trên để biết dịch vụ nào lỗi.", flush=True)
    try:
        os.execvp("sleep", ["sleep", "infinity"])
    except OSError:  # no coreutils sleep: wait here
        signal.pause()
    return 0


if __name__ == "__main__":
    sys.exit(main())

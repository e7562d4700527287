"""Start the real Rasa server and the API serving the bot's actions (end-to-end tests, benchmarks).

Each server runs in its own session (``setsid``) with stdin closed, on free
loopback ports, with its own SQLite tracker store in a temporary folder, and is
stopped with SIGINT then SIGKILL. Logs go to files that failing tests print.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

REPO_ROOT = Path(__file__).resolve().parents[2]  # tthc/stack/servers.py → the repository
RASA_PYTHON = REPO_ROOT / ".venv-rasa" / "bin" / "python"
# `rasa …` with the project's runtime fixes (bot/rasa_env/server.py), as in the Procfile
RASA_CMD = [str(RASA_PYTHON), "-m", "bot.rasa_env.server"]
APP_PYTHON = REPO_ROOT / ".venv" / "bin" / "python"
RASA_MODEL = REPO_ROOT / "var" / "rasa" / "models" / "current.tar.gz"


def api_command(port: int, access_log: bool = False) -> list[str]:
    """The command that serves the app (``uvicorn api.main:app``) on a loopback port: the one
    launcher of tests, benchmarks and the stack (the Procfile runs the same module)."""
    command = [str(APP_PYTHON), "-m", "uvicorn", "api.main:app", "--host", "127.0.0.1", "--port", str(port)]
    return command if access_log else [*command, "--no-access-log"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        HF_HUB_OFFLINE="1",
        TRANSFORMERS_OFFLINE="1",
        RASA_TELEMETRY_ENABLED="false",
        SQLALCHEMY_SILENCE_UBER_WARNING="1",
        SANIC_HOST="127.0.0.1",
        PYTHONUNBUFFERED="1",
    )
    return env


@dataclass
class Server:
    name: str
    cmd: list[str]
    health_url: str
    log_path: Path
    env: dict[str, str] = field(default_factory=_env)
    process: subprocess.Popen | None = None

    def start(self) -> None:
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            self.cmd,
            cwd=REPO_ROOT,
            env=self.env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_ready(self, timeout_s: float = 180.0) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited early:\n{self.log_tail()}")
            try:
                if httpx.get(self.health_url, timeout=2.0).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        raise TimeoutError(f"{self.name} not ready after {timeout_s} s:\n{self.log_tail()}")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        pgid = os.getpgid(self.process.pid)
        os.killpg(pgid, signal.SIGINT)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(pgid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def log_tail(self, chars: int = 4000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except OSError:
            return "(no log)"


@dataclass
class Bot:
    """A running Rasa server + the API process that serves its actions (``actions``)."""

    rasa: Server
    actions: Server
    rasa_url: str
    tracker_db: Path

    def say(self, sender: str, text: str, timeout: float = 60.0) -> list[dict]:
        response = httpx.post(
            f"{self.rasa_url}/webhooks/rest/webhook",
            json={"sender": sender, "message": text},
            timeout=timeout,
        )
        response.raise_for_status()
        return response.json()

    def stop(self) -> None:
        self.rasa.stop()
        self.actions.stop()


def sqlite_endpoints(workdir: Path, action_port: int, tracker_db: Path) -> Path:
    """Rasa endpoints as in endpoints.yml, with this action server and SQLite file."""
    path = workdir / f"endpoints-{action_port}.yml"
    path.write_text(
        f'action_endpoint:\n  url: "http://127.0.0.1:{action_port}/webhook"\n'
        f'tracker_store:\n  type: bot.rasa_env.tracker_store.CachedSQLTrackerStore\n  dialect: "sqlite"\n  db: "{tracker_db}"\n',
        encoding="utf-8",
    )
    return path


def start_bot(workdir: Path, tracker_db: Path | None = None) -> Bot:
    """Start the API (which serves the bot's actions, as in the default deployment) and a Rasa
    server wired to it; wait until both answer."""
    if not RASA_MODEL.exists():
        raise RuntimeError(f"No trained Rasa model at {RASA_MODEL}: run `make rasa-model` first.")
    workdir.mkdir(parents=True, exist_ok=True)
    action_port, rasa_port = free_port(), free_port()
    tracker_db = tracker_db or workdir / "tracker.db"
    endpoints = sqlite_endpoints(workdir, action_port, tracker_db)
    actions = Server(
        "api serving the actions",
        api_command(action_port),
        f"http://127.0.0.1:{action_port}/health",
        workdir / "actions.log",
    )
    actions.env.update(
        TTHC_RASA_URL=f"http://127.0.0.1:{rasa_port}",
        TTHC_STAFF_DB=str(workdir / "staff.db"),
        TTHC_RATE_LIMIT_IP_PER_S="0",
    )
    rasa = Server(
        "rasa server",
        [
            *RASA_CMD,
            "run",
            "--model",
            str(RASA_MODEL),
            "--endpoints",
            str(endpoints),
            "--credentials",
            str(REPO_ROOT / "credentials.yml"),
            "--interface",
            "127.0.0.1",
            "--port",
            str(rasa_port),
        ],
        f"http://127.0.0.1:{rasa_port}/",
        workdir / "rasa.log",
    )
    actions.start()
    rasa.start()
    try:
        actions.wait_ready()
        rasa.wait_ready()
    except Exception:
        rasa.stop()
        actions.stop()
        raise
    return Bot(rasa=rasa, actions=actions, rasa_url=f"http://127.0.0.1:{rasa_port}", tracker_db=tracker_db)

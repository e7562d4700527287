"""Real services for the reliability tests and the load benchmark (bench/load_chat.py).

- PostgreSQL (127.0.0.1:5432, trust auth) and Redis (127.0.0.1:6379) as the machine
  provides them; :func:`ensure_services` starts one that is down with the commands of the
  machine description, when it may (CI machines start both before the session).
- Rasa servers with ``endpoints.multi.yml`` (PostgreSQL tracker store + Redis lock store),
  each on its own free port, with a database and key prefix of their own per test run.
- The app under uvicorn, the action server.

Every process runs in its own session and is stopped by process group.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

from tthc.stack.servers import APP_PYTHON, RASA_CMD, RASA_MODEL, REPO_ROOT, Server, api_command, free_port

PG_HOST, PG_PORT = "127.0.0.1", "5432"
PG_USER = os.environ.get("TTHC_TEST_PG_USER", "postgres")
REDIS_HOST, REDIS_PORT = "127.0.0.1", "6379"


# --------------------------------------------------------------------------- PostgreSQL / Redis


def psql(sql: str, db: str = "postgres") -> str:
    out = subprocess.run(
        ["psql", "-h", PG_HOST, "-p", PG_PORT, "-U", PG_USER, "-d", db, "-Atqc", sql],
        capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    return out.stdout.strip()


def pg_up() -> bool:
    if not shutil.which("psql"):
        return False
    try:
        return psql("select 1") == "1"
    except (subprocess.SubprocessError, OSError):
        return False


def redis_up() -> bool:
    import redis

    try:
        return bool(redis.Redis(host=REDIS_HOST, port=int(REDIS_PORT), socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


def ensure_services() -> tuple[bool, bool]:
    """(PostgreSQL up, Redis up), starting a stopped one with the machine's own command."""
    if not pg_up() and shutil.which("pg_ctlcluster") and Path("/etc/postgresql").is_dir():
        for version in os.listdir("/etc/postgresql"):
            subprocess.run(
                ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "start"],
                capture_output=True, timeout=60, check=False,
            )  # fmt: skip
        time.sleep(2)
    if not redis_up() and shutil.which("redis-server"):
        subprocess.run(
            ["redis-server", "--daemonize", "yes", "--bind", "127.0.0.1", "-::1", "--port", REDIS_PORT,
             "--save", "", "--appendonly", "no", "--dir", "/var/lib/redis", "--logfile", "/var/log/redis/ci.log"],
            capture_output=True, timeout=30, check=False,
        )  # fmt: skip
        time.sleep(1)
    return pg_up(), redis_up()


@dataclass
class SharedStores:
    """A database and a Redis key prefix of their own (dropped by :meth:`drop`)."""

    db: str
    key_prefix: str

    @classmethod
    def create(cls) -> SharedStores:
        tag = uuid.uuid4().hex[:10]
        stores = cls(db=f"tthc_rel_{tag}", key_prefix=f"tthcrel{tag}")
        psql(f"CREATE DATABASE {stores.db}")
        return stores

    def env(self, action_url: str) -> dict[str, str]:
        """The variables endpoints.multi.yml reads."""
        return {
            "TTHC_ACTION_ENDPOINT_URL": action_url,
            "TTHC_ACTION_TOKEN": "jeton-kiem-thu",  # a separate action server ignores it
            "TTHC_PG_HOST": PG_HOST,
            "TTHC_PG_PORT": PG_PORT,
            "TTHC_PG_DB": self.db,
            "TTHC_PG_LOGIN_DB": "postgres",
            "TTHC_PG_USER": PG_USER,
            "TTHC_PG_PASSWORD": "",
            "TTHC_REDIS_HOST": REDIS_HOST,
            "TTHC_REDIS_PORT": REDIS_PORT,
            "TTHC_REDIS_DB": "1",
            "TTHC_REDIS_PASSWORD": "",
            "TTHC_REDIS_KEY_PREFIX": self.key_prefix,
        }

    def user_events(self, sender_like: str = "%") -> dict[str, int]:
        out = psql(
            "SELECT sender_id, COUNT(*) FROM events WHERE type_name = 'user' "
            f"AND sender_id LIKE '{sender_like}' GROUP BY sender_id",
            db=self.db,
        )
        return {line.split("|")[0]: int(line.split("|")[1]) for line in out.splitlines() if line}

    def events(self, sender: str) -> list[str]:
        out = psql(f"SELECT data FROM events WHERE sender_id = '{sender}' ORDER BY id", db=self.db)
        return out.splitlines()

    def drop(self) -> None:
        import redis

        with contextlib.suppress(subprocess.SubprocessError):
            psql(f"DROP DATABASE IF EXISTS {self.db} WITH (FORCE)")
        try:
            client = redis.Redis(host=REDIS_HOST, port=int(REDIS_PORT), db=1)
            for key in client.scan_iter(f"{self.key_prefix}:*"):
                client.delete(key)
        except redis.RedisError:
            pass


# --------------------------------------------------------------------------- servers


def action_server(workdir: Path, port: int | None = None, env: dict[str, str] | None = None) -> Server:
    port = port or free_port()
    server = Server(
        "action server",
        [str(APP_PYTHON), "-m", "rasa_sdk", "--actions", "bot.actions", "--port", str(port)],
        f"http://127.0.0.1:{port}/health",
        workdir / f"actions-{port}.log",
    )
    server.env.update(env or {})
    server.port = port  # type: ignore[attr-defined]
    return server


def rasa_server(
    workdir: Path, endpoints: Path, env: dict[str, str], port: int | None = None, workers: int = 1
) -> Server:
    if not RASA_MODEL.exists():
        raise RuntimeError(f"No trained Rasa model at {RASA_MODEL}: run `make rasa-model` first.")
    port = port or free_port()
    server = Server(
        f"rasa server :{port}",
        [*RASA_CMD, "run", "--model", str(RASA_MODEL), "--endpoints", str(endpoints),
         "--credentials", str(REPO_ROOT / "credentials.yml"), "--interface", "127.0.0.1", "--port", str(port)],
        f"http://127.0.0.1:{port}/",
        workdir / f"rasa-{port}.log",
    )  # fmt: skip
    server.env.update(env)
    server.env["SANIC_WORKERS"] = str(workers)
    server.port = port  # type: ignore[attr-defined]
    return server


def sticky_api(workdir: Path, rasas: list[Server]) -> Api:
    """The API in front of these Rasa servers (each conversation on one, by sender); no
    index preloading, no per-IP limit (every test request comes from 127.0.0.1)."""
    urls = ",".join(f"http://127.0.0.1:{r.port}" for r in rasas)  # type: ignore[attr-defined]
    return api_server(
        workdir, {"TTHC_RASA_URL": urls, "TTHC_PRELOAD_INDEX": "false", "TTHC_RATE_LIMIT_IP_PER_S": "0"}
    )


@contextlib.contextmanager
def running(servers: list[Server]) -> Iterator[None]:
    """Start the servers together, wait until each answers, stop them (in reverse) after."""
    try:
        for server in servers:
            server.start()
        for server in servers:
            server.wait_ready()
        yield
    finally:
        for server in reversed(servers):
            server.stop()


def say(rasa_url: str, sender: str, text: str, timeout: float = 60.0) -> list[dict]:
    response = httpx.post(
        f"{rasa_url}/webhooks/rest/webhook", json={"sender": sender, "message": text}, timeout=timeout
    )
    response.raise_for_status()
    return response.json()


def wait_port_free(port: int, timeout_s: float = 30.0) -> None:
    """A killed Rasa server needs a few seconds to free its port."""
    import socket

    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as Sanic does: TIME_WAIT is fine
            try:
                sock.bind(("127.0.0.1", port))
                return
            except OSError:
                time.sleep(0.5)
    raise TimeoutError(f"port {port} still in use")


@dataclass
class Api:
    url: str
    server: Server


def api_server(workdir: Path, env: dict[str, str], port: int | None = None) -> Api:
    port = port or free_port()
    server = Server(
        "api",
        api_command(port),
        f"http://127.0.0.1:{port}/widget.js",
        workdir / f"api-{port}.log",
    )
    server.env.update(env)
    return Api(f"http://127.0.0.1:{port}", server)

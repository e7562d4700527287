"""The server's secret key and the short HMAC signatures made with it.

Two things a client must not be able to forge are signed with it: the web chat's
conversation ids (:mod:`api.web_sessions`) and the payloads of the bot's buttons
(:mod:`api.button_payloads`). The key is ``TTHC_SECRET_KEY``; when unset, one is generated
on first use and kept in ``<var_dir>/secret_key`` (mode 600), so a restart keeps every
conversation and button valid (if that file cannot be written, a key for this process only).
API instances on several machines must share one key.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import secrets
import threading
from pathlib import Path

from tthc.settings import get_settings

log = logging.getLogger("tthc.signing")
_lock = threading.Lock()
_keys: dict[str, bytes] = {}


def _key_file() -> Path:
    return get_settings().var_dir / "secret_key"


def _load_or_create(path: Path) -> bytes:
    if path.exists():
        return path.read_text(encoding="ascii").strip().encode()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    tmp = path.with_name(f".{path.name}.{os.getpid()}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as out:
        out.write(key)
    try:
        os.link(tmp, path)  # the first instance to get here wins; the others read its key
    except FileExistsError:
        pass
    finally:
        tmp.unlink()
    return path.read_text(encoding="ascii").strip().encode()


def secret_key() -> bytes:
    configured = get_settings().secret_key
    if configured:
        return configured.encode()
    path = _key_file()
    with _lock:
        key = _keys.get(str(path))
        if key is None:
            try:
                key = _load_or_create(path)
            except OSError as exc:  # read-only disk: ids and buttons stay valid until the next restart
                log.error("cannot keep the secret key in %s (%s); set TTHC_SECRET_KEY", path, exc)
                key = secrets.token_hex(32).encode()
            _keys[str(path)] = key
    return key


def signature(purpose: str, value: str, length: int = 16) -> str:
    """Hex HMAC-SHA256 of ``value`` for one ``purpose`` (a signature of one use is no good for another)."""
    mac = hmac.new(secret_key(), f"{purpose}\n{value}".encode(), hashlib.sha256)
    return mac.hexdigest()[:length]


def signed(purpose: str, value: str, sig: str, length: int = 16) -> bool:
    return len(sig) == length and hmac.compare_digest(signature(purpose, value, length), sig)

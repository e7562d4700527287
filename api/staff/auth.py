"""Staff accounts and sessions for the pages that show conversations (dashboard,
handoff queue).

- Accounts are created only from the command line (``tthc staff add-user NAME``): there
  is no default account and no default password.
- Passwords are hashed with scrypt (``hashlib.scrypt``, n=2**15, r=8, p=1, 16-byte salt),
  compared in constant time.
- Sessions are server-side: the cookie carries a random 256-bit token, the database
  keeps only its SHA-256, so a copy of the database opens no session. Logout deletes it.
- Failed logins are counted per account and per client address in the database (so
  every worker shares the count); past ``staff_login_max_failures`` in
  ``staff_login_window_s`` the login answers 429 until the window has passed.

The handoff queue's "handled" marks (who, when) are kept here too — the tracker store is
only read, never written.

Everything lives in one SQLite file (``TTHC_STAFF_DB``, default ``var/staff/staff.db``).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import sqlite3
import time
from contextlib import closing, suppress
from dataclasses import dataclass
from pathlib import Path

SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**15, 8, 1
MIN_PASSWORD = 10
USERNAME = re.compile(r"^[A-Za-z0-9._-]{2,64}$")
COOKIE = "tthc_staff"

_SCHEMA = """
create table if not exists users (
    name text primary key,
    password_hash text not null,
    created_at real not null
);
create table if not exists sessions (
    token_sha256 text primary key,
    name text not null references users(name) on delete cascade,
    created_at real not null,
    expires_at real not null
);
create table if not exists login_failures (
    key text not null,
    at real not null
);
create index if not exists login_failures_key on login_failures(key, at);
create table if not exists handled (
    sender_id text primary key,
    name text not null,
    at real not null
);
"""


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(
        password.encode("utf-8"), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, maxmem=64 * 1024 * 1024
    )
    b64 = base64.b64encode
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${b64(salt).decode()}${b64(digest).decode()}"


def verify_password(password: str, stored: str) -> bool:
    try:
        kind, n, r, p, salt, digest = stored.split("$")
        if kind != "scrypt":
            return False
        expected = base64.b64decode(digest)
        actual = hashlib.scrypt(
            password.encode("utf-8"),
            salt=base64.b64decode(salt),
            n=int(n),
            r=int(r),
            p=int(p),
            maxmem=64 * 1024 * 1024,
            dklen=len(expected),
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(actual, expected)


# A hash to compare against when the account does not exist, so the answer takes as long.
_DUMMY_HASH = None


def _dummy_hash() -> str:
    global _DUMMY_HASH
    if _DUMMY_HASH is None:
        _DUMMY_HASH = hash_password(secrets.token_hex(16))
    return _DUMMY_HASH


class AuthError(Exception):
    pass


class RateLimited(AuthError):
    def __init__(self, retry_after: int) -> None:
        super().__init__("rate limited")
        self.retry_after = retry_after


@dataclass
class Session:
    name: str
    token: str
    expires_at: float


class StaffStore:
    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    def _db(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(self.path, timeout=10.0)
        conn.execute("pragma foreign_keys = on")
        conn.executescript(_SCHEMA)
        with suppress(OSError):
            self.path.chmod(0o600)
        return conn

    # ------------------------------------------------------------------ accounts
    def has_users(self) -> bool:
        if not self.path.exists():
            return False
        with closing(self._db()) as db:
            return db.execute("select 1 from users limit 1").fetchone() is not None

    def users(self) -> list[str]:
        with closing(self._db()) as db:
            return [r[0] for r in db.execute("select name from users order by name")]

    def add_user(self, name: str, password: str, replace: bool = False) -> None:
        if not USERNAME.match(name):
            raise AuthError("Tên đăng nhập chỉ gồm chữ không dấu, số, '.', '_' hoặc '-' (2–64 ký tự).")
        if len(password) < MIN_PASSWORD:
            raise AuthError(f"Mật khẩu phải có ít nhất {MIN_PASSWORD} ký tự.")
        if password.strip() != password or password.lower() == name.lower():
            raise AuthError("Mật khẩu không được trùng tên đăng nhập hay có khoảng trắng ở đầu/cuối.")
        with closing(self._db()) as db, db:
            exists = db.execute("select 1 from users where name = ?", (name,)).fetchone()
            if exists and not replace:
                raise AuthError(f"Tài khoản {name} đã có (dùng --replace để đổi mật khẩu).")
            db.execute(
                "insert or replace into users(name, password_hash, created_at) values (?, ?, ?)",
                (name, hash_password(password), time.time()),
            )
            db.execute("delete from sessions where name = ?", (name,))

    def remove_user(self, name: str) -> bool:
        with closing(self._db()) as db, db:
            db.execute("delete from sessions where name = ?", (name,))
            return db.execute("delete from users where name = ?", (name,)).rowcount > 0

    # ------------------------------------------------------------------ login
    def _failures(
        self, db: sqlite3.Connection, keys: list[str], window: int, now: float
    ) -> tuple[int, float]:
        db.execute("delete from login_failures where at < ?", (now - window,))
        worst, oldest = 0, now
        for key in keys:
            n, first = db.execute(
                "select count(*), min(at) from login_failures where key = ?", (key,)
            ).fetchone()
            if n > worst:
                worst, oldest = n, first or now
        return worst, oldest

    def login(
        self,
        name: str,
        password: str,
        client: str,
        hours: float = 12.0,
        max_failures: int = 5,
        window: int = 900,
    ) -> Session:
        """A new session, or AuthError (wrong name/password) / RateLimited."""
        now = time.time()
        keys = [f"user:{name.lower()}", f"ip:{client}"]
        with closing(self._db()) as db, db:
            failures, oldest = self._failures(db, keys, window, now)
            if failures >= max_failures:
                raise RateLimited(max(1, int(oldest + window - now)))
            row = db.execute("select password_hash from users where name = ?", (name,)).fetchone()
            ok = verify_password(password, row[0] if row else _dummy_hash()) and row is not None
            if not ok:
                # committed before raising (an exception inside ``with db`` rolls back)
                db.executemany("insert into login_failures(key, at) values (?, ?)", [(k, now) for k in keys])
                db.commit()
                raise AuthError("Sai tên đăng nhập hoặc mật khẩu.")
            db.execute("delete from login_failures where key = ?", (keys[0],))
            db.execute("delete from sessions where expires_at < ?", (now,))
            token = secrets.token_urlsafe(32)
            expires = now + hours * 3600
            db.execute(
                "insert into sessions(token_sha256, name, created_at, expires_at) values (?, ?, ?, ?)",
                (_sha(token), name, now, expires),
            )
        return Session(name, token, expires)

    def session(self, token: str | None) -> Session | None:
        if not token or len(token) > 200 or not self.path.exists():
            return None
        with closing(self._db()) as db:
            row = db.execute(
                "select name, expires_at from sessions where token_sha256 = ?", (_sha(token),)
            ).fetchone()
        if row is None or row[1] < time.time():
            return None
        return Session(row[0], token, row[1])

    # ------------------------------------------------------------------ handoff queue
    def mark_handled(self, sender_id: str, name: str) -> None:
        """A staff member took care of a flagged conversation (a later handoff re-opens it)."""
        with closing(self._db()) as db, db:
            db.execute(
                "insert or replace into handled(sender_id, name, at) values (?, ?, ?)",
                (sender_id, name, time.time()),
            )

    def handled(self) -> dict[str, tuple[str, float]]:
        if not self.path.exists():
            return {}
        with closing(self._db()) as db:
            return {r[0]: (r[1], r[2]) for r in db.execute("select sender_id, name, at from handled")}

    def logout(self, token: str | None) -> None:
        if not token or not self.path.exists():
            return
        with closing(self._db()) as db, db:
            db.execute("delete from sessions where token_sha256 = ?", (_sha(token),))


def _sha(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def get_store() -> StaffStore:
    from tthc.settings import get_settings

    return StaffStore(get_settings().resolved_staff_db)

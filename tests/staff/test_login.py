"""Staff login: no default account, real hash, server-side session, rate limit, logout."""

from __future__ import annotations

import subprocess

import pytest
from fastapi.testclient import TestClient

from api.staff.auth import COOKIE, get_store, verify_password
from tests.staff.conftest import PASSWORD, add_user, login
from tthc.stack.servers import REPO_ROOT


def test_no_account_by_default_and_the_page_says_how_to_create_one(client: TestClient) -> None:
    assert not get_store().has_users()
    html = client.get("/staff/login").text
    assert "tthc staff add-user" in html
    assert login(client, "admin", "admin").status_code == 401


def test_pages_and_json_need_a_session(client: TestClient) -> None:
    page = client.get("/staff/insights", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"].startswith("/staff/login?next=")
    assert client.get("/staff/conversations/web-abc", follow_redirects=False).status_code == 303
    response = client.get("/api/staff/insights")
    assert response.status_code == 401 and "đăng nhập" in response.json()["detail"]
    assert client.get("/api/staff/conversations/web-abc").status_code == 401
    marked = client.post("/staff/conversations/web-abc/handled", follow_redirects=False)
    assert marked.status_code == 303 and marked.headers["location"].startswith("/staff/login")
    client.cookies.set(COOKIE, "forged-token")
    assert client.get("/api/staff/insights").status_code == 401


def test_wrong_password_then_session_then_logout(client: TestClient) -> None:
    add_user()
    wrong = login(client, password="mat-khau-sai-000")
    assert wrong.status_code == 401 and "Sai tên đăng nhập hoặc mật khẩu" in wrong.text
    assert COOKIE not in wrong.cookies

    ok = login(client)
    assert ok.status_code == 303 and ok.headers["location"] == "/staff/insights"
    cookie = ok.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie.replace("Strict", "strict")
    assert "Path=/" in cookie
    token = ok.cookies[COOKIE]
    client.cookies.set(COOKIE, token)
    page = client.get("/staff/insights")
    assert (
        page.status_code == 200
        and "Bảng theo dõi" in page.text
        and "no-store" in page.headers["cache-control"]
    )
    assert client.get("/api/staff/insights").status_code == 200

    assert client.post("/staff/logout", follow_redirects=False).status_code == 303
    client.cookies.set(COOKIE, token)  # the old token is dead server-side
    assert client.get("/api/staff/insights").status_code == 401


def test_stored_hash(client: TestClient, staff_env) -> None:
    import sqlite3

    add_user()
    with sqlite3.connect(staff_env / "staff.db") as db:
        stored = db.execute("select password_hash from users").fetchone()[0]
    assert stored.startswith("scrypt$") and PASSWORD not in stored
    assert verify_password(PASSWORD, stored) and not verify_password(PASSWORD + "x", stored)


def test_login_is_rate_limited(client: TestClient) -> None:
    add_user()
    for _ in range(5):
        assert login(client, password="mat-khau-sai-000").status_code == 401
    blocked = login(client)  # even the right password waits
    assert blocked.status_code == 429 and "thử lại sau" in blocked.text
    assert int(blocked.headers["retry-after"]) > 0


def test_login_refuses_other_origins_and_open_redirects(client: TestClient) -> None:
    add_user()
    evil = client.post(
        "/staff/login",
        content=f"username=canbo&password={PASSWORD}",
        headers={"Content-Type": "application/x-www-form-urlencoded", "Origin": "https://evil.example"},
        follow_redirects=False,
    )
    assert evil.status_code == 403
    ok = login(client, next="https://evil.example/x")
    assert ok.status_code == 303 and ok.headers["location"] == "/staff/insights"


def test_cli_creates_an_account(staff_env) -> None:
    env = {"TTHC_STAFF_DB": str(staff_env / "cli.db"), "PATH": "/usr/bin:/bin"}
    cmd = [str(REPO_ROOT / ".venv" / "bin" / "tthc"), "staff", "add-user", "nguyen.van.a", "--password-stdin"]
    short = subprocess.run(cmd, input="ngan\n", capture_output=True, text=True, env=env, cwd=REPO_ROOT)
    assert short.returncode == 1 and "ít nhất 10" in short.stderr
    done = subprocess.run(cmd, input=PASSWORD + "\n", capture_output=True, text=True, env=env, cwd=REPO_ROOT)
    assert done.returncode == 0, done.stderr
    listed = subprocess.run([*cmd[:2], "list-users"], capture_output=True, text=True, env=env, cwd=REPO_ROOT)
    assert listed.stdout.split() == ["nguyen.van.a"]


@pytest.mark.parametrize(
    "public_base_url, explicit, secure",
    [
        ("https://dichvucong.tinh.gov.vn", None, True),  # the outside probe: https without the flag set
        ("http://localhost:8000", None, False),
        ("https://dichvucong.tinh.gov.vn", "false", False),  # an operator may still turn it off
        ("http://10.0.0.5:8000", "true", True),
    ],
)
def test_the_session_cookie_is_secure_whenever_the_site_is_https(
    staff_env, monkeypatch, public_base_url: str, explicit: str | None, secure: bool
) -> None:
    from api.main import create_app
    from tthc.settings import get_settings

    monkeypatch.setenv("TTHC_PUBLIC_BASE_URL", public_base_url)
    if explicit is None:
        monkeypatch.delenv("TTHC_STAFF_COOKIE_SECURE", raising=False)
    else:
        monkeypatch.setenv("TTHC_STAFF_COOKIE_SECURE", explicit)
    get_settings.cache_clear()
    add_user()
    with TestClient(create_app(), base_url="http://testserver") as client:
        cookie = login(client).headers["set-cookie"]
    assert ("; Secure" in cookie or "; secure" in cookie) is secure, cookie

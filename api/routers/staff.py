"""Staff pages (one-stop desk) and their login-protected JSON.

Public (no personal data): ``/staff`` (search as you type over ``/api/search?mode=lexical``),
``/staff/procedures/{code}`` (every field), ``/staff/procedures/{code}/checklist``
(printable list of documents for the citizen at the counter), ``/staff/events`` and
``/staff/events/{id}`` (printable "việc cần làm" sheet of a life event).

Login required (they show what citizens wrote): ``/staff/insights`` (office dashboard,
handoff queue), ``/staff/conversations/{sender_id}`` (one transcript), and the JSON
``/api/staff/insights`` and ``/api/staff/conversations/{sender_id}``. Pages redirect
to ``/staff/login``; the JSON answers 401.

Pages are Jinja2 templates (autoescaped) with one script and one stylesheet from
``/static`` and a Content-Security-Policy that forbids inline scripts.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import parse_qs, quote, urlsplit

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from api.channels.registry import channel_of, labels
from api.routers.knowledge import ERROR_RESPONSES, ErrorBody
from api.staff import auth
from api.staff.insights import compute, transcript
from api.staff.tracker_reader import TrackerUnavailable, get_reader
from indexer.answer_composer import levels_text
from knowledge.freshness import default_check
from knowledge.schema import RECORD_ID, DocumentRole
from tthc.settings import get_settings

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).resolve().parent.parent / "staff" / "templates"))


def _vn_time(iso: str | None) -> str:
    """'2026-11-23T19:28:25+07:00' → '23/11/2026 19:28' (already in the office's time zone)."""
    try:
        return dt.datetime.fromisoformat(iso or "").strftime("%d/%m/%Y %H:%M")
    except ValueError:
        return iso or ""


TEMPLATES.env.filters["vn_time"] = _vn_time
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)
MARKERS = {
    "procedure_code": "Thủ tục đang hỏi",
    "no_match": "Không tìm thấy thủ tục phù hợp",
    "rating": "Đánh giá",
    "handoff_requested": "Yêu cầu gặp cán bộ",
}
_SENDER = re.compile(r"[^\x00-\x1f]{1,255}")

pages = APIRouter(include_in_schema=False)
api = APIRouter(
    prefix="/api/staff",
    tags=["staff"],
    responses={
        401: {"model": ErrorBody, "description": "Chưa đăng nhập tài khoản cán bộ"},
        404: ERROR_RESPONSES[404],
        422: ERROR_RESPONSES[422],
        503: {"model": ErrorBody, "description": "Không đọc được kho hội thoại của Rasa"},
    },
)


# --------------------------------------------------------------------------- helpers
def _render(
    request: Request, name: str, status: int = 200, private: bool = False, **ctx: Any
) -> HTMLResponse:
    ctx.setdefault("user", None)
    response = TEMPLATES.TemplateResponse(request, name, ctx, status_code=status)
    _secure_headers(response, private)
    return response


def _secure_headers(response: Response, private: bool = False) -> None:
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["X-Frame-Options"] = "DENY"
    if private:
        response.headers["Cache-Control"] = "no-store"


def _current_user(request: Request) -> str | None:
    session = auth.get_store().session(request.cookies.get(auth.COOKIE))
    return session.name if session else None


def _retriever():
    """The same retriever as the JSON API (and the same 503 when there is no index)."""
    from api.routers import knowledge

    return knowledge._retriever()


def _doc_groups(p) -> list[dict]:
    """The dossier in the order the bot answers it (:func:`indexer.dossier.dossier`): the
    ordinary case, situations, special cases, notes; every row of the record once."""
    from indexer.dossier import dossier

    view = dossier(p)
    special = DocumentRole.CONDITIONAL.label
    groups = [
        (DocumentRole.SUBMIT.label, DocumentRole.SUBMIT, view.submit),
        (DocumentRole.SHOW.label, DocumentRole.SHOW, view.show),
        *[(f"Trường hợp: {s.label}", DocumentRole.CONDITIONAL, s.rows) for s in view.situations],
        *[
            (f"{special}: {c.label}" if c.label else special, DocumentRole.CONDITIONAL, c.rows)
            for c in view.cases
        ],
        (DocumentRole.NOTE.label, DocumentRole.NOTE, view.notes),
    ]
    out, n = [], 0
    for label, role, rows in groups:
        if not rows:
            continue
        docs = []
        for d in rows:
            n += 1
            docs.append(
                {"n": n, "name": d.name, "form": d.form, "originals": d.originals, "copies": d.copies}
            )
        out.append({"case": label, "role": role.value, "docs": docs})
    return out


def _procedure_or_404(request: Request, code: str):
    if not RECORD_ID.match(code):
        return None, _render(
            request, "error.html", 422, title="Mã thủ tục không hợp lệ", message="Ví dụ mã đúng: 1.001193."
        )
    p = _retriever().get_procedure(code)
    if p is None:
        return None, _render(
            request,
            "error.html",
            404,
            title="Không tìm thấy thủ tục",
            message=f"Không có thủ tục mã {code} trong dữ liệu.",
        )
    return p, None


def _safe_next(target: str | None) -> str:
    """Only local paths under /staff (no open redirect)."""
    if not target:
        return "/staff/insights"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/staff") or "\\" in target:
        return "/staff/insights"
    return target


def _login_redirect(request: Request) -> RedirectResponse:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/staff/login?next={quote(target, safe='')}", status_code=303)


# --------------------------------------------------------------------------- public pages
@pages.get("/staff", response_class=HTMLResponse)
def search_page(request: Request, q: str = "") -> HTMLResponse:
    from indexer.prefix_search import facets

    return _render(
        request, "search.html", q=q[:500], facets=facets(_retriever()), user=_current_user(request)
    )


@pages.get("/staff/procedures/{code}", response_class=HTMLResponse)
def procedure_page(request: Request, code: str) -> HTMLResponse:
    from indexer.answer_composer import Part, compose_procedure

    p, error = _procedure_or_404(request, code)
    if error:
        return error
    retriever = _retriever()
    sections = [
        {"id": "general", "label": "Thông tin chung"},
        {"id": "documents", "label": "Thành phần hồ sơ"},
    ]
    for part in (
        Part.APPLICANTS,
        Part.CONDITIONS,
        Part.STEPS,
        Part.CHANNELS,
        Part.TIME,
        Part.FEE,
        Part.AGENCY,
        Part.FORMS,
        Part.RESULT,
        Part.LEGAL,
    ):
        items = compose_procedure(p, part).items  # the one composer: same wording as the bot
        sections.append({"id": part.value, "label": part.label, "items": items})
    general = [
        ("Mã thủ tục", p.code),
        ("Lĩnh vực", p.field),
        ("Cấp thực hiện", levels_text(p.levels)),
        ("Loại thủ tục", p.procedure_type),
        ("Quyết định công bố", p.decision),
        ("Cơ quan thực hiện", p.agency),
        ("Cơ quan có thẩm quyền", p.competent_authority),
        ("Cơ quan phối hợp", p.coordinating_agency),
        ("Địa chỉ tiếp nhận", p.address),
        ("Tên thường gọi", ", ".join(p.keywords)),
    ]
    same_as = []
    for other in p.same_as:
        o = retriever.get_procedure(other)
        same_as.append({"code": other, "levels": levels_text(o.levels) if o else ""})
    return _render(
        request,
        "procedure.html",
        p=p,
        levels=levels_text(p.levels),
        sections=sections,
        general=general,
        doc_groups=_doc_groups(p),
        same_as=same_as,
        stale=default_check().stale(p),
        user=_current_user(request),
    )


@pages.get("/staff/procedures/{code}/checklist", response_class=HTMLResponse)
def checklist_page(request: Request, code: str) -> HTMLResponse:
    from indexer.answer_composer import Part, compose_procedure

    p, error = _procedure_or_404(request, code)
    if error:
        return error
    where = [x for x in (p.agency, p.address) if x] or (
        [f"Bộ phận Một cửa — {levels_text(p.levels)} (hồ sơ thủ tục không ghi cơ quan)"] if p.levels else []
    )
    return _render(
        request,
        "checklist.html",
        p=p,
        levels=levels_text(p.levels),
        doc_groups=_doc_groups(p),
        where=" — ".join(where),
        times="; ".join(compose_procedure(p, Part.TIME).items),
        fees="; ".join(compose_procedure(p, Part.FEE).items),
        office="Bộ phận Một cửa — Trung tâm Phục vụ hành chính công",
        today=dt.date.today().strftime("%d/%m/%Y"),
    )


def _event_or_404(request: Request, event_id: str):
    from indexer.life_events import default_matcher

    event = default_matcher().get(event_id)
    if event is None:
        return None, _render(
            request,
            "error.html",
            404,
            title="Không tìm thấy sự kiện",
            message=f"Không có sự kiện «{event_id[:60]}»; xem danh sách tại /staff/events.",
        )
    return event, None


@pages.get("/staff/events", response_class=HTMLResponse)
def events_page(request: Request) -> HTMLResponse:
    from indexer.life_events import default_matcher

    return _render(request, "events.html", events=default_matcher().events, user=_current_user(request))


@pages.get("/staff/events/{event_id}", response_class=HTMLResponse)
def event_sheet(request: Request, event_id: str) -> HTMLResponse:
    """The printable "việc cần làm" sheet: the same steps, in the same order, as the bot says."""
    from indexer.answer_composer import Part, compose_procedure

    event, error = _event_or_404(request, event_id)
    if error:
        return error
    retriever = _retriever()

    def row(p, **extra) -> dict:
        return {
            "p": p,
            "levels": levels_text(p.levels),
            "times": "; ".join(compose_procedure(p, Part.TIME).items),
            "fees": "; ".join(compose_procedure(p, Part.FEE).items),
            **extra,
        }

    steps = [row(p, step=s) for s in event.steps if (p := retriever.get_procedure(s.code)) is not None]
    combined = [row(p) for code in event.combined if (p := retriever.get_procedure(code)) is not None]
    return _render(
        request,
        "event.html",
        event=event,
        steps=steps,
        combined=combined,
        office="Bộ phận Một cửa — Trung tâm Phục vụ hành chính công",
        today=dt.date.today().strftime("%d/%m/%Y"),
    )


# --------------------------------------------------------------------------- login
@pages.get("/staff/login", response_class=HTMLResponse)
def login_page(request: Request, next: str = "") -> HTMLResponse:
    return _render(
        request,
        "login.html",
        private=True,
        next=_safe_next(next),
        has_users=auth.get_store().has_users(),
        error="",
        username="",
    )


@pages.post("/staff/login")
async def login(request: Request) -> Response:
    origin = request.headers.get("origin")
    if origin and origin != "null" and urlsplit(origin).netloc != request.headers.get("host"):
        raise HTTPException(403, "Yêu cầu đăng nhập từ trang khác bị từ chối.")
    body = (await request.body())[:8192].decode("utf-8", "replace")
    form = {k: v[0] for k, v in parse_qs(body, keep_blank_values=True).items()}
    username, password = form.get("username", "").strip(), form.get("password", "")
    target = _safe_next(form.get("next"))
    store, settings = auth.get_store(), get_settings()
    client = request.client.host if request.client else "?"
    try:
        session = store.login(
            username,
            password,
            client,
            hours=settings.staff_session_hours,
            max_failures=settings.staff_login_max_failures,
            window=settings.staff_login_window_s,
        )
    except auth.RateLimited as exc:
        minutes = max(1, round(exc.retry_after / 60))
        response = _render(
            request,
            "login.html",
            429,
            private=True,
            next=target,
            has_users=store.has_users(),
            username=username,
            error=f"Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau khoảng {minutes} phút.",
        )
        response.headers["Retry-After"] = str(exc.retry_after)
        return response
    except auth.AuthError as exc:
        return _render(
            request,
            "login.html",
            401,
            private=True,
            next=target,
            has_users=store.has_users(),
            username=username,
            error=str(exc),
        )
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(
        auth.COOKIE,
        session.token,
        max_age=int(settings.staff_session_hours * 3600),
        path="/",
        httponly=True,
        samesite="strict",
        secure=settings.secure_cookies,
    )
    _secure_headers(response, private=True)
    return response


@pages.post("/staff/logout")
def logout(request: Request) -> Response:
    auth.get_store().logout(request.cookies.get(auth.COOKIE))
    response = RedirectResponse("/staff/login", status_code=303)
    response.delete_cookie(auth.COOKIE, path="/", httponly=True, samesite="strict")
    _secure_headers(response, private=True)
    return response


# --------------------------------------------------------------------------- dashboard
def _titles() -> dict[str, str]:
    try:
        return {code: p.title for code, p in _retriever().procedures.items()}
    except HTTPException:
        return {}


def _insights(days: int):
    settings = get_settings()
    return compute(
        get_reader(),
        days=days,
        tz=settings.staff_timezone,
        titles=_titles(),
        handled=auth.get_store().handled(),
    )


Days = Annotated[int, Query(ge=1, le=3660, description="Số ngày gần nhất (tính cả hôm nay)")]


@pages.get("/staff/insights", response_class=HTMLResponse)
def insights_page(request: Request, days: Days = 30) -> Response:
    user = _current_user(request)
    if user is None:
        return _login_redirect(request)
    ctx: dict[str, Any] = {"ins": None, "error": ""}
    try:
        ins = _insights(days)
        ctx["ins"] = ins
        ctx["max_day"] = max([d["total"] for d in ins.per_day] + [1])
    except TrackerUnavailable as exc:
        ctx["error"] = str(exc)
    return _render(
        request,
        "insights.html",
        private=True,
        user=user,
        days=days,
        channels=labels(),
        channel_keys=tuple(labels()),
        reasons={
            "no_match": "Không tìm thấy",
            "out_of_scope": "Ngoài phạm vi",
            "not_helpful": "Bị đánh giá chưa đúng",
        },
        **ctx,
    )


@pages.get("/staff/conversations/{sender_id}", response_class=HTMLResponse)
def conversation_page(request: Request, sender_id: str) -> Response:
    user = _current_user(request)
    if user is None:
        return _login_redirect(request)
    if not _SENDER.fullmatch(sender_id):
        return _render(
            request, "error.html", 422, private=True, user=user, title="Mã hội thoại không hợp lệ", message=""
        )
    try:
        turns = transcript(get_reader(), sender_id, get_settings().staff_timezone)
    except TrackerUnavailable as exc:
        return _render(
            request,
            "error.html",
            503,
            private=True,
            user=user,
            title="Không đọc được hội thoại",
            message=str(exc),
        )
    return _render(
        request,
        "conversation.html",
        private=True,
        user=user,
        sender_id=sender_id,
        channel=channel_of(sender_id).label,
        turns=turns,
        markers=MARKERS,
    )


@pages.post("/staff/conversations/{sender_id}/handled")
def mark_handled(request: Request, sender_id: str) -> Response:
    """Mark a flagged conversation as handled (form button on the dashboard)."""
    user = _current_user(request)
    if user is None:
        return _login_redirect(request)
    origin = request.headers.get("origin")
    if origin and origin != "null" and urlsplit(origin).netloc != request.headers.get("host"):
        raise HTTPException(403, "Yêu cầu từ trang khác bị từ chối.")
    if not _SENDER.fullmatch(sender_id):
        raise HTTPException(422, "Mã hội thoại không hợp lệ.")
    auth.get_store().mark_handled(sender_id, user)
    response = RedirectResponse("/staff/insights#handoffs", status_code=303)
    _secure_headers(response, private=True)
    return response


# --------------------------------------------------------------------------- JSON (login required)
def require_staff(request: Request) -> str:
    user = _current_user(request)
    if user is None:
        raise HTTPException(
            401,
            "Cần đăng nhập tài khoản cán bộ (POST /staff/login).",
            headers={"WWW-Authenticate": 'Cookie realm="staff"'},
        )
    return user


Staff = Annotated[str, Depends(require_staff)]


def _unavailable(exc: TrackerUnavailable) -> HTTPException:
    return HTTPException(503, str(exc))


@api.get(
    "/insights",
    summary="Số liệu bảng theo dõi: câu hỏi theo ngày/kênh, thủ tục hỏi nhiều, câu chưa trả lời, chuyển cán bộ",
)
def insights_json(user: Staff, days: Days = 30) -> dict[str, Any]:
    try:
        return _insights(days).to_dict()
    except TrackerUnavailable as exc:
        raise _unavailable(exc) from exc


@api.get("/conversations/{sender_id}", summary="Toàn văn một cuộc trò chuyện (cho hàng chờ chuyển cán bộ)")
def conversation_json(user: Staff, sender_id: str) -> dict[str, Any]:
    if not _SENDER.fullmatch(sender_id):
        raise HTTPException(422, "Mã hội thoại không hợp lệ.")
    try:
        turns = transcript(get_reader(), sender_id, get_settings().staff_timezone)
    except TrackerUnavailable as exc:
        raise _unavailable(exc) from exc
    if not turns:
        raise HTTPException(404, f"Không có hội thoại {sender_id}.")
    return {"sender_id": sender_id, "turns": turns}

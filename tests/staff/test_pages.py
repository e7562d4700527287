"""Public staff pages: search page, procedure page (every field), printable checklist."""

from __future__ import annotations

import html

from fastapi.testclient import TestClient

from indexer.procedure_search import Retriever


def test_search_page_has_filters_and_keyboard_help(client: TestClient) -> None:
    page = client.get("/staff")
    assert page.status_code == 200
    html = page.text
    assert 'id="q"' in html and 'id="field"' in html and 'id="level"' in html and 'id="agency"' in html
    assert "<kbd>/</kbd>" in html and "Hộ tịch" in html
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert "<script>" not in html, "no inline script (CSP)"


def test_search_page_escapes_the_query(client: TestClient) -> None:
    html = client.get("/staff", params={"q": '"><img src=x onerror=alert(1)>'}).text
    assert "<img src=x" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


def test_procedure_page_shows_every_field(client: TestClient) -> None:
    p = Retriever.load().get_procedure("1.001193")
    html = client.get("/staff/procedures/1.001193").text
    assert p.title in html and p.field in html
    for heading in ("Thành phần hồ sơ", "Trình tự thực hiện", "Thời hạn giải quyết", "Phí, lệ phí",
                    "Căn cứ pháp lý", "Mẫu đơn, tờ khai", "Nơi nộp hồ sơ", "Kết quả"):  # fmt: skip
        assert heading in html, heading
    for lb in p.legal_bases:
        if lb.number:
            assert lb.number in html
    forms = [d.form for d in p.documents if d.form]
    for form in forms:
        assert form.replace("&", "&amp;") in html
    assert p.source_url in html
    assert "/staff/procedures/1.001193/checklist" in html


def test_checklist_is_printable(client: TestClient) -> None:
    p = Retriever.load().get_procedure("1.001193")
    page = client.get("/staff/procedures/1.001193/checklist")
    assert page.status_code == 200
    # a tick box per document to bring; the notes are printed without one
    assert page.text.count("☐") == sum(d.role.value != "note" for d in p.documents)
    for d in p.documents:
        assert html.escape(d.name) in page.text
    assert "DANH MỤC HỒ SƠ" in page.text and p.code in page.text
    css = client.get("/static/staff.css").text
    assert "@media print" in css and "size: A4" in css


def test_unknown_or_bad_code(client: TestClient) -> None:
    assert client.get("/staff/procedures/9.999999").status_code == 404
    assert "Không tìm thấy thủ tục" in client.get("/staff/procedures/9.999999/checklist").text
    assert client.get("/staff/procedures/a%20b").status_code == 422


def test_life_event_sheets_list_the_events_and_print_their_steps(client: TestClient) -> None:
    from knowledge.store import load_life_events

    events = load_life_events()
    index = client.get("/staff/events").text
    for event in events:
        assert f'href="/staff/events/{event.id}"' in index and html.escape(event.title) in index
    event = next(e for e in events if e.id == "nguoi-than-qua-doi")
    sheet = client.get(f"/staff/events/{event.id}").text
    assert "VIỆC CẦN LÀM" in sheet and 'id="print"' in sheet
    positions = [sheet.index(f"mã {s.code}") for s in event.steps]
    assert positions == sorted(positions), "the steps in the bot's order"
    for step in event.steps:
        if step.deadline:
            assert html.escape(step.deadline) in sheet
    for gap in event.gaps:
        assert html.escape(gap.what) in sheet


def test_unknown_life_event_is_a_404_page(client: TestClient) -> None:
    page = client.get("/staff/events/khong-co")
    assert page.status_code == 404 and "/staff/events" in page.text


def test_procedure_page_shows_the_freshness_flag_with_its_date_and_legal_basis(client: TestClient) -> None:
    from knowledge.freshness import default_check

    p = Retriever.load().get_procedure("1.010385")
    rules = default_check().stale(p)
    page = client.get("/staff/procedures/1.010385").text
    assert 'id="stale"' in page and p.imported_at.strftime("%d/%m/%Y") in page
    for rule in rules:
        assert html.escape(rule.legal_basis) in page
    assert 'id="stale"' not in client.get("/staff/procedures/1.010386").text

"""JSON API behind the staff page, on the real index (built by `make index`)."""

from __future__ import annotations

import time

from fastapi.testclient import TestClient


def test_lexical_search_finds_as_you_type(client: TestClient) -> None:
    for typed in ("dang ky khai sinh", "đăng ký khai sinh", "1.001193"):
        body = client.get("/api/search", params={"q": typed, "mode": "lexical"}).json()
        assert body["mode"] == "lexical"
        assert "1.001193" in [h["code"] for h in body["results"][:5]], (typed, body["results"][:5])
    partial = client.get("/api/search", params={"q": "đăng ký tạm tr", "mode": "lexical", "k": 5}).json()
    assert partial["results"][0]["code"] == "1.004194"


def test_lexical_search_is_fast_enough_per_keystroke(client: TestClient) -> None:
    query = "cấp lại thẻ căn cước"
    client.get("/api/search", params={"q": "x", "mode": "lexical"})  # index built
    times = []
    for i in range(1, len(query) + 1):
        t0 = time.perf_counter()
        assert client.get("/api/search", params={"q": query[:i], "mode": "lexical"}).status_code == 200
        times.append((time.perf_counter() - t0) * 1e3)
    times.sort()
    assert times[len(times) // 2] < 100, times


def test_filters_by_field_level_and_agency(client: TestClient) -> None:
    facets = client.get("/api/facets").json()
    assert facets["procedures"] > 1000
    assert {lv["value"] for lv in facets["levels"]} >= {"xa", "tinh"}
    assert any(f["value"] == "Hộ tịch" for f in facets["fields"])
    for mode in ("lexical", "hybrid"):
        body = client.get(
            "/api/search", params={"q": "khai sinh", "mode": mode, "field": "Hộ tịch", "level": "xa"}
        ).json()
        assert body["results"], mode
        for hit in body["results"]:
            assert hit["field"] == "Hộ tịch" and "xa" in hit["levels"], (mode, hit)
    agency = next(a["value"] for a in facets["agencies"] if "Công an" in a["value"])
    body = client.get("/api/search", params={"q": "căn cước", "mode": "lexical", "agency": agency}).json()
    assert body["results"] and all(h["agency"] == agency or agency in h["agency"] for h in body["results"])


def test_bad_parameters_get_vietnamese_4xx(client: TestClient) -> None:
    cases = [
        ({"q": "khai sinh", "level": "quoc-te"}, "Cấp không hợp lệ"),
        ({"q": "khai sinh", "mode": "nhanh"}, "Chế độ tìm không hợp lệ"),
        ({"q": "   "}, "Câu hỏi trống"),
        ({"q": "khai sinh", "k": "0"}, "quá nhỏ"),
        ({"q": "khai sinh", "k": "abc"}, "số nguyên"),
        ({}, "thiếu"),
    ]
    for params, words in cases:
        response = client.get("/api/search", params=params)
        assert response.status_code == 422, params
        assert words in response.json()["detail"], (params, response.json())
    assert client.get("/api/procedures/9.999999").status_code == 404
    assert "Không tìm thấy thủ tục" in client.get("/api/procedures/9.999999").json()["detail"]
    assert client.get("/api/procedures/<script>").status_code in (404, 422)


def test_openapi_schema_is_served_and_documents_the_staff_api(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    assert schema["openapi"].startswith("3.")
    paths = schema["paths"]
    for path in ("/api/search", "/api/procedures/{code}", "/api/notices", "/api/notices/{notice_id}",
                 "/api/health", "/api/facets", "/api/staff/insights"):  # fmt: skip
        assert path in paths, path
    params = {p["name"] for p in paths["/api/search"]["get"]["parameters"]}
    assert params >= {"q", "k", "field", "level", "agency", "mode"}
    assert not any(p.startswith("/staff") for p in paths), "HTML pages stay out of the API schema"
    # structurally valid: every $ref resolves, every operation has responses
    text = client.get("/openapi.json").text
    import json
    import re

    for ref in set(re.findall(r'"\$ref":\s*"#/components/schemas/([^"]+)"', text)):
        assert ref in schema["components"]["schemas"], ref
    for ops in paths.values():
        for op in ops.values():
            assert op["responses"]
    assert json.loads(text) == schema
    assert client.get("/docs").status_code == 200


def test_openapi_schema_passes_the_openapi_spec_validator(client: TestClient) -> None:
    from openapi_spec_validator import validate

    validate(client.get("/openapi.json").json())  # raises on any violation of the OpenAPI 3.1 spec


def test_answer_is_what_a_citizen_gets(client: TestClient) -> None:
    """GET /api/answer goes through the bot's answer policy: the ordinary-case documents, the
    special cases and notes as buttons."""
    body = client.get("/api/answer", params={"q": "đăng ký khai sinh cần giấy tờ gì"}).json()
    assert body["code"] == "1.001193" and body["kind"] == "procedure" and body["part"] == "documents"
    assert body["items"][0].startswith("Tờ khai đăng ký khai sinh")
    assert "1.001193|cases" in [b["payload"] for b in body["buttons"]]
    assert client.get("/api/answer", params={"q": "x", "part": "nonsense"}).status_code == 422
    assert client.get("/api/answer", params={"q": "cách nấu phở bò ngon"}).json()["no_match"] is True

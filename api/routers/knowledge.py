"""Read-only JSON API over the knowledge base, through the retrieval library:
search, one procedure, notices. Used by the staff lookup page and integrators."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query
from pydantic import BaseModel, Field

from indexer import live_index
from indexer.answer_composer import Part
from indexer.procedure_search import Retriever
from indexer.query import fold
from knowledge.schema import RECORD_ID, Level


class ErrorBody(BaseModel):
    """Every 4xx/5xx answer of the JSON API (api/errors.py for 422)."""

    detail: str = Field(..., description="Thông báo lỗi bằng tiếng Việt")
    errors: list[str] | None = Field(None, description="Từng tham số sai (chỉ với 422)")


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorBody, "description": "Không tìm thấy (mã thủ tục / văn bản không có)"},
    422: {"model": ErrorBody, "description": "Tham số không hợp lệ"},
    503: {"model": ErrorBody, "description": "Chưa có chỉ mục tìm kiếm"},
}

router = APIRouter(prefix="/api", tags=["knowledge"], responses=ERROR_RESPONSES)

_LEVELS = [level.value for level in Level]


def _retriever() -> Retriever:
    try:
        # indexer/live_index.py: validated index; a rebuild is swapped in without failed requests,
        # a damaged build is rejected and the last good one kept (IndexInvalid is a FileNotFoundError).
        return live_index.retriever()
    except FileNotFoundError as exc:
        raise HTTPException(503, "Chưa có chỉ mục tìm kiếm: quản trị viên cần chạy `tthc index`.") from exc


_MODES = ("hybrid", "lexical")


@router.get("/search", summary="Tìm thủ tục hoặc đoạn văn bản phù hợp với câu hỏi")
def search(
    q: Annotated[str, Query(min_length=1, max_length=500, description="Câu hỏi hoặc từ khóa")],
    k: Annotated[int, Query(ge=1, le=50, description="Số kết quả")] = 10,
    field: Annotated[str | None, Query(max_length=200, description="Lọc theo lĩnh vực")] = None,
    level: Annotated[str | None, Query(description=f"Lọc theo cấp: {', '.join(_LEVELS)}")] = None,
    agency: Annotated[
        str | None, Query(max_length=300, description="Lọc theo cơ quan thực hiện (một phần tên)")
    ] = None,
    mode: Annotated[
        str,
        Query(
            description="hybrid: ngữ nghĩa + từ khóa (câu hỏi tự nhiên); "
            "lexical: chỉ từ khóa, từ cuối được hiểu là đang gõ dở (tìm khi gõ, nhanh hơn nhiều; chỉ thủ tục)"
        ),
    ] = "hybrid",
) -> dict[str, Any]:
    if not q.strip():
        raise HTTPException(422, "Câu hỏi trống: hãy nhập từ khóa cần tìm.")
    if level is not None and level not in _LEVELS:
        raise HTTPException(422, f"Cấp không hợp lệ: dùng một trong {', '.join(_LEVELS)}.")
    if mode not in _MODES:
        raise HTTPException(422, "Chế độ tìm không hợp lệ: dùng hybrid hoặc lexical.")
    retriever = _retriever()
    if mode == "lexical":
        from indexer.prefix_search import quick_index

        quick = quick_index(retriever).search(q, k=k, field=field or None, level=level, agency=agency or None)
        return {
            "query": q,
            "mode": mode,
            "no_match": not quick.hits,
            "total": quick.total,
            "results": quick.hits,
            "elapsed_ms": round(quick.elapsed_ms, 2),
        }
    # the retriever filters by field and level; the agency filter is applied to its hits
    response = retriever.search(q, k=50 if agency else k, field=field or None, level=level)
    results = []
    for hit in response.hits:
        row = hit.to_dict()
        p = retriever.get_procedure(hit.code) if hit.kind == "procedure" else None
        row["agency"] = p.agency if p else ""
        if agency and (p is None or fold(agency) not in fold(p.agency)):
            continue
        results.append(row)
    return {
        "query": q,
        "mode": mode,
        "no_match": response.no_match or not results,
        "results": results[:k],
        "elapsed_ms": round(response.elapsed_ms, 2),
    }


_PARTS = [part.value for part in Part]


@router.get("/answer", summary="Câu trả lời mà công dân nhận được cho câu hỏi (cùng chính sách với trợ lý)")
def answer(
    q: Annotated[str, Query(min_length=1, max_length=500, description="Câu hỏi như công dân gõ")],
    part: Annotated[
        str | None, Query(description=f"Phần hỏi (mặc định: đoán từ câu hỏi): {', '.join(_PARTS)}")
    ] = None,
) -> dict[str, Any]:
    """The first reply the assistant gives (``indexer/answer_policy.py``): text, the procedure
    or notice it cites, buttons and the numbered options; the same for every channel."""
    from indexer.answer_policy import answer_question

    if not q.strip():
        raise HTTPException(422, "Câu hỏi trống: hãy nhập câu hỏi.")
    if part is not None and part.partition(":")[0] not in _PARTS:
        raise HTTPException(422, f"Phần hỏi không hợp lệ: dùng một trong {', '.join(_PARTS)}.")
    turn = answer_question(_retriever(), q, part=part)
    return {"query": q, "no_match": turn.no_match, **turn.answer.to_dict()}


@router.get("/facets", summary="Giá trị của các bộ lọc: lĩnh vực, cấp, cơ quan thực hiện")
def facets() -> dict[str, Any]:
    from indexer.prefix_search import facets as compute

    return compute(_retriever())


@router.get("/procedures/{code}", summary="Toàn bộ thông tin một thủ tục")
def procedure(code: str) -> dict[str, Any]:
    if not RECORD_ID.match(code):
        raise HTTPException(422, "Mã thủ tục không hợp lệ (ví dụ đúng: 1.001193).")
    found = _retriever().get_procedure(code)
    if found is None:
        raise HTTPException(404, f"Không tìm thấy thủ tục mã {code}.")
    return found.model_dump(mode="json")


@router.get("/notices", summary="Danh sách văn bản, thông báo về cải cách hành chính")
def notices() -> list[dict[str, Any]]:
    return [
        {
            "id": n.id,
            "number": n.number,
            "date": n.date.isoformat() if n.date else None,
            "issuer": n.issuer,
            "province": n.province,
            "title": n.title,
            "type": n.type,
            "source_file": n.source_file,
        }
        for n in sorted(_retriever().notices.values(), key=lambda n: n.id)
    ]


@router.get("/notices/{notice_id}", summary="Toàn văn một văn bản, thông báo")
def notice(notice_id: str) -> dict[str, Any]:
    if not RECORD_ID.match(notice_id):
        raise HTTPException(422, "Mã văn bản không hợp lệ.")
    found = _retriever().get_notice(notice_id)
    if found is None:
        raise HTTPException(404, f"Không tìm thấy văn bản {notice_id}.")
    return found.model_dump(mode="json")

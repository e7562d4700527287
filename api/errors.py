"""Error responses in Vietnamese: a citizen or a desk officer reads them."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

_PROBLEMS = {
    "missing": "thiếu",
    "string_too_short": "quá ngắn",
    "string_too_long": "quá dài",
    "int_parsing": "phải là số nguyên",
    "greater_than_equal": "quá nhỏ",
    "less_than_equal": "quá lớn",
    "json_invalid": "không phải JSON hợp lệ",
    "model_attributes_type": "phải là một đối tượng JSON",
    "string_type": "phải là chuỗi ký tự",
}


async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
    problems = []
    for error in exc.errors():
        where = ".".join(str(part) for part in error.get("loc", ()) if part not in ("body", "query", "path"))
        problems.append(f"{where or 'dữ liệu'}: {_PROBLEMS.get(error.get('type', ''), 'không hợp lệ')}")
    return JSONResponse(
        {"detail": "Yêu cầu không hợp lệ — " + "; ".join(problems), "errors": problems}, status_code=422
    )


def install(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, validation_error)

"""Logging of the API and the action server: personal data masked, JSON lines for the API.

- personal identifiers (ID card, passport, phone, e-mail, bank account numbers) are
  masked by the same rules as citizens' messages (common/text/personal_data.py);
- :func:`install_pii_masking` wraps the log record factory of the process, so *every*
  record — whatever logger or handler it goes through (uvicorn, rasa-sdk, ours) — has
  its message masked when it is created (arguments are merged into the message first).
  Exception texts are masked by :class:`JsonFormatter` / :class:`MaskingFormatter`.
- :func:`configure_api_logging` makes the API log one JSON object per line (time, level,
  logger, message, exception) on stderr, uvicorn's own loggers included;
  ``TTHC_LOG_FORMAT=text`` keeps plain text (still masked).

Used by ``api/main.py`` and ``bot/actions/__init__.py`` (the action server).
"""

from __future__ import annotations

import json
import logging
import sys
import time

from common.text.personal_data import mask_personal_data

_installed = False


def install_pii_masking() -> None:
    """Mask personal data in every log record created from now on in this process (idempotent)."""
    global _installed
    if _installed:
        return
    previous = logging.getLogRecordFactory()

    def factory(*args, **kwargs) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: keep the record as logging would
            return record
        masked = mask_personal_data(message)
        if masked != message or record.args:
            record.msg, record.args = masked, None
        return record

    logging.setLogRecordFactory(factory)
    _installed = True


class MaskingFormatter(logging.Formatter):
    """Plain-text formatter that also masks exception and stack texts."""

    def formatException(self, ei) -> str:
        return mask_personal_data(super().formatException(ei))

    def formatStack(self, stack_info: str) -> str:
        return mask_personal_data(super().formatStack(stack_info))


class JsonFormatter(MaskingFormatter):
    """One JSON object per line: ts (UTC, ISO 8601 with ms), level, logger, msg, [exc], [extra]."""

    _STANDARD = set(logging.makeLogRecord({}).__dict__) | {"message", "asctime", "color_message"}

    def format(self, record: logging.LogRecord) -> str:
        ts = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
        out = {
            "ts": f"{ts}.{int(record.msecs):03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "msg": mask_personal_data(record.getMessage()),
        }
        for key, value in record.__dict__.items():
            if key not in self._STANDARD and not key.startswith("_"):
                out[key] = (
                    value
                    if isinstance(value, int | float | bool | type(None))
                    else mask_personal_data(str(value))
                )
        if record.exc_info:
            out["exc"] = self.formatException(record.exc_info)
        if record.stack_info:
            out["stack"] = self.formatStack(record.stack_info)
        return json.dumps(out, ensure_ascii=False, default=str)


def configure_api_logging(fmt: str = "json", level: int = logging.INFO) -> None:
    """JSON (or masked text) on stderr for the root logger and uvicorn's loggers."""
    install_pii_masking()
    formatter: logging.Formatter = (
        JsonFormatter()
        if fmt == "json"
        else MaskingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    )
    root = logging.getLogger()
    ours = [h for h in root.handlers if getattr(h, "_tthc", False)]
    if not ours:
        handler = logging.StreamHandler(sys.stderr)
        handler._tthc = True  # type: ignore[attr-defined]
        root.addHandler(handler)
        ours = [handler]
    for handler in ours:
        handler.setFormatter(formatter)
    if root.level == logging.NOTSET or root.level > level:
        root.setLevel(level)
    # uvicorn installs its own handlers (propagate=False) before importing the app: reformat them.
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        for handler in logging.getLogger(name).handlers:
            handler.setFormatter(formatter)

"""The API never serves a damaged index.

- At start-up (:func:`check_at_startup`, called by the app's lifespan): when ``CURRENT``
  names a build that is missing or damaged (:func:`indexer.validate.check_build`), the
  app refuses to start with a message that says what is wrong and how to fix it
  (``tthc index --force``). Without any ``CURRENT`` (a fresh install) it starts, and
  the search endpoints answer 503 until an index is built.
- While serving (:func:`retriever`): when ``CURRENT`` moves to a new build (``tthc index``
  while the API runs), the new build is validated and loaded in a background thread
  while requests keep being answered from the loaded one; if the new build is damaged it
  is rejected (logged once) and the last good index stays in use. So a rebuild causes
  neither failed nor stalled requests.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from pathlib import Path

from indexer.validate import IndexInvalid, check_build, named_build
from tthc.settings import get_settings

log = logging.getLogger("tthc.index")


@dataclass
class _State:
    path: Path | None = None
    retriever: object | None = None
    loading: Path | None = None
    rejected: dict[tuple, list[str]] = field(default_factory=dict)


_state = _State()


def _stamp(build: Path | None) -> tuple:
    """Identity of a build on disk: rebuilt in place (``--force``) = a new stamp."""
    try:
        return (build, (build / "manifest.json").stat().st_mtime_ns)
    except (OSError, TypeError):
        return (build, None)


_lock = threading.Lock()
_load_lock = threading.Lock()


def _message(build: Path, problems: list[str]) -> str:
    return (
        f"Chỉ mục tìm kiếm {build} bị hỏng hoặc thiếu tệp / the search index is damaged:\n  - "
        + "\n  - ".join(problems)
        + "\nChạy lại `tthc index --force` (hoặc `make index`) rồi khởi động lại. "
        "/ Rebuild it with `tthc index --force`, then start again."
    )


def check_at_startup() -> None:
    """Raise :class:`IndexInvalid` when CURRENT names a damaged build (no CURRENT = start degraded)."""
    root = get_settings().resolved_index_dir
    build = named_build(root)
    if build is None:
        log.warning("no search index in %s yet: search answers 503 until `tthc index` is run", root)
        return
    problems = check_build(build)
    if problems:
        raise IndexInvalid(_message(build, problems))
    log.info("search index %s checked", build.name)


def _load(build: Path):
    from indexer.procedure_search import Retriever

    problems = check_build(build)
    if problems:
        raise IndexInvalid(_message(build, problems))
    return Retriever.load(build)


def _swap(build: Path) -> None:
    try:
        loaded = _load(build)
    except Exception as exc:
        log.error("new index %s rejected, keeping %s: %s", build, _state.path, exc)
        with _lock:
            _state.rejected[_stamp(build)] = [str(exc)]
            _state.loading = None
        return
    with _lock:
        _state.path, _state.retriever, _state.loading = build, loaded, None
    log.info("search index switched to %s", build.name)


def retriever():
    """The retriever of the newest good build (raises FileNotFoundError / IndexInvalid when there is none)."""
    build = named_build(get_settings().resolved_index_dir)
    with _lock:
        if _state.retriever is not None:
            if (
                build is not None
                and build != _state.path
                and _stamp(build) not in _state.rejected
                and not _state.loading
            ):
                _state.loading = build
                threading.Thread(target=_swap, args=(build,), name="index-swap", daemon=True).start()
            return _state.retriever
    if build is None:
        raise FileNotFoundError(
            f"Chưa có chỉ mục ở {get_settings().resolved_index_dir}: chạy `tthc index` trước."
        )
    with _load_lock:  # first load: one thread loads, the others wait for it
        with _lock:
            if _state.retriever is not None:
                return _state.retriever
            known = _state.rejected.get(_stamp(build))
        if known:
            raise IndexInvalid(known[0])
        try:
            loaded = _load(build)
        except IndexInvalid as exc:
            with _lock:
                _state.rejected[_stamp(build)] = [str(exc)]
            raise
        with _lock:
            _state.path, _state.retriever = build, loaded
        return loaded


def healthy() -> bool:
    """An index is loaded, or CURRENT names a build that is not known to be damaged."""
    build = named_build(get_settings().resolved_index_dir)
    with _lock:
        if _state.retriever is not None:
            return True
        return (
            build is not None and (build / "manifest.json").exists() and _stamp(build) not in _state.rejected
        )


def reset() -> None:
    """Forget the loaded index (tests)."""
    with _lock:
        _state.path = _state.retriever = _state.loading = None
        _state.rejected.clear()

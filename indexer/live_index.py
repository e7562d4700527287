"""The one life cycle of the search index in a process: the bot's actions, the API, the staff
search and the command line all ask :func:`retriever`.

- **First use**: the build that ``CURRENT`` names is validated (:func:`indexer.validate.check_build`)
  and loaded; a missing or damaged one raises (:class:`FileNotFoundError` /
  :class:`~indexer.validate.IndexInvalid`, whose message says what to run).
- **While serving**: when ``CURRENT`` moves to a new build (``tthc index`` while the process runs),
  the new build is validated and loaded in a background thread while every caller keeps getting
  the loaded one; a damaged build is rejected (logged once) and the last good index stays. So a
  rebuild causes neither failed nor stalled requests.
- A folder that is itself a build (no ``CURRENT``: tests, tools) is loaded once.

:func:`check_at_startup` lets a server refuse to start on a damaged index instead of serving it.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from common.text.config import ARTEFACT_RECHECK_S
from indexer.build import CURRENT_FILE, named_build
from indexer.validate import IndexInvalid, check_build

log = logging.getLogger("tthc.index")


@dataclass
class _State:
    """What one index root has loaded."""

    path: Path | None = None
    retriever: object | None = None
    loading: Path | None = None
    rejected: dict[tuple, str] = field(default_factory=dict)  # build stamp → why
    first_load: threading.Lock = field(default_factory=threading.Lock)
    # when CURRENT was last read while serving (time.monotonic): at most every ARTEFACT_RECHECK_S
    looked: float = float("-inf")


_states: dict[Path, _State] = {}  # resolved index root → its state
_named: dict[Path, _State] = {}  # the root as callers name it → the same state
_lock = threading.Lock()


def _root(index_dir: Path | str | None) -> Path:
    if index_dir is None:
        from tthc.settings import get_settings

        return get_settings().resolved_index_dir
    return Path(index_dir)


def _state(root: Path) -> _State:
    with _lock:
        state = _named.get(root)
        if state is None:
            state = _named[root] = _states.setdefault(root.resolve(), _State())
        return state


def _target(root: Path) -> Path | None:
    """The build to serve: the one CURRENT names, or ``root`` itself when it is a build."""
    if not (root / CURRENT_FILE).exists() and (root / "manifest.json").exists():
        return root
    return named_build(root)


def _stamp(build: Path | None) -> tuple:
    """Identity of a build on disk: rebuilt in place (``--force``) = a new stamp."""
    try:
        return (build, (build / "manifest.json").stat().st_mtime_ns)
    except (OSError, TypeError):
        return (build, None)


def _message(build: Path, problems: list[str]) -> str:
    return (
        f"Chỉ mục tìm kiếm {build} bị hỏng hoặc thiếu tệp / the search index is damaged:\n  - "
        + "\n  - ".join(problems)
        + "\nChạy lại `tthc index --force` (hoặc `make index`) rồi khởi động lại. "
        "/ Rebuild it with `tthc index --force`, then start again."
    )


def _load(build: Path):
    from indexer.procedure_search import Retriever

    problems = check_build(build)
    if problems:
        raise IndexInvalid(_message(build, problems))
    return Retriever(build)


def _swap(state: _State, build: Path) -> None:
    try:
        loaded = _load(build)
    except Exception as exc:
        log.error("new index %s rejected, keeping %s: %s", build, state.path, exc)
        with _lock:
            state.rejected[_stamp(build)] = str(exc)
            state.loading = None
        return
    with _lock:
        state.path, state.retriever, state.loading = build, loaded, None
    log.info("search index switched to %s", build.name)


def retriever(index_dir: Path | str | None = None):
    """The retriever of the newest good build under ``index_dir`` (default: the settings' index).

    :param index_dir: an index root (with ``CURRENT``) or one build folder.
    :raises FileNotFoundError: no index has been built there yet.
    :raises IndexInvalid: the only build there is damaged.
    """
    root = _root(index_dir)
    state = _state(root)
    now = time.monotonic()
    if state.retriever is not None and now - state.looked < ARTEFACT_RECHECK_S:
        return state.retriever
    build = _target(root)
    with _lock:
        if state.retriever is not None:
            state.looked = now
            new = build is not None and build != state.path and _stamp(build) not in state.rejected
            if new and not state.loading:
                state.loading = build
                threading.Thread(target=_swap, args=(state, build), name="index-swap", daemon=True).start()
            return state.retriever
    if build is None:
        raise FileNotFoundError(f"Chưa có chỉ mục ở {root}: chạy `tthc index` trước.")
    with state.first_load:  # one thread loads, the others wait for it
        with _lock:
            if state.retriever is not None:
                return state.retriever
            known = state.rejected.get(_stamp(build))
        if known:
            raise IndexInvalid(known)
        try:
            loaded = _load(build)
        except IndexInvalid as exc:
            with _lock:
                state.rejected[_stamp(build)] = str(exc)
            raise
        with _lock:
            state.path, state.retriever = build, loaded
        return loaded


def check_at_startup(index_dir: Path | str | None = None) -> None:
    """Raise :class:`IndexInvalid` when CURRENT names a damaged build (no CURRENT: start degraded)."""
    root = _root(index_dir)
    build = _target(root)
    if build is None:
        log.warning("no search index in %s yet: search answers 503 until `tthc index` is run", root)
        return
    problems = check_build(build)
    if problems:
        raise IndexInvalid(_message(build, problems))
    log.info("search index %s checked", build.name)


def healthy(index_dir: Path | str | None = None) -> bool:
    """An index is loaded, or CURRENT names a build that is not known to be damaged."""
    root = _root(index_dir)
    state, build = _state(root), _target(root)
    with _lock:
        if state.retriever is not None:
            return True
        return (
            build is not None and (build / "manifest.json").exists() and _stamp(build) not in state.rejected
        )


def reset() -> None:
    """Forget every loaded index (tests)."""
    with _lock:
        _states.clear()
        _named.clear()

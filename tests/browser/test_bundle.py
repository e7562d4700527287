"""The committed api/static/widget.js is the build of the current api/widget/ sources.

`make widget` writes the hash of its inputs in the bundle's banner and skips the build
when it matches; this test computes the same hash, so a source change committed
without its rebuilt bundle fails here instead of silently serving old code.
"""

from __future__ import annotations

import hashlib

from tthc.stack.servers import REPO_ROOT

WIDGET = REPO_ROOT / "api" / "widget"


def inputs_hash() -> str:
    # same bytes as the Makefile: cat package.json package-lock.json build.mjs $(find src -type f | sort)
    files = [WIDGET / "package.json", WIDGET / "package-lock.json", WIDGET / "build.mjs"]
    files += sorted(
        (p for p in (WIDGET / "src").rglob("*") if p.is_file()), key=lambda p: str(p.relative_to(WIDGET))
    )
    return hashlib.sha256(b"".join(p.read_bytes() for p in files)).hexdigest()[:16]


def test_committed_bundle_matches_its_sources() -> None:
    banner = (REPO_ROOT / "api" / "static" / "widget.js").read_text(encoding="utf-8")[:200]
    assert f"inputs:{inputs_hash()}" in banner, (
        "api/static/widget.js is stale: run `make widget` and commit it"
    )


def test_bundle_has_no_remote_dependency() -> None:
    bundle = (REPO_ROOT / "api" / "static" / "widget.js").read_text(encoding="utf-8")
    assert "import(" not in bundle and "importScripts" not in bundle
    assert (
        "https://" not in bundle and "http://" not in bundle
    )  # no absolute URL: nothing fetched from elsewhere

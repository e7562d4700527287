"""Paths used by ``common.text`` — a stdlib mirror of ``tthc.settings``.

``tthc/settings.py`` needs pydantic-settings, which the Rasa environment does not
have, so this package reads the same environment variables itself, with the same
defaults:

- ``TTHC_KNOWLEDGE_DIR`` (default ``<repo>/knowledge``): the lexicon is read from
  ``<knowledge_dir>/lexicon/``.
- ``TTHC_VAR_DIR`` (default ``<repo>/var``): the trained restoration model is
  written to and read from ``<var_dir>/text/``.
- ``TTHC_SHARED_DIR`` (default ``<repo>/../shared``): only used by ``tthc text build``
  as a fallback source of training text while ``knowledge.store`` is unavailable.
- ``TTHC_TEXT_MODEL`` (optional): explicit path of a model file, overrides the
  manifest in ``<var_dir>/text/``.
"""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent.parent

# A serving process looks on disk for a rebuilt artefact (the restorer's manifest, the index's
# CURRENT) at most this often: a turn asks for them several times, and each look at the disk cost
# more than the rest of the lookup (py-spy on the API). A rebuild is picked up within this delay.
ARTEFACT_RECHECK_S = 0.5


def knowledge_dir() -> Path:
    return Path(os.environ.get("TTHC_KNOWLEDGE_DIR") or REPO_ROOT / "knowledge")


def lexicon_dir() -> Path:
    return knowledge_dir() / "lexicon"


def var_dir() -> Path:
    return Path(os.environ.get("TTHC_VAR_DIR") or REPO_ROOT / "var")


def text_var_dir() -> Path:
    return var_dir() / "text"


def shared_dir() -> Path:
    return Path(os.environ.get("TTHC_SHARED_DIR") or REPO_ROOT.parent / "shared")

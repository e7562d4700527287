"""``tthc model|index|search|answer|eval|normalize`` commands (filled in by the retrieval work)."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    del sub  # sub-commands are added by the modules that implement them

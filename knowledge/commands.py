"""``tthc kb …`` commands (filled in by the knowledge-base work)."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    kb = sub.add_parser("kb", help="Cơ sở tri thức: import, report, validate")
    kb.set_defaults(handler=lambda args: kb.print_help())

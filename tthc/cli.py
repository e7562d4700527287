"""The ``tthc`` command line of the application environment.

Each command group lives in the module that owns the behaviour and exposes
``register(subparsers)``; handlers import heavy libraries (torch, faiss) lazily
so ``tthc --help`` stays fast.
"""

from __future__ import annotations

import argparse
import importlib
import sys

# Modules that contribute sub-commands, in the order they appear in --help.
COMMAND_MODULES = (
    "knowledge.commands",  # tthc kb import|report|validate
    "indexer.commands",  # tthc model prepare, tthc index, tthc search, tthc answer, tthc eval
    "indexer.text.commands",  # tthc text build, tthc normalize
    "api.staff.commands",  # tthc staff add-user|list-users|remove-user
    "api.retention",  # tthc conversations prune
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tthc",
        description="Trợ lý thủ tục hành chính: nhập dữ liệu, xây chỉ mục, tìm kiếm, đánh giá.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        result = args.handler(args)
    except KeyboardInterrupt:
        print("Đã dừng (Ctrl-C).", file=sys.stderr)
        return 130
    return int(result or 0)


if __name__ == "__main__":
    sys.exit(main())

"""``tthc text build`` and ``tthc normalize`` commands."""

from __future__ import annotations

import argparse
import json
import sys


def register(sub: argparse._SubParsersAction) -> None:
    text = sub.add_parser("text", help="Hiểu văn bản tiếng Việt: huấn luyện mô hình khôi phục dấu")
    tsub = text.add_subparsers(dest="text_command", metavar="SUBCOMMAND")
    text.set_defaults(handler=lambda args: text.print_help())
    b = tsub.add_parser("build", help="Huấn luyện mô hình khôi phục dấu (bỏ qua nếu dữ liệu không đổi)")
    b.add_argument("--out", default=None, help="Thư mục đích (mặc định <var_dir>/text)")
    b.add_argument("--force", action="store_true", help="Huấn luyện lại kể cả khi dữ liệu không đổi")
    b.set_defaults(handler=_build)

    n = sub.add_parser("normalize", help="Chuẩn hoá câu hỏi: Unicode, viết tắt, khôi phục dấu")
    n.add_argument("text", nargs="*", help="Câu cần chuẩn hoá (hiện từng bước)")
    n.add_argument(
        "--jsonl", action="store_true", help='Đọc {"id","q"} từ stdin, ghi {"id","text"} ra stdout'
    )
    n.set_defaults(handler=_normalize)


def _build(args: argparse.Namespace) -> int:
    from pathlib import Path

    from indexer.text.train import build

    build(Path(args.out) if args.out else None, force=args.force)
    return 0


_LABELS = {
    "original": "Gốc",
    "nfc": "Unicode NFC, vị trí dấu, khoảng trắng",
    "expand": "Mở rộng viết tắt / teencode",
    "restore": "Khôi phục dấu",
    "fold": "Bỏ dấu (so khớp không dấu)",
}


def _normalize(args: argparse.Namespace) -> int:
    from common.text.normalize import analyze, expand_synonyms

    if args.jsonl:
        for lineno, line in enumerate(sys.stdin, 1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except ValueError as exc:
                print(f"dòng {lineno}: JSON không hợp lệ ({exc})", file=sys.stderr)
                return 2
            out = {"id": obj.get("id"), "text": analyze(str(obj.get("q") or "")).restored}
            sys.stdout.write(json.dumps(out, ensure_ascii=False) + "\n")
        return 0
    text = " ".join(args.text) if args.text else sys.stdin.read()
    forms = analyze(text)
    width = max(len(v) for v in _LABELS.values())
    for name, value in forms.steps:
        print(f"{_LABELS.get(name, name):<{width}} : {value}")
    syn = expand_synonyms(forms.restored)
    if syn:
        print(f"{'Cách nói khác (từ điển đồng nghĩa)':<{width}} : " + " | ".join(syn))
    return 0

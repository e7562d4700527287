"""``tthc kb …`` commands: import, report, validate."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:
    kb = sub.add_parser("kb", help="Cơ sở tri thức: import, report, validate")
    kb_sub = kb.add_subparsers(dest="kb_command", metavar="KB_COMMAND")
    kb.set_defaults(handler=lambda args: kb.print_help() or 2)

    p = kb_sub.add_parser("import", help="Nhập dữ liệu thô (shared/data/raw, shared/seeds) vào knowledge/")
    p.add_argument("--raw-dir", type=Path, default=None, help="default: settings.raw_data_dir")
    p.add_argument("--seeds-dir", type=Path, default=None, help="default: settings.seeds_dir")
    p.add_argument("--knowledge-dir", type=Path, default=None, help="default: settings.knowledge_dir")
    p.add_argument(
        "--exports",
        type=Path,
        default=None,
        metavar="DIR",
        help="chỉ gộp một thư mục tệp xuất chính thức của Cổng DVC (PDF, DOCX) vào knowledge/, theo mã thủ tục",
    )
    p.set_defaults(handler=cmd_import)

    p = kb_sub.add_parser("report", help="Chất lượng phân tích theo trường (sạch / gắn cờ / thiếu)")
    p.add_argument("--knowledge-dir", type=Path, default=None)
    p.add_argument("--worst", type=int, default=10, help="number of worst records to list")
    p.set_defaults(handler=cmd_report)

    p = kb_sub.add_parser("validate", help="Kiểm tra mọi tệp theo schema; mã thoát 1 nếu có lỗi")
    p.add_argument("--knowledge-dir", type=Path, default=None)
    p.set_defaults(handler=cmd_validate)


def _settings():
    from tthc.settings import get_settings

    return get_settings()


def cmd_import(args) -> int:
    from tqdm import tqdm

    from knowledge.importer import build, portal_export, procedure_lists

    s = _settings()
    raw_dir = args.raw_dir or s.raw_data_dir
    seeds_dir = args.seeds_dir or s.seeds_dir
    kdir = args.knowledge_dir or s.knowledge_dir

    def progress(it, total=None, desc=None):
        return tqdm(it, total=total, desc=desc, unit="tệp", leave=False)

    if args.exports is not None:
        return _merge_exports(args.exports, kdir, progress)
    if not (raw_dir / "dvc-chatbot-tthc").is_dir():
        print(f"Không thấy dữ liệu thô: {raw_dir} (đặt TTHC_SHARED_DIR hoặc --raw-dir)", file=sys.stderr)
        return 1
    try:
        res = build.run(raw_dir, seeds_dir, kdir, progress=progress)
    except (portal_export.ExportError, procedure_lists.ListError) as exc:
        print(exc, file=sys.stderr)
        return 1
    total = sum(res.procedures.values())
    print(f"Thủ tục: {total} ({', '.join(f'{k} {v}' for k, v in sorted(res.procedures.items()))})")
    print(f"Thủ tục chỉ biết tên (từ danh sách, chưa có chi tiết): {res.known}")
    print(f"Thông báo: {res.notices}")
    print(f"Tệp ghi mới/thay đổi: {res.written}, xoá: {res.removed}; thời gian {res.seconds:.1f} s")
    for r in res.replaced:
        print(f"  mã trùng giữa nguồn, giữ bản sau: {r}")
    return 0


def cmd_validate(args) -> int:
    from knowledge.validate import validate_dir

    kdir = args.knowledge_dir or _settings().knowledge_dir
    errors, n_proc, n_notice = validate_dir(kdir)
    for e in errors:
        print(e)
    status = "OK" if not errors else f"{len(errors)} lỗi"
    print(f"{n_proc} thủ tục, {n_notice} thông báo: {status}", file=sys.stderr)
    return 1 if errors else 0


def _merge_exports(folder: Path, kdir: Path, progress) -> int:
    from knowledge.importer import build, portal_export, procedure_lists
    from knowledge.validate import validate_dir

    files = portal_export.iter_files(folder) if folder.is_dir() else []
    lists = procedure_lists.iter_list_files(folder) if folder.is_dir() else []
    if not files and not lists:
        print(f"Không thấy tệp xuất (.pdf, .docx) hay danh sách (.xlsx) trong {folder}", file=sys.stderr)
        return 1
    try:
        res = build.merge_exports(folder, kdir, progress=progress)
    except (portal_export.ExportError, procedure_lists.ListError) as exc:
        print(exc, file=sys.stderr)
        return 1
    print(
        f"Tệp xuất: {len(files)}; thủ tục mới: {res.added}; thay bản cũ hơn: {len(res.replaced) - len(res.kept_older)}; "
        f"giữ bản đang có (mới hơn tệp xuất): {len(res.kept_older)}"
    )
    print(f"Danh sách: {len(lists)}; thủ tục chỉ biết tên (chưa có chi tiết): {res.known}")
    print(f"Tệp ghi mới/thay đổi: {res.written}, xoá: {res.removed}; thời gian {res.seconds:.1f} s")
    for line in res.kept_older:
        print(f"  giữ bản đang có: {line}")
    errors, n_proc, _ = validate_dir(kdir)
    print(f"Kiểm tra: {n_proc} thủ tục, {'OK' if not errors else f'{len(errors)} lỗi'}")
    for e in errors[:20]:
        print(f"  {e}", file=sys.stderr)
    if not errors:
        print("Tiếp theo: `make run` dựng lại chỉ mục và khởi động trợ lý với dữ liệu mới.")
    return 1 if errors else 0


def cmd_report(args) -> int:
    from knowledge.report import build_report, format_report
    from knowledge.store import load_procedures, load_stale_rules

    kdir = args.knowledge_dir or _settings().knowledge_dir
    procs = load_procedures(kdir)
    print(format_report(build_report(procs, stale_rules=load_stale_rules(kdir)), worst=args.worst))
    return 0

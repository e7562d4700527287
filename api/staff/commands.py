"""``tthc staff …``: staff accounts of the lookup tool and office dashboard.

    tthc staff add-user NAME [--replace]     asks for the password twice (never an argument)
    tthc staff list-users
    tthc staff remove-user NAME

Scripts can pipe the password: ``printf '%s\\n' "$PW" | tthc staff add-user NAME --password-stdin``.
"""

from __future__ import annotations

import argparse
import getpass
import sys


def register(sub: argparse._SubParsersAction) -> None:
    staff = sub.add_parser("staff", help="tài khoản cán bộ (trang tra cứu, bảng theo dõi)")
    cmds = staff.add_subparsers(dest="staff_command", required=True, metavar="LỆNH")

    add = cmds.add_parser("add-user", help="tạo tài khoản cán bộ (hỏi mật khẩu)")
    add.add_argument("name", help="tên đăng nhập (chữ không dấu, số, . _ -)")
    add.add_argument("--replace", action="store_true", help="đổi mật khẩu của tài khoản đã có")
    add.add_argument("--password-stdin", action="store_true", help="đọc mật khẩu từ dòng đầu của stdin")
    add.set_defaults(handler=_add_user)

    ls = cmds.add_parser("list-users", help="liệt kê tài khoản")
    ls.set_defaults(handler=_list_users)

    rm = cmds.add_parser("remove-user", help="xóa tài khoản (và các phiên đăng nhập của nó)")
    rm.add_argument("name")
    rm.set_defaults(handler=_remove_user)


def _add_user(args: argparse.Namespace) -> int:
    from api.staff.auth import MIN_PASSWORD, AuthError, get_store

    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = getpass.getpass(f"Mật khẩu cho {args.name} (ít nhất {MIN_PASSWORD} ký tự): ")
        if getpass.getpass("Nhập lại mật khẩu: ") != password:
            print("Hai lần nhập không khớp; chưa tạo tài khoản.", file=sys.stderr)
            return 1
    store = get_store()
    try:
        store.add_user(args.name, password, replace=args.replace)
    except AuthError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    print(f"Đã {'đổi mật khẩu' if args.replace else 'tạo tài khoản'} {args.name} ({store.path}).")
    return 0


def _list_users(args: argparse.Namespace) -> int:
    from api.staff.auth import get_store

    for name in get_store().users():
        print(name)
    return 0


def _remove_user(args: argparse.Namespace) -> int:
    from api.staff.auth import get_store

    if get_store().remove_user(args.name):
        print(f"Đã xóa tài khoản {args.name}.")
        return 0
    print(f"Không có tài khoản {args.name}.", file=sys.stderr)
    return 1

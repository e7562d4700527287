"""``tthc index``: build the search index from the knowledge base.

Layout of ``settings.resolved_index_dir``::

    CURRENT              name of the folder in use (replaced atomically with os.replace)
    <hash>/              one complete build
        manifest.json    model, encoder, versions, input hash, counts, timings
        docs.jsonl       one line per retrievable unit (procedure, or notice chunk)
        procedures.jsonl full Procedure records (get_procedure serves from here)
        notices.jsonl    full Notice records
        dense.faiss      inner-product FAISS index over passage embeddings
        rows.npy         dense row → doc index
        bm25_seg/        BM25 over underthesea-segmented words
        bm25_fold/       BM25 over diacritic-free syllables and syllable bigrams

A build is written to ``<hash>.tmp-<pid>`` and renamed to ``<hash>`` once complete; only
then is CURRENT switched, so a running server keeps its loaded index, and a process that
loads during the build still gets the previous complete one. ``<hash>`` covers the
knowledge records, the model stamp and the code that shapes the index: when nothing
changed the build is skipped.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from indexer.query import fold, folded_terms, segmented_terms

BUILD_VERSION = "1"
CURRENT_FILE = "CURRENT"
KNOWN_DENSE = "known.faiss"  # titles of the procedures known by name only
KNOWN_RECORDS = "known.jsonl"
KEEP_OLD_BUILDS = 2
NOTICE_CHUNK_CHARS = 700
MAX_DOC_NAMES = 4
DENSE_FOLDED_TITLES = False


@dataclass
class Doc:
    kind: str  # "procedure" | "notice"
    id: str  # procedure code, or notice id
    title: str
    source: str  # procedure URL, or notice original file name
    lexical: str  # text for the BM25 indexes
    dense: list[str] = field(default_factory=list)  # passages for the dense index
    passage: str = ""  # notices: the chunk text shown and quoted
    chunk: int = 0
    levels: list[str] = field(default_factory=list)
    field: str = ""
    group: str = ""  # procedures with the same folded title share a group


# --------------------------------------------------------------------------- inputs


def outside_docs(coverage) -> list[Doc]:
    """One document per area the knowledge base does not hold (``knowledge/coverage.yaml``): a
    question closer to it than to any record is told so, with where to ask (``passage``)."""
    return [
        Doc(
            kind="outside",
            id=f"outside:{i}",
            title=area.area,
            source="",
            lexical=" . ".join(area.topics),
            dense=list(area.topics),
            passage=area.ask,
            group=f"outside:{i}",
        )
        for i, area in enumerate(coverage.outside)
    ]


def load_inputs():
    """Procedures and notices from the knowledge base (knowledge.store). The reviewed everyday
    names and question forms of ``knowledge/aliases/`` join each procedure's keywords, so the
    index, the staff search and the staff page use them like the record's own."""
    from knowledge.store import load_aliases, load_notices, load_procedures

    aliases = load_aliases()
    procs = [
        p.model_copy(update={"keywords": list(dict.fromkeys([*p.keywords, *aliases[p.code]]))})
        if p.code in aliases
        else p
        for p in load_procedures()
    ]
    return procs, list(load_notices())


_LEVEL_SUFFIX = re.compile(
    r"\(?\s*(thuc hien )?(tai|o) (cap|cong an cap) (xa|huyen|tinh|trung uong|bo)[^)]*\)?\s*$"
)


def title_core(title: str) -> str:
    """Folded title without the leading 'thủ tục' (title-match key)."""
    t = " ".join(fold(title).split())
    for pre in ("thu tuc ",):
        if t.startswith(pre):
            t = t[len(pre) :]
    return t.strip(" .")


def group_key(title: str) -> str:
    """Procedures whose titles differ only by the level ("(thực hiện tại cấp tỉnh)") group."""
    return _LEVEL_SUFFIX.sub("", title_core(title)).strip(" .,")


def procedure_docs(procs) -> list[Doc]:
    docs = []
    for p in procs:
        kws = [k for k in p.keywords if k.strip()]
        names = [d.name for d in p.documents[:MAX_DOC_NAMES]]
        # Dense rows: the title and each alias. Field and document names go to the lexical
        # indexes only. A diacritic-free copy of the title helped unaccented queries when
        # they were embedded as typed; the search now embeds the restored form and the
        # diacritic-free BM25 catches the rest, and with that the copies changed nothing on
        # the dev sets (R@1 0.919 with and without) while doubling the encoding time.
        dense = [p.title] + ([fold(p.title)] if DENSE_FOLDED_TITLES else [])
        dense += [f"Thủ tục {k}" for k in kws if len(k) > 3]
        lexical = " . ".join([p.title, p.title, p.field, *kws, *kws, p.agency, *names])
        docs.append(
            Doc(
                kind="procedure",
                id=p.code,
                title=p.title,
                source=p.source_url,
                lexical=lexical,
                dense=list(dict.fromkeys(d for d in dense if d.strip())),
                levels=[lv.value if hasattr(lv, "value") else str(lv) for lv in p.levels],
                field=p.field,
                group=group_key(p.title),
            )
        )
    return docs


def _split_long(par: str, limit: int) -> list[str]:
    if len(par) <= limit:
        return [par]
    import re

    out, cur = [], ""
    for sent in re.split(r"(?<=[.;!?])\s+", par):
        if cur and len(cur) + len(sent) > limit:
            out.append(cur)
            cur = ""
        cur = f"{cur} {sent}".strip()
    if cur:
        out.append(cur)
    return out


def notice_chunks(n, limit: int = NOTICE_CHUNK_CHARS) -> list[tuple[str, str]]:
    """(heading, text) chunks: paragraphs of a section packed up to ``limit`` characters,
    each chunk starting with the last paragraph of the previous one (overlap)."""
    out = []
    for sec in n.sections:
        pars = [q for p in sec.paragraphs for q in _split_long(p.strip(), limit) if q]
        cur: list[str] = []
        for par in pars:
            if cur and sum(len(x) for x in cur) + len(par) > limit:
                out.append((sec.heading, "\n".join(cur)))
                cur = [cur[-1]] if len(cur[-1]) < limit // 2 else []
            cur.append(par)
        if cur:
            out.append((sec.heading, "\n".join(cur)))
    return out


def notice_docs(notices) -> list[Doc]:
    docs = []
    for n in notices:
        date = n.date.strftime("%d/%m/%Y") if n.date else ""
        head = " ".join(x for x in (n.type, n.number, n.title) if x).strip()
        meta = ", ".join(
            x
            for x in (
                n.issuer,
                n.province,
                f"ngày {date}" if date else "",
                f"số {n.number}" if n.number else "",
            )
            if x
        )
        header = f"{head}. {meta}".strip(". ")
        chunks = [("", header), *notice_chunks(n)]
        for i, (heading, text) in enumerate(chunks):
            ctx = " — ".join(x for x in (head or n.id, heading) if x)
            docs.append(
                Doc(
                    kind="notice",
                    id=n.id,
                    title=n.title or head or n.id,
                    source=n.source_file,
                    lexical=f"{ctx} {meta}\n{text}",
                    dense=[f"{ctx}\n{text}"],
                    passage=text,
                    chunk=i,
                    group=f"notice:{n.id}",
                )
            )
    return docs


# --------------------------------------------------------------------------- hashing


def _code_files() -> list[Path]:
    here = Path(__file__).resolve().parent
    files = [here / "build.py", here / "query.py"]
    files += sorted((here / "text").rglob("*.py"))
    try:
        from tthc.settings import get_settings

        lex = get_settings().knowledge_dir / "lexicon"
        if lex.exists():
            files += sorted(p for p in lex.rglob("*") if p.is_file())
        for name in ("coverage.yaml", "known_procedures.yaml"):
            path = get_settings().knowledge_dir / name
            if path.exists():
                files.append(path)
    except Exception:
        pass
    return files


def input_hash(procs, notices, model_stamp: dict, encoder: str) -> str:
    h = hashlib.sha256()
    h.update(f"build={BUILD_VERSION};encoder={encoder};".encode())
    h.update(json.dumps(model_stamp, sort_keys=True).encode())
    for p in sorted(procs, key=lambda p: p.code):
        h.update(p.model_dump_json().encode())
    for n in sorted(notices, key=lambda n: n.id):
        h.update(n.model_dump_json().encode())
    for f in _code_files():
        h.update(f.name.encode())
        h.update(f.read_bytes())
    return h.hexdigest()[:16]


def named_build(index_root: Path) -> Path | None:
    """The folder CURRENT names (whether or not it is complete); None without CURRENT."""
    root = Path(index_root)
    try:
        name = (root / CURRENT_FILE).read_text(encoding="utf-8").strip()
    except OSError:
        return None
    return root / (name or "(empty CURRENT)")


def current_build(index_root: Path) -> Path | None:
    """The build CURRENT names, when its manifest is written."""
    path = named_build(index_root)
    return path if path is not None and (path / "manifest.json").exists() else None


def switch_current(index_root: Path, name: str) -> None:
    tmp = index_root / f".{CURRENT_FILE}.{os.getpid()}"
    tmp.write_text(name + "\n", encoding="utf-8")
    os.replace(tmp, index_root / CURRENT_FILE)


def _prune(index_root: Path, keep: str) -> None:
    builds = sorted(
        (p for p in index_root.iterdir() if p.is_dir() and (p / "manifest.json").exists() and p.name != keep),
        key=lambda p: p.stat().st_mtime,
        reverse=True,
    )
    for old in builds[KEEP_OLD_BUILDS - 1 :]:
        shutil.rmtree(old, ignore_errors=True)
    for tmp in index_root.glob("*.tmp-*"):
        try:
            pid = int(tmp.name.rsplit("-", 1)[1])
            os.kill(pid, 0)
        except (ValueError, ProcessLookupError):
            shutil.rmtree(tmp, ignore_errors=True)
        except PermissionError:
            pass


# --------------------------------------------------------------------------- build


class EmbeddingCache:
    """Passage embeddings by text hash, per model: a rebuild after a small knowledge change
    only encodes the passages that changed."""

    def __init__(self, root: Path, model_key: str):
        self.path = root / f"{model_key[:16]}.npz"
        self.map: dict[str, np.ndarray] = {}
        self.dirty = False
        if self.path.exists():
            try:
                z = np.load(self.path)
                self.map = dict(zip(z["keys"].tolist(), z["vecs"], strict=True))
            except Exception:
                self.map = {}

    @staticmethod
    def key(text: str) -> str:
        return hashlib.sha1(text.encode("utf-8")).hexdigest()[:20]

    def get(self, text: str, out: np.ndarray, i: int) -> bool:
        v = self.map.get(self.key(text))
        if v is None:
            return False
        out[i] = v
        return True

    def put(self, text: str, vec: np.ndarray) -> None:
        self.map[self.key(text)] = vec.copy()
        self.dirty = True

    def save(self) -> None:
        if not self.dirty:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(f".tmp{os.getpid()}.npz")
        keys = np.array(list(self.map), dtype="U20")
        vecs = np.stack(list(self.map.values())).astype(np.float32)
        np.savez(tmp, keys=keys, vecs=vecs)
        os.replace(tmp, self.path)


def _bm25(token_lists: list[list[str]], out: Path) -> None:
    import bm25s

    r = bm25s.BM25(k1=1.2, b=0.75)
    r.index([t or [""] for t in token_lists], show_progress=False)
    r.save(str(out), show_progress=False)


def _progress(iterable: Iterable, total: int, desc: str, quiet: bool):
    if quiet:
        return iterable
    from tqdm import tqdm

    return tqdm(iterable, total=total, desc=desc, unit="đv")


def build_index(
    procs=None,
    notices=None,
    index_root: Path | None = None,
    known=None,
    force: bool = False,
    encoder=None,
    quiet: bool = False,
    log: Callable[[str], None] = print,
) -> Path:
    """Build (or reuse) the index and point CURRENT at it. Returns the build folder."""
    from indexer.embedding_model import STAMP_FILE
    from tthc.settings import get_settings

    settings = get_settings()
    t0 = time.perf_counter()
    index_root = Path(index_root or settings.resolved_index_dir)
    if procs is None or notices is None:
        lp, ln = load_inputs()
        procs = lp if procs is None else procs
        notices = ln if notices is None else notices
    stamp_path = settings.resolved_model_dir / STAMP_FILE
    model_stamp = json.loads(stamp_path.read_text(encoding="utf-8")) if stamp_path.exists() else {}
    enc_name = getattr(encoder, "name", None) or os.environ.get("TTHC_PASSAGE_ENCODER") or "st"
    digest = input_hash(procs, notices, model_stamp, enc_name)
    target = index_root / digest
    if not force and (target / "manifest.json").exists():
        switch_current(index_root, digest)
        log(
            f"Chỉ mục không đổi ({digest}: {len(procs)} thủ tục, {len(notices)} thông báo) → bỏ qua: {target}"
        )
        return target

    log(f"Xây chỉ mục {digest}: {len(procs)} thủ tục, {len(notices)} thông báo → {target}")
    index_root.mkdir(parents=True, exist_ok=True)
    tmp = index_root / f"{digest}.tmp-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    try:
        timings = {}
        t = time.perf_counter()
        from knowledge.store import load_coverage, load_known_procedures

        docs = procedure_docs(procs) + notice_docs(notices) + outside_docs(load_coverage())
        seg = [segmented_terms(d.lexical) for d in _progress(docs, len(docs), "Tách từ", quiet)]
        fol = [folded_terms(d.lexical) for d in docs]
        _bm25(seg, tmp / "bm25_seg")
        _bm25(fol, tmp / "bm25_fold")
        timings["lexical_s"] = round(time.perf_counter() - t, 2)

        t = time.perf_counter()
        if encoder is None:
            from indexer.encoder import make_encoder

            encoder = make_encoder(enc_name, role="passage")
        texts, rows = [], []
        for i, d in enumerate(docs):
            for text in d.dense:
                texts.append(text)
                rows.append(i)
        # procedures known by name only: their titles get a dense index of their own, searched only
        # when no record answers (they never compete with the records)
        known = load_known_procedures() if known is None else known
        n_records = len(texts)
        texts += [k.title for k in known]
        cache = EmbeddingCache(index_root / "_embcache", model_stamp.get("source_sha256", "none"))
        emb = np.zeros((len(texts), 384), dtype=np.float32)
        todo = [i for i, x in enumerate(texts) if not cache.get(x, emb, i)]
        log(f"  {len(texts)} đoạn dense, {len(texts) - len(todo)} lấy từ bộ đệm, {len(todo)} cần mã hoá")
        todo.sort(key=lambda i: len(texts[i]))  # similar lengths batch well
        bs = settings.embed_batch_size
        batches = range(0, len(todo), bs)
        for s in _progress(batches, len(batches), "Mã hoá đoạn", quiet):
            idx = todo[s : s + bs]
            emb[idx] = encoder.encode([texts[j] for j in idx], False, batch_size=bs)
            for j in idx:
                cache.put(texts[j], emb[j])
        cache.save()
        timings["dense_s"] = round(time.perf_counter() - t, 2)
        timings["dense_encoded"] = len(todo)

        import faiss

        index = faiss.IndexFlatIP(emb.shape[1])
        index.add(emb[:n_records])
        faiss.write_index(index, str(tmp / "dense.faiss"))
        known_index = faiss.IndexFlatIP(emb.shape[1])
        known_index.add(emb[n_records:])
        faiss.write_index(known_index, str(tmp / KNOWN_DENSE))
        with open(tmp / KNOWN_RECORDS, "w", encoding="utf-8") as f:
            for k in known:
                f.write(k.model_dump_json() + "\n")
        np.save(tmp / "rows.npy", np.asarray(rows, dtype=np.int32))
        with open(tmp / "docs.jsonl", "w", encoding="utf-8") as f:
            for d in docs:
                rec = asdict(d)
                rec.pop("dense")
                f.write(json.dumps(rec, ensure_ascii=False) + "\n")
        with open(tmp / "procedures.jsonl", "w", encoding="utf-8") as f:
            for p in procs:
                f.write(p.model_dump_json() + "\n")
        with open(tmp / "notices.jsonl", "w", encoding="utf-8") as f:
            for n in notices:
                f.write(n.model_dump_json() + "\n")
        import bm25s
        import faiss as _faiss

        manifest = {
            "hash": digest,
            "build_version": BUILD_VERSION,
            "built_at": time.strftime("%Y-%m-%dT%H:%M:%S"),
            "model": {"dir": str(settings.resolved_model_dir), **model_stamp},
            "passage_encoder": enc_name,
            "versions": {"faiss": _faiss.__version__, "bm25s": bm25s.__version__},
            "counts": {
                "procedures": len(procs),
                "notices": len(notices),
                "docs": len(docs),
                "notice_chunks": sum(d.kind == "notice" for d in docs),
                "dense_rows": n_records,
                "known_procedures": len(known),
            },
            "timings": {**timings, "total_s": round(time.perf_counter() - t0, 2)},
        }
        (tmp / "manifest.json").write_text(
            json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8"
        )
        if target.exists():
            shutil.rmtree(target)
        os.replace(tmp, target)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    switch_current(index_root, digest)
    _prune(index_root, keep=digest)
    log(
        f"Xong trong {time.perf_counter() - t0:.1f}s: {manifest['counts']['docs']} đơn vị, "
        f"{manifest['counts']['dense_rows']} dòng dense; CURRENT → {digest}"
    )
    return target

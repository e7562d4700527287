"""Training of the diacritic-restoration model (``tthc text build``). Build time only.

Training text (all offline, nothing downloaded):

1. underthesea's bundled running text: the VLSP 2013 POS test output shipped in
   ``pipeline/pos_tag/models/pos_crf_vlsp2013_*/test_output.txt`` (~88k tokens),
   and its ``Viet74K.txt`` word list (candidate accented forms, and the word pairs
   that get a small bonus; not n-grams: as n-grams it hurt accuracy).
2. The project's knowledge: every string of every procedure file
   (``knowledge/procedures/*/*.yaml``, the files ``knowledge.store`` loads, read as plain
   YAML so that no schema validation is needed) and every notice (``knowledge/notices``).
   Only when ``knowledge/procedures`` is empty are the raw crawls in ``<shared>/data/raw``
   and ``<shared>/seeds`` read instead (the manifest records which source was used).
   Identical strings (boilerplate repeated across procedures) are counted once.
3. The lexicon (``knowledge/lexicon/*.tsv`` expansions and synonyms),
   ``knowledge/lexicon/phrases.txt`` (everyday question wording written for the project)
   and every procedure title put into a few ``question_templates.txt`` frames.
4. The everyday names and question forms of ``knowledge/aliases/*.yaml`` (reviewed data):
   the chat wording citizens type ("thì bao lâu lấy được", "ở phường"), which the formal
   records and the templates seldom hold.

Model: syllable trigrams, left-to-right and right-to-left, interpolated Kneser-Ney
(absolute discount 0.75), stored ARPA-style (log10 probability + back-off weight) in the
line-based format of :func:`common.text.restore.write_model`.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import io
import itertools
import json
import math
import os
import re
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from common.text import config
from common.text.normalize import fold_word, nfc
from common.text.restore import BOS, EOS, FORMAT_VERSION, MANIFEST, chunks, lm_token, write_model

TRAINER_VERSION = "7"  # bump when the training code changes in a way that changes the model
DISCOUNT = 0.75  # measured on dev: 0.5, 0.6, 0.9 and modified KN (3 discounts) were no better
MAX_CANDIDATES = 8
# Trigrams whose probability is within PRUNE (log10) of the back-off estimate are dropped.
PRUNE = 0.1
PARAMS = {"beam": 6, "keep_bonus": 1.5, "word_bonus": 0.3, "back_weight": 0.5}
# Optional count multipliers per source kind.
# (Measured: weighting them 5x or underthesea's text 3x lowered dev accuracy, so all weights are 1.)
SOURCE_WEIGHTS: dict[str, int] = {}
_VN_LETTERS = set("abcdefghijklmnopqrstuvwxyz")


def _underthesea_dir() -> Path | None:
    try:
        import importlib.util

        spec = importlib.util.find_spec("underthesea")
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.origin:
        return None
    return Path(spec.origin).parent


def source_files() -> dict[str, list[Path]]:
    """Training inputs grouped by kind (also what the content hash covers)."""
    out: dict[str, list[Path]] = {
        "underthesea_text": [],
        "underthesea_words": [],
        "knowledge": [],
        "lexicon": [],
        "aliases": [],
    }
    ud = _underthesea_dir()
    if ud is not None:
        out["underthesea_text"] = sorted(
            ud.glob("pipeline/pos_tag/models/pos_crf_vlsp2013_*/test_output.txt")
        )
        words = ud / "corpus" / "data" / "Viet74K.txt"
        if words.exists():
            out["underthesea_words"] = [words]
    kdir = config.knowledge_dir()
    know = sorted((kdir / "procedures").glob("*/*.yaml")) + sorted((kdir / "notices").glob("*.md"))
    if know:
        out["knowledge"] = know
        out["aliases"] = sorted((kdir / "aliases").glob("*.yaml"))
    else:
        raw = config.shared_dir() / "data" / "raw"
        out["shared_raw"] = (
            sorted((raw / "dvc-chatbot-tthc" / "records").glob("*/*.json"))
            + sorted((raw / "bqp-nhdandz" / "records").glob("*.json"))
            + sorted((config.shared_dir() / "seeds").glob("*.txt"))
        )
    lex = config.lexicon_dir()
    out["lexicon"] = sorted(p for p in lex.glob("*") if p.suffix in {".tsv", ".txt"})
    return out


def inputs_hash(files: dict[str, list[Path]]) -> str:
    h = hashlib.sha256(
        f"trainer={TRAINER_VERSION};D={DISCOUNT};prune={PRUNE};{sorted(PARAMS.items())};{sorted(SOURCE_WEIGHTS.items())}".encode()
    )
    for kind in sorted(files):
        for p in files[kind]:
            h.update(f"\0{kind}\0{p.name}\0".encode())
            h.update(p.read_bytes())
    return h.hexdigest()[:16]


# --- reading texts --------------------------------------------------------------------


def _strings(obj) -> Iterator[str]:
    if isinstance(obj, str):
        yield obj
    elif isinstance(obj, dict):
        for v in obj.values():
            yield from _strings(v)
    elif isinstance(obj, list):
        for v in obj:
            yield from _strings(v)


_RAW_SKIP = {"raw_text", "detail_url", "formality_id", "source_file", "thu_tuc_id", "ma_thu_tuc"}
_SENT_RE = re.compile(r"[\n\r]+|(?<=[.;:!?])\s+")


def _read_underthesea_text(path: Path) -> Iterator[str]:
    sent: list[str] = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            line = line.rstrip("\n")
            if not line.strip():
                if sent:
                    yield " ".join(sent)
                    sent = []
                continue
            sent.append(line.split("\t")[0])
    if sent:
        yield " ".join(sent)


def _plain_yaml(text: str):
    """A knowledge file read as plain YAML (no schema validation: training needs only strings)."""
    import yaml

    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def texts(files: dict[str, list[Path]]) -> Iterator[tuple[str, str]]:
    """(kind, text) pairs of training text."""
    for p in files.get("underthesea_text", []):
        for s in _read_underthesea_text(p):
            yield "underthesea_text", s
    for p in files.get("underthesea_words", []):
        for line in p.read_text(encoding="utf-8").splitlines():
            if line.strip():
                yield "underthesea_words", line.strip()
    templates = _templates(files)
    if files.get("knowledge"):
        for p in files["knowledge"]:
            raw = p.read_text(encoding="utf-8")
            if p.suffix == ".md":
                yield "knowledge", raw
            else:
                data = _plain_yaml(raw)
                for s in _strings(data):
                    yield "knowledge", s
                if isinstance(data, dict) and isinstance(data.get("title"), str):
                    for q in _questions(data["title"], templates):
                        yield "question_templates", q
    for p in files.get("shared_raw", []):
        if p.suffix == ".json":
            data = json.loads(p.read_text(encoding="utf-8"))
            if isinstance(data, dict):
                data = {k: v for k, v in data.items() if k not in _RAW_SKIP}
            for s in _strings(data):
                yield "shared_raw", s
            title = data.get("ten_thu_tuc") or (data.get("metadata") or {}).get("tên_thủ_tục")
            if isinstance(title, str):
                for q in _questions(title, templates):
                    yield "question_templates", q
        else:
            yield "shared_raw", p.read_text(encoding="utf-8")
    if files.get("aliases"):
        for p in files["aliases"]:
            for entry in _plain_yaml(p.read_text(encoding="utf-8")) or []:
                names = [n.get("text") for n in entry.get("names") or [] if isinstance(n, dict)]
                for text in [*names, *(entry.get("questions") or [])]:
                    if isinstance(text, str):
                        yield "aliases", text
    for p in files.get("lexicon", []):
        if p.name == TEMPLATES_FILE:
            continue
        for line in p.read_text(encoding="utf-8").splitlines():
            if line.strip() and not line.lstrip().startswith("#"):
                for col in line.split("\t")[:2]:
                    yield "lexicon", col


TEMPLATES_FILE = "question_templates.txt"
TEMPLATES_PER_TITLE = 4
_TITLE_CUT = re.compile(r"\s*[(,;:.]")


def _templates(files: dict[str, list[Path]]) -> list[str]:
    for p in files.get("lexicon", []):
        if p.name == TEMPLATES_FILE:
            return [
                line.strip()
                for line in p.read_text(encoding="utf-8").splitlines()
                if "{t}" in line and not line.lstrip().startswith("#")
            ]
    return []


def _questions(title: str, templates: list[str]) -> list[str]:
    """A few citizen-style questions around one procedure title (deterministic choice)."""
    if not templates:
        return []
    t = _TITLE_CUT.split(nfc(title), maxsplit=1)[0].strip()
    if t.lower().startswith("thủ tục "):
        t = t[8:]
    if not t:
        return []
    t = t[0].lower() + t[1:]
    start = int(hashlib.md5(t.encode("utf-8")).hexdigest(), 16) % len(templates)
    step = max(1, len(templates) // TEMPLATES_PER_TITLE)
    return [
        templates[(start + k * step) % len(templates)].replace("{t}", t) for k in range(TEMPLATES_PER_TITLE)
    ]


@functools.lru_cache(maxsize=200_000)
def _is_syllable(tok: str) -> bool:
    return tok.isalpha() and set(fold_word(tok)) <= _VN_LETTERS


def sequences(text: str) -> Iterator[list[str]]:
    for part in _SENT_RE.split(text):
        if not part.strip():
            continue
        part = nfc(part)
        for g in chunks(part):
            seq = [lm_token(m.group(0)) for m in g]
            if seq:
                yield seq


# --- counting and estimating ----------------------------------------------------------


def _estimate(tri: Counter[tuple[str, str, str]]) -> dict:
    """Interpolated Kneser-Ney trigram model, ARPA-style (log10 prob + back-off weight)."""
    D = DISCOUNT
    # trigram level: raw counts
    ctx3_total: Counter[tuple[str, str]] = Counter()
    ctx3_types: Counter[tuple[str, str]] = Counter()
    bi_cont: Counter[tuple[str, str]] = Counter()  # N1+(. v w)
    for (u, v, w), c in tri.items():
        ctx3_total[(u, v)] += c
        ctx3_types[(u, v)] += 1
        bi_cont[(v, w)] += 1
    ctx2_total: Counter[str] = Counter()
    ctx2_types: Counter[str] = Counter()
    uni_cont: Counter[str] = Counter()  # N1+(. w)
    for (v, w), c in bi_cont.items():
        ctx2_total[v] += c
        ctx2_types[v] += 1
        uni_cont[w] += 1
    total_cont = sum(uni_cont.values())
    vocab_size = len(uni_cont) + 1
    eps = 1e-3
    p1 = {w: (1 - eps) * c / total_cont + eps / vocab_size for w, c in uni_cont.items()}
    unk_lp = math.log10(eps / vocab_size)

    def gamma2(v: str) -> float:
        return D * ctx2_types[v] / ctx2_total[v] if ctx2_total[v] else 1.0

    p2: dict[tuple[str, str], float] = {}
    for (v, w), c in bi_cont.items():
        p2[(v, w)] = max(c - D, 0) / ctx2_total[v] + gamma2(v) * p1.get(w, eps / vocab_size)

    uni_out = {
        w: [round(math.log10(p), 4), round(math.log10(gamma2(w)), 4) if ctx2_total[w] else 0.0]
        for w, p in p1.items()
    }
    bi_out = {}
    for (v, w), p in p2.items():
        tot = ctx3_total.get((v, w), 0)
        bow = round(math.log10(D * ctx3_types[(v, w)] / tot), 4) if tot else 0.0
        bi_out[f"{v} {w}"] = [round(math.log10(p), 4), bow]
    tri_out = {}
    for (u, v, w), c in tri.items():
        tot = ctx3_total[(u, v)]
        backoff = D * ctx3_types[(u, v)] / tot * p2[(v, w)]
        p = max(c - D, 0) / tot + backoff
        lp = math.log10(p)
        if lp - math.log10(backoff) < PRUNE:
            continue  # the back-off estimate is almost as good: not worth the memory
        tri_out[f"{u} {v} {w}"] = round(lp, 3)

    return {"unk_lp": round(unk_lp, 4), "uni": uni_out, "bi": bi_out, "tri": tri_out}


def train(
    files: dict[str, list[Path]] | None = None,
    progress: Callable[[str, int], None] | None = None,
) -> dict:
    """Count n-grams over the training text and return the model as a JSON-able dict."""
    files = files or source_files()
    tri: Counter[tuple[str, str, str]] = Counter()
    tri_back: Counter[tuple[str, str, str]] = Counter()
    forms: dict[str, Counter[str]] = defaultdict(Counter)
    n_tokens: Counter[str] = Counter()
    n_texts = 0
    seen: set[str] = set()
    word_pairs: set[str] = set()
    for kind, text in texts(files):
        n_texts += 1
        if progress and n_texts % 5000 == 0:
            progress(kind, n_texts)
        if text in seen:  # repeated boilerplate (same step text in many procedures) counts once
            continue
        seen.add(text)
        if kind == "underthesea_words":  # the word list adds candidate forms and word pairs, not n-grams
            sy = nfc(text).lower().split()
            if all(_is_syllable(t) for t in sy):
                for t in sy:
                    forms[fold_word(t)][t] += 0
                for a, b in itertools.pairwise(sy):
                    word_pairs.add(f"{a} {b}")
            continue
        weight = SOURCE_WEIGHTS.get(kind, 1)
        for seq in sequences(text):
            n_tokens[kind] += len(seq)
            for t in seq:
                if _is_syllable(t):
                    forms[fold_word(t)][t] += weight
            padded = [BOS, BOS, *seq, EOS]
            for i in range(2, len(padded)):
                tri[(padded[i - 2], padded[i - 1], padded[i])] += weight
            padded = [BOS, BOS, *reversed(seq), EOS]  # right-to-left model
            for i in range(2, len(padded)):
                tri_back[(padded[i - 2], padded[i - 1], padded[i])] += weight
    if progress:
        progress("estimating", n_texts)

    fwd = _estimate(tri)
    bwd = _estimate(tri_back)
    cands = {}
    for f, cnt in forms.items():
        best = [t for t, c in cnt.most_common()][:MAX_CANDIDATES]
        cands[f] = best
    return {
        "format": FORMAT_VERSION,
        "trainer": TRAINER_VERSION,
        "discount": DISCOUNT,
        "params": PARAMS,
        "fwd": fwd,
        "bwd": bwd,
        "cands": cands,
        "word_pairs": sorted(word_pairs),
        "stats": {
            "texts": n_texts,
            "tokens": dict(n_tokens),
            "unigrams": len(fwd["uni"]),
            "trigrams_backward": len(bwd["tri"]),
            "bigrams": len(fwd["bi"]),
            "trigrams": len(fwd["tri"]),
            "folded_syllables": len(cands),
        },
    }


def write_atomic(path: Path, data: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with (
            os.fdopen(fd, "wb") as raw,
            gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=6, mtime=0) as gz,
        ):
            text = io.TextIOWrapper(gz, encoding="utf-8", newline="\n")
            write_model(text, data)
            text.flush()
            text.detach()
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _write_json_atomic(path: Path, obj: dict) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(obj, fh, ensure_ascii=False, indent=2)
    os.replace(tmp, path)


def build(out_dir: Path | None = None, force: bool = False, quiet: bool = False) -> Path:
    """Train (unless the inputs are unchanged) and make the model current; returns its path."""
    out_dir = Path(out_dir or config.text_var_dir())
    t0 = time.perf_counter()
    files = source_files()
    digest = inputs_hash(files)
    target = out_dir / f"restore-{digest}.lm.gz"

    def say(msg: str) -> None:
        if not quiet:
            print(msg, file=sys.stderr, flush=True)

    if target.exists() and not force:
        manifest = out_dir / MANIFEST
        current = json.loads(manifest.read_text(encoding="utf-8")).get("model") if manifest.exists() else None
        if current != target.name:
            _write_json_atomic(manifest, {"model": target.name, "inputs_hash": digest})
        say(f"Mô hình khôi phục dấu đã cập nhật (inputs {digest}), bỏ qua: {target}")
        return target
    counts = {k: len(v) for k, v in files.items() if v}
    say("Huấn luyện mô hình khôi phục dấu từ: " + ", ".join(f"{k} ({n} tệp)" for k, n in counts.items()))
    if "shared_raw" in files:
        say("  (chưa có knowledge/procedures: dùng dữ liệu thô trong ../shared thay thế)")

    def progress(kind: str, n: int) -> None:
        if not quiet:
            print(
                f"\r  {n:>8,} đoạn văn … [{kind}] {time.perf_counter() - t0:5.1f}s",
                end="",
                file=sys.stderr,
                flush=True,
            )

    model = train(files, progress)
    if not quiet:
        print(file=sys.stderr)
    model["inputs_hash"] = digest
    model["sources"] = {
        k: [p.name for p in v][:5] + (["…"] if len(v) > 5 else []) for k, v in files.items() if v
    }
    write_atomic(target, model)
    _write_json_atomic(
        out_dir / MANIFEST,
        {"model": target.name, "inputs_hash": digest, "stats": model["stats"], "sources": list(counts)},
    )
    for old in out_dir.glob("restore-*.gz"):
        if old != target:
            old.unlink(missing_ok=True)
    st = model["stats"]
    say(
        f"Đã ghi {target} ({target.stat().st_size / 1e6:.1f} MB; {st['trigrams']:,} trigram, "
        f"{st['folded_syllables']:,} âm tiết) trong {time.perf_counter() - t0:.1f}s"
    )
    return target


def iter_questions(path: Path) -> Iterable[str]:
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            yield line


# --- evaluation (bench/bench_normalize.py, tests/common/text) ---------------------------------


def strip_diacritics(text: str) -> str:
    """Remove every diacritic, keep case: how people type on a phone without a Vietnamese keyboard."""
    import unicodedata

    out = []
    for c in unicodedata.normalize("NFD", text):
        if unicodedata.combining(c):
            continue
        out.append({"đ": "d", "Đ": "D"}.get(c, c))
    return unicodedata.normalize("NFC", "".join(out))


def partially_strip(text: str) -> str:
    """Strip the diacritics of every other word (mixed typing, e.g. "lam lai căn cước")."""
    return " ".join(strip_diacritics(w) if i % 2 == 0 else w for i, w in enumerate(text.split()))


def evaluate(restorer, questions: list[str], mode: str = "plain") -> dict:
    """Strip diacritics (mode plain: all; partial: every other word; accented: none),
    restore, compare word by word (case-insensitive)."""
    words = right = whole = 0
    times: list[float] = []
    cpu: list[float] = []
    errors: list[tuple[str, str]] = []
    for q in questions:
        ref = nfc(q)
        plain = {"plain": strip_diacritics, "partial": partially_strip, "accented": str}[mode](ref)
        t0, c0 = time.perf_counter(), time.thread_time()
        got = restorer.restore(plain)
        times.append(time.perf_counter() - t0)
        cpu.append(time.thread_time() - c0)
        rt, gt = ref.lower().split(), got.lower().split()
        ok = sum(a == b for a, b in zip(rt, gt, strict=False)) if len(rt) == len(gt) else 0
        words += len(rt)
        right += ok
        if ok == len(rt):
            whole += 1
        else:
            errors.append((ref, got))
    times.sort()
    cpu.sort()
    n = len(questions)
    return {
        "questions": n,
        "word_accuracy": right / words if words else 0.0,
        "question_accuracy": whole / n if n else 0.0,
        "p50_ms": times[n // 2] * 1000 if n else 0.0,
        "p95_ms": times[min(n - 1, int(n * 0.95))] * 1000 if n else 0.0,
        "cpu_p50_ms": cpu[n // 2] * 1000 if n else 0.0,
        "cpu_p95_ms": cpu[min(n - 1, int(n * 0.95))] * 1000 if n else 0.0,
        "errors": errors,
    }

"""Diacritic restoration: syllable trigram language model + beam search.

For every syllable typed without diacritics ("lam", "lai", "o", "dau") the
decoder considers each accented form seen in the training text ("làm", "lâm",
"lắm", …) and picks the sequence with the highest score under interpolated
Kneser-Ney syllable trigram models (left-to-right, plus 0.5 x right-to-left). Syllables that already carry
diacritics, numbers, codes and unknown words are kept as they are (they still give
context to their neighbours).

The n-gram tables and the beam search are compiled (``common/text/_ngram.c``, built by
``pip install -e .``): hash tables of packed syllable ids are smaller than Python dicts, and a
decoding step costs no interpreter time. This module reads the model, decides what to restore and
keeps the text's case and spacing.

The model is trained by ``tthc text build`` (:mod:`indexer.text.train`) into
``<var_dir>/text/restore-<hash>.lm.gz``; ``<var_dir>/text/manifest.json`` names
the current file. The format is line-based gzip'd text with a JSON header (no pickle,
see :func:`write_model`): it loads under both the application (3.11) and the Rasa
(3.10) environment. When no model is built,
:func:`get_restorer` logs a warning once and returns ``None`` (no restoration).
"""

from __future__ import annotations

import gc
import gzip
import json
import logging
import os
import re
import threading
import time
from array import array
from pathlib import Path

from common.text import config
from common.text._ngram import KeySet, NGram, beam_decode
from common.text.normalize import fold_word, typed_with_diacritics

log = logging.getLogger(__name__)

FORMAT_VERSION = 2
# File layout (gzip'd UTF-8 text, read line by line so loading never holds the whole
# file in memory): line 1 is a JSON header (format, params, unk_lp, cands, stats, …);
# then sections, each opened by a line "#<name>", one entry per line:
#   fwd.uni / fwd.bi / bwd.uni / bwd.bi:  "<ngram>\t<log10 p>\t<log10 back-off>"
#   fwd.tri / bwd.tri:                    "<ngram>\t<log10 p>"
#   word_pairs:                           "<syllable> <syllable>"
SECTIONS = ("fwd.uni", "fwd.bi", "fwd.tri", "bwd.uni", "bwd.bi", "bwd.tri", "word_pairs")
MANIFEST = "manifest.json"
BOS, EOS, NUM, UNK = "<s>", "</s>", "<num>", "<unk>"

# Tokens as the language model sees them (codes like 1.001193 stay one token).
TOKEN_RE = re.compile(r"[^\W_]+(?:[./\-][^\W_]+)*")


def lm_token(tok: str) -> str:
    """Lower-case syllable, or a class for numbers/codes."""
    if tok.isalpha():
        return tok.lower()
    if any(c.isdigit() for c in tok):
        return NUM
    return UNK


def chunks(text: str) -> list[list[re.Match]]:
    """Runs of tokens separated only by spaces (punctuation ends a run)."""
    out: list[list[re.Match]] = []
    cur: list[re.Match] = []
    prev_end = 0
    for m in TOKEN_RE.finditer(text):
        if cur and text[prev_end : m.start()].strip():
            out.append(cur)
            cur = []
        cur.append(m)
        prev_end = m.end()
    if cur:
        out.append(cur)
    return out


def _match_case(src: str, dst: str) -> str:
    if src.islower() or src == dst:
        return dst
    if len(src) > 1 and src.isupper():
        return dst.upper()
    if src[0].isupper():
        return dst[0].upper() + dst[1:]
    return dst


def write_model(fh, data: dict) -> None:
    """Write ``data`` (header keys + {"fwd": {...}, "bwd": {...}, "word_pairs": [...]})
    to a text file object in the layout described at ``FORMAT_VERSION``."""
    header = {k: v for k, v in data.items() if k not in {"fwd", "bwd", "word_pairs"}}
    header["format"] = FORMAT_VERSION
    for d in ("fwd", "bwd"):
        if data.get(d):
            header[f"{d}.unk_lp"] = data[d]["unk_lp"]
    fh.write(json.dumps(header, ensure_ascii=False, separators=(",", ":")) + "\n")
    for d in ("fwd", "bwd"):
        if not data.get(d):
            continue
        for order in ("uni", "bi"):
            fh.write(f"#{d}.{order}\n")
            for k, (lp, bow) in data[d][order].items():
                fh.write(f"{k}\t{lp}\t{bow}\n")
        fh.write(f"#{d}.tri\n")
        for k, lp in data[d]["tri"].items():
            fh.write(f"{k}\t{lp}\n")
    fh.write("#word_pairs\n")
    for pair in data.get("word_pairs", ()):
        fh.write(pair + "\n")


SHIFT = 20  # syllable ids < 2**20; an n-gram key packs its ids into one int (as in _ngram.c)
Candidates = tuple[tuple[str, ...], tuple[int, ...]]  # a syllable's accented forms, and their ids
# an absent section: its columns
EMPTY = {
    "uni": (array("Q"), array("d"), array("d")),
    "bi": (array("Q"), array("d"), array("d")),
    "tri": (array("Q"), array("d")),
    "pairs": (array("Q"),),
}


def read_model(path: Path) -> dict:
    """Read a model file written by :func:`write_model`.

    N-grams are keyed by packed integer ids (``((u << 20) | v) << 20 | w``). Each section is read
    into flat arrays (keys, log10 p and, for uni- and bigrams, log10 back-off), which
    :class:`~common.text._ngram.NGram` turns into hash tables.
    """
    ids: dict[str, int] = {}

    def vid(syl: str) -> int:
        i = ids.get(syl)
        if i is None:
            i = ids[syl] = len(ids) + 1  # 0 = unknown
        return i

    def key(ngram: str) -> int:
        k = 0
        for syl in ngram.split(" "):
            k = (k << SHIFT) | vid(syl)
        return k

    with gzip.open(path, "rt", encoding="utf-8") as fh:
        header = json.loads(fh.readline())
        if header.get("format") != FORMAT_VERSION:
            raise ValueError(f"unsupported restoration model format {header.get('format')!r} in {path}")
        data = dict(header)
        for tok in (BOS, EOS, NUM, UNK):
            vid(tok)
        for forms in header.get("cands", {}).values():
            for f in forms:
                vid(f)
        sections: dict[str, tuple[array, ...]] = {}
        keys, lps, backs = array("Q"), array("d"), array("d")
        width = 0
        for line in fh:
            line = line.rstrip("\n")
            if line.startswith("#"):
                name = line[1:]
                if name not in SECTIONS:
                    raise ValueError(f"unknown section {name!r} in {path}")
                width = 1 if name == "word_pairs" else 2 if name.endswith(".tri") else 3
                keys, lps, backs = columns = (array("Q"), array("d"), array("d"))
                sections[name] = columns[:width]
                continue
            parts = line.split("\t")
            if len(parts) != width:
                raise ValueError(f"{path}: malformed line {line[:80]!r}")
            keys.append(key(parts[0]))
            if width > 1:
                lps.append(float(parts[1]))
                if width > 2:
                    backs.append(float(parts[2]))
        if len(ids) >= 1 << SHIFT:
            raise ValueError(f"{path}: vocabulary too large ({len(ids)})")
        for d in ("fwd", "bwd"):
            if f"{d}.unk_lp" in header:
                uni, bi, tri = (sections.get(f"{d}.{order}", EMPTY[order]) for order in ("uni", "bi", "tri"))
                data[d] = NGram(*uni, *bi, *tri, header[f"{d}.unk_lp"])
        data["word_pairs"] = KeySet(sections.get("word_pairs", EMPTY["pairs"])[0])
        data["vocab"] = ids
    return data


class Restorer:
    """A loaded model. ``restore(text)`` expects text already passed through ``nfc``."""

    def __init__(self, data: dict, path: Path | None = None):
        if data.get("format") != FORMAT_VERSION:
            raise ValueError(f"unsupported restoration model format {data.get('format')!r} in {path}")
        self.path = path
        self.inputs_hash = data.get("inputs_hash", "")
        self.ids: dict[str, int] = data["vocab"]
        self.fwd: NGram = data["fwd"]
        self.bwd: NGram | None = data.get("bwd")
        ids = self.ids
        # folded syllable -> (accented forms, their ids)
        self.cands: dict[str, Candidates] = {
            f: (tuple(forms), tuple(ids.get(form, 0) for form in forms)) for f, forms in data["cands"].items()
        }
        self.word_pairs: KeySet = data["word_pairs"]
        self.bos, self.eos = ids[BOS], ids[EOS]
        params = data.get("params", {})
        self.beam = int(params.get("beam", 6))
        self.keep_bonus = float(params.get("keep_bonus", 2.0))
        self.word_bonus = float(params.get("word_bonus", 0.0))
        # weight of the right-to-left model (0: left-to-right only)
        self.back_weight = float(params.get("back_weight", 0.0)) if self.bwd is not None else 0.0

    @classmethod
    def load(cls, path: Path) -> Restorer:
        restorer = cls(read_model(path), Path(path))
        # The vocabulary and the candidates are ~10^4 long-lived objects: keep them out of the
        # cyclic GC's scans, otherwise a full collection in the middle of a request costs ms.
        gc.collect()
        gc.freeze()
        return restorer

    def candidates(self, tok: str) -> Candidates | None:
        """The accented forms to consider and their ids, or None when the token is kept as typed."""
        if not tok.isalpha():
            return None
        low = tok.lower()
        f = fold_word(low)
        if f != low:  # already has diacritics (or đ): keep
            return None
        return self.cands.get(f)

    def decode(self, toks: list[str], partial: bool) -> list[str]:
        """Best lower-case form for each token of one chunk."""
        return self._decode(toks, [self.candidates(t) for t in toks], partial)

    def _decode(self, toks: list[str], cands: list[Candidates | None], partial: bool) -> list[str]:
        """:meth:`decode`, given each token's candidates.

        Beam search left to right over (previous, current) states, in :func:`_ngram.beam_decode`.
        The score of a path is log P_forward + back_weight * log P_backward: the right-to-left
        term of a syllable is added as soon as the two syllables after it are known.
        """
        forms: list[tuple[str, ...]] = []
        ids: list[int] = []
        offsets, kept = [0], bytearray()
        for t, c in zip(toks, cands, strict=True):
            if c is None:
                form = lm_token(t)
                c = ((form,), (self.ids.get(form, 0),))
            forms.append(c[0])
            ids += c[1]
            offsets.append(len(ids))
            if partial:
                low = t.lower()
                kept += bytes(form == low for form in c[0])
            else:
                kept += bytes(len(c[0]))
        best = beam_decode(
            self.fwd, self.bwd, self.word_pairs, array("Q", ids), array("q", offsets), kept,
            self.beam, self.keep_bonus, self.word_bonus, self.back_weight, self.bos, self.eos,
        )  # fmt: skip
        return [opts[j] for opts, j in zip(forms, best, strict=True)]

    def restore(self, text: str, partial: bool | None = None) -> str:
        """Restore the diacritics of syllables typed without them; everything else is kept.

        ``partial``: the writer typed diacritics, so a syllable typed plain is more likely meant
        plain ("lam lai căn cước" keeps căn cước and still restores "làm lại", but "khai sinh cho
        con" stays as typed). None: decided from ``text`` itself (:func:`typed_with_diacritics`:
        "cho em hỏi dang ky ket hon" is typed without, its two marked words kept).
        """
        if not text:
            return text
        groups = chunks(text)
        words = [m.group(0) for g in groups for m in g if m.group(0).isalpha()]
        if not words:
            return text
        if all(fold_word(w) != w.lower() for w in words):
            return text  # every word typed with its marks
        if partial is None:
            partial = typed_with_diacritics(text)
        out: list[str] = []
        pos = 0
        for g in groups:
            toks = [m.group(0) for m in g]
            cands = [self.candidates(t) for t in toks]
            if not any(cands):
                continue
            best = self._decode(toks, cands, partial)
            for m, t, c, b in zip(g, toks, cands, best, strict=True):
                if c and b != t.lower():
                    out.append(text[pos : m.start()])
                    out.append(_match_case(t, b))
                    pos = m.end()
        out.append(text[pos:])
        return "".join(out)


# --- locating and caching the current model ------------------------------------------

_LOCK = threading.Lock()
_CACHE: dict[str, Restorer | None] = {}
_WARNED = False


_MANIFEST_CACHE: dict[str, tuple[int, Path | None, float]] = {}  # manifest → mtime, model, looked at


def current_model_path(text_dir: Path | None = None) -> Path | None:
    """The model named by ``<var_dir>/text/manifest.json`` (or ``TTHC_TEXT_MODEL``), if it exists.

    The manifest's modification time is looked at once per ``config.ARTEFACT_RECHECK_S`` and the
    manifest re-read only when it changed, so a running service picks up a rebuilt model.
    """
    explicit = os.environ.get("TTHC_TEXT_MODEL")
    if explicit:
        p = Path(explicit)
        return p if p.exists() else None
    manifest = (text_dir or config.text_var_dir()) / MANIFEST
    now = time.monotonic()
    cached = _MANIFEST_CACHE.get(str(manifest))
    if cached is not None and now - cached[2] < config.ARTEFACT_RECHECK_S:
        return cached[1]
    try:
        mtime = manifest.stat().st_mtime_ns
    except OSError:
        return None
    if cached is not None and cached[0] == mtime:
        _MANIFEST_CACHE[str(manifest)] = (mtime, cached[1], now)
        return cached[1]
    try:
        name = json.loads(manifest.read_text(encoding="utf-8")).get("model", "")
    except (OSError, ValueError):
        return None
    p = manifest.parent / name
    result = p if name and p.is_file() else None
    _MANIFEST_CACHE[str(manifest)] = (mtime, result, now)
    return result


def get_restorer(text_dir: Path | None = None) -> Restorer | None:
    """The current model, loaded once per process; None (with one warning) when not built."""
    global _WARNED
    path = current_model_path(text_dir)
    key = str(path)
    if key in _CACHE:
        return _CACHE[key]
    with _LOCK:
        if key in _CACHE:
            return _CACHE[key]
        restorer = None
        if path is None:
            if not _WARNED:
                log.warning(
                    "No diacritic-restoration model in %s: text typed without diacritics will not be "
                    "restored. Build it with `tthc text build`.",
                    text_dir or config.text_var_dir(),
                )
                _WARNED = True
        else:
            try:
                restorer = Restorer.load(path)
            except (OSError, ValueError, KeyError) as exc:
                log.warning("Cannot load restoration model %s (%s); run `tthc text build`.", path, exc)
        _CACHE[key] = restorer
        return restorer


def reset_restorer() -> None:
    """Forget loaded models (tests, or after a rebuild in the same process)."""
    global _WARNED
    with _LOCK:
        _CACHE.clear()
        _MANIFEST_CACHE.clear()
        _WARNED = False

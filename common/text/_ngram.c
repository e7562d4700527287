/* Syllable trigram tables and the restorer's beam search, compiled.
 *
 * common/text/restore.py loads the model and decides what to restore; this module holds the
 * n-gram tables (open-addressing hash tables keyed by packed syllable ids, far smaller than
 * Python dicts) and runs the beam search of Restorer.decode over them. Every sum is made in the
 * order the Python reference makes it (tests/common/text/test_restore.py), in IEEE doubles
 * without contraction (setup.py passes -ffp-contract=off), so both give the same forms.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define SHIFT 20
/* bounds that keep every size below in int range (the model has a beam of 6 and at most a few
 * dozen forms per syllable) */
#define MAX_BEAM 4096
#define MAX_OPTIONS 65536

/* ------------------------------------------------------------------ hash table */

typedef struct {
    uint64_t key; /* 0: empty (syllable ids start at 1, so no n-gram packs to 0) */
    double lp;    /* log10 probability */
    double back;  /* log10 back-off weight (0 for trigrams) */
} Slot;

typedef struct {
    Slot *slots;
    uint64_t mask;
    int bits;
} Table;

static inline uint64_t slot_of(const Table *t, uint64_t key) {
    return (key * 0x9E3779B97F4A7C15ULL) >> (64 - t->bits);
}

static inline const Slot *table_get(const Table *t, uint64_t key) {
    if (key == 0 || t->slots == NULL)
        return NULL;
    for (uint64_t i = slot_of(t, key);; i = (i + 1) & t->mask) {
        const Slot *s = &t->slots[i];
        if (s->key == key)
            return s;
        if (s->key == 0)
            return NULL;
    }
}

static void table_free(Table *t) {
    PyMem_Free(t->slots);
    t->slots = NULL;
}

/* Fill ``t`` from a buffer of keys (uint64) and, unless None, of log-probabilities and back-offs
 * (doubles). */
static int table_fill(Table *t, PyObject *keys_obj, PyObject *lp_obj, PyObject *back_obj) {
    Py_buffer keys = {0}, lp = {0}, back = {0};
    int ok = -1;
    if (PyObject_GetBuffer(keys_obj, &keys, PyBUF_FORMAT | PyBUF_C_CONTIGUOUS) < 0)
        return -1;
    if (lp_obj != Py_None && PyObject_GetBuffer(lp_obj, &lp, PyBUF_FORMAT | PyBUF_C_CONTIGUOUS) < 0)
        goto done;
    if (back_obj != Py_None && PyObject_GetBuffer(back_obj, &back, PyBUF_FORMAT | PyBUF_C_CONTIGUOUS) < 0)
        goto done;
    if (keys.itemsize != 8 || (lp.obj && (lp.itemsize != 8 || strcmp(lp.format, "d") != 0)) ||
        (back.obj && (back.itemsize != 8 || strcmp(back.format, "d") != 0))) {
        PyErr_SetString(PyExc_TypeError, "keys must be 64-bit integers, values doubles");
        goto done;
    }
    Py_ssize_t n = keys.len / 8;
    if ((lp.obj && lp.len / 8 != n) || (back.obj && back.len / 8 != n)) {
        PyErr_SetString(PyExc_ValueError, "keys and values differ in length");
        goto done;
    }
    int bits = 4;
    while (((Py_ssize_t)1 << bits) < 2 * n)
        bits++;
    t->bits = bits;
    t->mask = ((uint64_t)1 << bits) - 1;
    t->slots = PyMem_Calloc((size_t)1 << bits, sizeof(Slot));
    if (t->slots == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    const uint64_t *k = keys.buf;
    const double *l = lp.obj ? lp.buf : NULL, *b = back.obj ? back.buf : NULL;
    for (Py_ssize_t j = 0; j < n; j++) {
        if (k[j] == 0) {
            PyErr_SetString(PyExc_ValueError, "n-gram key 0");
            goto done;
        }
        uint64_t i = slot_of(t, k[j]);
        while (t->slots[i].key != 0 && t->slots[i].key != k[j])
            i = (i + 1) & t->mask;
        t->slots[i].key = k[j];
        t->slots[i].lp = l ? l[j] : 0.0;
        t->slots[i].back = b ? b[j] : 0.0;
    }
    ok = 0;
done:
    PyBuffer_Release(&keys);
    if (lp.obj)
        PyBuffer_Release(&lp);
    if (back.obj)
        PyBuffer_Release(&back);
    return ok;
}

/* ------------------------------------------------------------------ NGram */

typedef struct {
    PyObject_HEAD
    Table uni, bi, tri;
    double unk_lp;
} NGramObject;

/* log10 P(w | u v), ARPA-style back-off; the order of the sums is NGram.logprob's. */
static double ngram_logprob(const NGramObject *m, uint64_t u, uint64_t v, uint64_t w) {
    uint64_t uv = (u << SHIFT) | v;
    const Slot *t = table_get(&m->tri, (uv << SHIFT) | w);
    if (t)
        return t->lp;
    const Slot *ctx = table_get(&m->bi, uv);
    double back = ctx ? ctx->back : 0.0;
    const Slot *b = table_get(&m->bi, (v << SHIFT) | w);
    if (b)
        return back + b->lp;
    const Slot *c1 = table_get(&m->uni, v);
    if (c1)
        back += c1->back;
    const Slot *w1 = table_get(&m->uni, w);
    return back + (w1 ? w1->lp : m->unk_lp);
}

static int NGram_init(NGramObject *self, PyObject *args, PyObject *kwds) {
    static char *kwlist[] = {"uni_keys", "uni_lp", "uni_back", "bi_keys", "bi_lp", "bi_back",
                             "tri_keys", "tri_lp", "unk_lp", NULL};
    PyObject *uk, *ul, *ub, *bk, *bl, *bb, *tk, *tl;
    double unk;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "OOOOOOOOd", kwlist, &uk, &ul, &ub, &bk, &bl, &bb, &tk,
                                     &tl, &unk))
        return -1;
    table_free(&self->uni);
    table_free(&self->bi);
    table_free(&self->tri);
    self->unk_lp = unk;
    if (table_fill(&self->uni, uk, ul, ub) < 0 || table_fill(&self->bi, bk, bl, bb) < 0 ||
        table_fill(&self->tri, tk, tl, Py_None) < 0)
        return -1;
    return 0;
}

static void NGram_dealloc(NGramObject *self) {
    table_free(&self->uni);
    table_free(&self->bi);
    table_free(&self->tri);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static PyObject *NGram_logprob(NGramObject *self, PyObject *args) {
    unsigned long long u, v, w;
    if (!PyArg_ParseTuple(args, "KKK", &u, &v, &w))
        return NULL;
    return PyFloat_FromDouble(ngram_logprob(self, u, v, w));
}

static PyMethodDef NGram_methods[] = {
    {"logprob", (PyCFunction)NGram_logprob, METH_VARARGS, "logprob(u, v, w): log10 P(w | u v)."},
    {NULL, NULL, 0, NULL},
};

static PyTypeObject NGramType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "common.text._ngram.NGram",
    .tp_doc = "One direction of the trigram model: NGram(uni_keys, uni_lp, uni_back, bi_keys, bi_lp, "
              "bi_back, tri_keys, tri_lp, unk_lp), keys packed syllable ids, values log10.",
    .tp_basicsize = sizeof(NGramObject),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_new = PyType_GenericNew,
    .tp_init = (initproc)NGram_init,
    .tp_dealloc = (destructor)NGram_dealloc,
    .tp_methods = NGram_methods,
};

/* ------------------------------------------------------------------ KeySet */

typedef struct {
    PyObject_HEAD
    Table set;
} KeySetObject;

static int KeySet_init(KeySetObject *self, PyObject *args, PyObject *kwds) {
    static char *kwlist[] = {"keys", NULL};
    PyObject *keys;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "O", kwlist, &keys))
        return -1;
    table_free(&self->set);
    return table_fill(&self->set, keys, Py_None, Py_None);
}

static void KeySet_dealloc(KeySetObject *self) {
    table_free(&self->set);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static int KeySet_contains(KeySetObject *self, PyObject *key) {
    unsigned long long k = PyLong_AsUnsignedLongLong(key);
    if (k == (unsigned long long)-1 && PyErr_Occurred()) {
        PyErr_Clear();
        return 0;
    }
    return table_get(&self->set, k) != NULL;
}

static PySequenceMethods KeySet_as_sequence = {.sq_contains = (objobjproc)KeySet_contains};

static PyTypeObject KeySetType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "common.text._ngram.KeySet",
    .tp_doc = "A set of packed syllable-id keys: KeySet(keys); ``key in s``.",
    .tp_basicsize = sizeof(KeySetObject),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_new = PyType_GenericNew,
    .tp_init = (initproc)KeySet_init,
    .tp_dealloc = (destructor)KeySet_dealloc,
    .tp_as_sequence = &KeySet_as_sequence,
};

/* ------------------------------------------------------------------ beam search */

typedef struct {
    double score;
    int32_t parent; /* index of the state it extends, in the previous step's beam */
    int32_t option; /* index of the option (within the token's options) it chose */
    uint64_t v, w;  /* the state: the last two syllable ids */
    int valid;
} Entry;

/* Stable sort of ``order`` by score, highest first (insertion sort: a few dozen entries). */
static void sort_desc(int32_t *order, int n, const Entry *e) {
    for (int i = 1; i < n; i++) {
        int32_t x = order[i];
        int j = i - 1;
        while (j >= 0 && e[order[j]].score < e[x].score) {
            order[j + 1] = order[j];
            j--;
        }
        order[j + 1] = x;
    }
}

static PyObject *beam_decode(PyObject *Py_UNUSED(module), PyObject *args, PyObject *kwds) {
    static char *kwlist[] = {"fwd", "bwd", "pairs", "ids", "offsets", "kept", "beam", "keep_bonus",
                             "word_bonus", "back_weight", "bos", "eos", NULL};
    PyObject *fwd_obj, *bwd_obj, *pairs_obj, *ids_obj, *offs_obj, *kept_obj;
    int beam;
    double kb, wb, bw;
    unsigned long long bos, eos;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "O!OOOOOidddKK", kwlist, &NGramType, &fwd_obj, &bwd_obj,
                                     &pairs_obj, &ids_obj, &offs_obj, &kept_obj, &beam, &kb, &wb, &bw, &bos,
                                     &eos))
        return NULL;
    if (bwd_obj != Py_None && !PyObject_TypeCheck(bwd_obj, &NGramType)) {
        PyErr_SetString(PyExc_TypeError, "bwd must be an NGram or None");
        return NULL;
    }
    if (pairs_obj != Py_None && !PyObject_TypeCheck(pairs_obj, &KeySetType)) {
        PyErr_SetString(PyExc_TypeError, "pairs must be a KeySet or None");
        return NULL;
    }
    if (beam < 1 || beam > MAX_BEAM) {
        PyErr_Format(PyExc_ValueError, "beam must be between 1 and %d", MAX_BEAM);
        return NULL;
    }
    const NGramObject *fwd = (NGramObject *)fwd_obj;
    const NGramObject *bwd = bwd_obj == Py_None ? NULL : (NGramObject *)bwd_obj;
    const Table *pairs = pairs_obj == Py_None ? NULL : &((KeySetObject *)pairs_obj)->set;
    if (bwd == NULL)
        bw = 0.0;

    Py_buffer ids = {0}, offs = {0}, kept = {0};
    PyObject *result = NULL;
    Entry **steps = NULL;   /* per token: the entries kept in the beam, in beam order */
    Entry *cand = NULL;     /* one step's candidates, (group of v, distinct option) */
    int32_t *order = NULL, *first = NULL;
    uint64_t *groups = NULL;
    double *w_uni = NULL;
    Py_ssize_t n_tok = 0;

    if (PyObject_GetBuffer(ids_obj, &ids, PyBUF_FORMAT | PyBUF_C_CONTIGUOUS) < 0 ||
        PyObject_GetBuffer(offs_obj, &offs, PyBUF_FORMAT | PyBUF_C_CONTIGUOUS) < 0 ||
        PyObject_GetBuffer(kept_obj, &kept, PyBUF_SIMPLE) < 0)
        goto done;
    if (ids.itemsize != 8 || offs.itemsize != 8) {
        PyErr_SetString(PyExc_TypeError, "ids and offsets must be 64-bit integers");
        goto done;
    }
    const uint64_t *id = ids.buf;
    const int64_t *off = offs.buf;
    const unsigned char *kp = kept.buf;
    n_tok = offs.len / 8 - 1;
    Py_ssize_t n_opt_all = ids.len / 8;
    if (n_tok < 1 || kept.len != n_opt_all || off[0] != 0 || off[n_tok] != n_opt_all) {
        PyErr_SetString(PyExc_ValueError, "offsets must run from 0 to len(ids), kept as long as ids");
        goto done;
    }
    int max_opts = 0;
    for (Py_ssize_t i = 0; i < n_tok; i++) {
        if (off[i + 1] <= off[i]) {
            PyErr_SetString(PyExc_ValueError, "every token needs at least one option");
            goto done;
        }
        if (off[i + 1] - off[i] > MAX_OPTIONS) {
            PyErr_Format(PyExc_ValueError, "a token has more than %d options", MAX_OPTIONS);
            goto done;
        }
        if (off[i + 1] - off[i] > max_opts)
            max_opts = (int)(off[i + 1] - off[i]);
    }
    size_t max_cand = (size_t)beam * (size_t)max_opts;
    steps = PyMem_Calloc(n_tok, sizeof(Entry *));
    cand = PyMem_Calloc(max_cand, sizeof(Entry));
    order = PyMem_Calloc(max_cand, sizeof(int32_t));
    first = PyMem_Malloc(sizeof(int32_t) * max_opts);
    groups = PyMem_Malloc(sizeof(uint64_t) * beam);
    w_uni = PyMem_Malloc(sizeof(double) * max_opts);
    if (!steps || !cand || !order || !first || !groups || !w_uni) {
        PyErr_NoMemory();
        goto done;
    }

    /* the beam before the first token: the single state (<s>, <s>) */
    Entry start = {0.0, -1, -1, bos, bos, 1};
    const Entry *prev = &start;
    int prev_len = 1;
    for (Py_ssize_t i = 0; i < n_tok; i++) {
        const uint64_t *opt = id + off[i];
        const unsigned char *kopt = kp + off[i];
        int n_opt = (int)(off[i + 1] - off[i]);
        for (int j = 0; j < n_opt; j++) {
            const Slot *s = table_get(&fwd->uni, opt[j]);
            w_uni[j] = s ? s->lp : fwd->unk_lp;
            first[j] = j; /* options with the same id share one state */
            for (int k = 0; k < j; k++)
                if (opt[k] == opt[j]) {
                    first[j] = k;
                    break;
                }
        }
        /* Candidate states (v, w) in the order the Python dict first sees them: by the first
         * beam state with that v, then by option. */
        int n_groups = 0;
        for (int p = 0; p < prev_len; p++) {
            int g;
            for (g = 0; g < n_groups && groups[g] != prev[p].w; g++)
                ;
            if (g == n_groups)
                groups[n_groups++] = prev[p].w;
        }
        for (int c = 0; c < n_groups * n_opt; c++)
            cand[c].valid = 0;
        for (int p = 0; p < prev_len; p++) {
            uint64_t u = prev[p].v, v = prev[p].w;
            double score = prev[p].score;
            int g;
            for (g = 0; groups[g] != v; g++)
                ;
            uint64_t uv = (u << SHIFT) | v;
            const Slot *ctx = table_get(&fwd->bi, uv);
            double back_bi = ctx ? ctx->back : 0.0;
            const Slot *c1 = table_get(&fwd->uni, v);
            double back_uni = c1 ? back_bi + c1->back : back_bi;
            const Slot *b_vu = NULL, *bc1 = NULL;
            double u_uni = 0.0;
            if (bw != 0.0 && i >= 2) {
                b_vu = table_get(&bwd->bi, (v << SHIFT) | u);
                bc1 = table_get(&bwd->uni, v);
                const Slot *us = table_get(&bwd->uni, u);
                u_uni = us ? us->lp : bwd->unk_lp;
            }
            for (int j = 0; j < n_opt; j++) {
                uint64_t w = opt[j];
                double lp;
                const Slot *t = table_get(&fwd->tri, (uv << SHIFT) | w);
                if (t)
                    lp = t->lp;
                else {
                    const Slot *b = table_get(&fwd->bi, (v << SHIFT) | w);
                    lp = b ? back_bi + b->lp : back_uni + w_uni[j];
                }
                double s = score + lp;
                if (bw != 0.0) {
                    if (i >= 2) { /* P_b(u | w v): the syllable two back now has its right context */
                        uint64_t wv = (w << SHIFT) | v;
                        double blp;
                        const Slot *bt = table_get(&bwd->tri, (wv << SHIFT) | u);
                        if (bt)
                            blp = bt->lp;
                        else {
                            const Slot *bctx = table_get(&bwd->bi, wv);
                            double bback = bctx ? bctx->back : 0.0;
                            if (b_vu)
                                blp = bback + b_vu->lp;
                            else
                                blp = (bc1 ? bback + bc1->back : bback) + u_uni;
                        }
                        s += bw * blp;
                    } else if (i == 1) { /* P_b(</s> | w v) */
                        s += bw * ngram_logprob(bwd, w, v, eos);
                    }
                }
                if (kopt[j])
                    s += kb;
                if (wb != 0.0 && pairs && table_get(pairs, (v << SHIFT) | w))
                    s += wb;
                Entry *e = &cand[g * n_opt + first[j]];
                if (!e->valid || s > e->score) {
                    e->score = s;
                    e->parent = p;
                    e->option = j;
                    e->v = v;
                    e->w = w;
                    e->valid = 1;
                }
            }
        }
        int n = 0;
        for (int c = 0; c < n_groups * n_opt; c++)
            if (cand[c].valid)
                order[n++] = c;
        if (n > beam) {
            sort_desc(order, n, cand);
            n = beam;
        }
        steps[i] = PyMem_Malloc(sizeof(Entry) * n);
        if (steps[i] == NULL) {
            PyErr_NoMemory();
            goto done;
        }
        for (int k = 0; k < n; k++)
            steps[i][k] = cand[order[k]];
        prev = steps[i];
        prev_len = n;
    }

    /* the end: P(</s> | v w), and the backward model's first steps; first best in beam order */
    int best = -1;
    double best_score = 0.0;
    for (int k = 0; k < prev_len; k++) {
        uint64_t v = prev[k].v, w = prev[k].w;
        double s = prev[k].score + ngram_logprob(fwd, v, w, eos);
        if (bw != 0.0) {
            if (n_tok == 1)
                s += bw * (ngram_logprob(bwd, bos, bos, w) + ngram_logprob(bwd, bos, w, eos));
            else
                s += bw * (ngram_logprob(bwd, bos, bos, w) + ngram_logprob(bwd, bos, w, v));
        }
        if (best < 0 || s > best_score) {
            best = k;
            best_score = s;
        }
    }
    result = PyList_New(n_tok);
    if (result == NULL)
        goto done;
    for (Py_ssize_t i = n_tok - 1; i >= 0; i--) {
        const Entry *e = &steps[i][best];
        PyObject *j = PyLong_FromLong(e->option);
        if (j == NULL) {
            Py_CLEAR(result);
            goto done;
        }
        PyList_SET_ITEM(result, i, j);
        best = e->parent;
    }

done:
    if (steps)
        for (Py_ssize_t i = 0; i < n_tok; i++)
            PyMem_Free(steps[i]);
    PyMem_Free(steps);
    PyMem_Free(cand);
    PyMem_Free(order);
    PyMem_Free(first);
    PyMem_Free(groups);
    PyMem_Free(w_uni);
    if (ids.obj)
        PyBuffer_Release(&ids);
    if (offs.obj)
        PyBuffer_Release(&offs);
    if (kept.obj)
        PyBuffer_Release(&kept);
    return result;
}

static PyMethodDef module_methods[] = {
    {"beam_decode", (PyCFunction)(void (*)(void))beam_decode, METH_VARARGS | METH_KEYWORDS,
     "beam_decode(fwd, bwd, pairs, ids, offsets, kept, beam, keep_bonus, word_bonus, back_weight, bos, eos)"
     " -> the chosen option's index for every token. Token i's options are ids[offsets[i]:offsets[i+1]];"
     " kept[j] adds keep_bonus to option j."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT,
    .m_name = "_ngram",
    .m_doc = "Syllable trigram tables and the restorer's beam search.",
    .m_size = -1,
    .m_methods = module_methods,
};

PyMODINIT_FUNC PyInit__ngram(void) {
    if (PyType_Ready(&NGramType) < 0 || PyType_Ready(&KeySetType) < 0)
        return NULL;
    PyObject *m = PyModule_Create(&module_def);
    if (m == NULL)
        return NULL;
    Py_INCREF(&NGramType);
    Py_INCREF(&KeySetType);
    if (PyModule_AddObject(m, "NGram", (PyObject *)&NGramType) < 0 ||
        PyModule_AddObject(m, "KeySet", (PyObject *)&KeySetType) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}

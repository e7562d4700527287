"""common.text works in the Rasa environment (Python 3.10, pydantic 1, no pydantic-settings).

Marked ``rasa_env``: `make test` runs it under .venv-rasa too
(``.venv-rasa/bin/python -m pytest tests/common -m rasa_env --confcutdir=tests/bot/rasa_env``),
and it passes under .venv. Uses the built model when ``tthc text build`` has been run,
otherwise checks that analyze() works without it.
"""

from __future__ import annotations

import gzip
import subprocess
import sys

import pytest

from common.text import config
from common.text.lexicon import get_lexicon
from common.text.normalize import analyze, fold, nfc
from common.text.restore import Restorer, current_model_path, get_restorer, reset_restorer, write_model

pytestmark = pytest.mark.rasa_env


def test_imports_without_app_only_packages():
    code = (
        "import sys, common.text.normalize as n, common.text.restore, common.text.lexicon;"
        "n.analyze('lam lai cccd');"
        "bad = {'pydantic', 'pydantic_settings', 'tthc.settings', 'numpy'} & set(sys.modules);"
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=config.REPO_ROOT)
    assert config.lexicon_dir().is_dir()


def test_normalisation_and_lexicon():
    assert nfc("hoà") == "hòa"
    assert fold("Đăng ký") == "dang ky"
    assert get_lexicon().expand("sổ hk") == "sổ hộ khẩu"
    forms = analyze("mún đk  cccd ở đâu")
    assert forms.normalized == "muốn đăng ký căn cước công dân ở đâu"
    assert forms.folded == "muon dang ky can cuoc cong dan o dau"


def test_analyze_with_or_without_model():
    reset_restorer()
    forms = analyze("lam lai cccd o dau")
    if get_restorer() is None:
        assert forms.restored == forms.normalized
    else:
        assert forms.restored == "làm lại căn cước công dân ở đâu"


def test_model_format_loads_here(tmp_path):
    path = current_model_path()
    if path is None:  # a tiny hand-made model in the same format
        path = tmp_path / "m.lm.gz"
        lm = {
            "unk_lp": -7.0,
            "uni": {"làm": (-2.0, -0.3), "lâm": (-4.0, -0.3), "lại": (-2.0, -0.3), "lai": (-3.5, -0.3)},
            "bi": {"làm lại": (-0.5, 0.0)},
            "tri": {"<s> làm lại": -0.2},
        }
        data = {
            "fwd": lm,
            "bwd": None,
            "cands": {"lam": ["làm", "lâm"], "lai": ["lại", "lai"]},
            "word_pairs": ["làm lại"],
            "params": {"beam": 4, "keep_bonus": 1.0, "word_bonus": 0.3},
        }
        with gzip.open(path, "wt", encoding="utf-8") as fh:
            write_model(fh, data)
    r = Restorer.load(path)
    assert r.restore("lam lai") == "làm lại"


@pytest.mark.parametrize("text", ["", "😀", "\x00", "1.001193"])
def test_odd_input(text):
    assert isinstance(analyze(text).restored, str)

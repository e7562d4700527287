"""tthc/stack/machine.py: the steal share read from this machine's /proc/stat."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tthc.stack import machine
from tthc.stack.machine import StealMeter


def test_the_share_is_steal_over_all_ticks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    stat = tmp_path / "stat"
    monkeypatch.setattr(machine, "_STAT", stat)
    stat.write_text("cpu  100 0 50 800 10 0 5 35 0 0\ncpu0 …\n")
    meter = StealMeter()
    stat.write_text("cpu  160 0 70 900 10 0 5 55 0 0\ncpu0 …\n")  # 200 more ticks, 20 of them stolen
    assert meter.share() == pytest.approx(0.1)
    assert meter.describe() == "CPU steal (host took): 10.0%"
    stat.unlink()
    assert meter.share() is None and meter.describe() == "CPU steal: n/a"


def test_it_reads_the_real_proc_stat() -> None:
    if not Path("/proc/stat").exists():
        pytest.skip("not Linux")
    meter = StealMeter()
    deadline = time.monotonic() + 0.3
    while time.monotonic() < deadline:
        pass
    share = meter.share()
    assert share is not None and 0.0 <= share <= 1.0

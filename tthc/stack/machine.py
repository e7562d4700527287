"""What the machine itself did while a benchmark ran, printed beside its figures.

On a virtual machine the host may run other guests on the same physical cores: the time a
virtual CPU was ready but not running is counted as *steal* in ``/proc/stat``. Latencies
measured while steal was high are not comparable with those of a quiet run, so the benchmarks
say how much there was.
"""

from __future__ import annotations

from pathlib import Path

_STAT = Path("/proc/stat")


def _cpu_ticks() -> tuple[int, int] | None:
    """(all ticks, steal ticks) of every CPU since boot; None where /proc/stat is unreadable."""
    try:
        fields = _STAT.read_text().split("\n", 1)[0].split()
    except OSError:
        return None
    ticks = [int(x) for x in fields[1:]]
    # user nice system idle iowait irq softirq steal [guest guest_nice]: guest time is in user
    return sum(ticks[:8]), ticks[7] if len(ticks) > 7 else 0


class StealMeter:
    """The share of CPU time the host took from this machine since the meter was made."""

    def __init__(self) -> None:
        self._start = _cpu_ticks()

    def share(self) -> float | None:
        """Steal over all CPU time since the meter was made (0–1); None off Linux."""
        end = _cpu_ticks()
        if self._start is None or end is None or end[0] == self._start[0]:
            return None
        return (end[1] - self._start[1]) / (end[0] - self._start[0])

    def describe(self) -> str:
        share = self.share()
        return "CPU steal: n/a" if share is None else f"CPU steal (host took): {share:.1%}"

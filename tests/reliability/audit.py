"""Dependency audit of both lock files with pip-audit (``make audit``, part of ``make test``).

    .venv/bin/python -m tests.reliability.audit

- audits ``requirements/app.lock.txt`` and ``requirements/rasa.lock.txt`` (exact pins,
  ``--no-deps --disable-pip``: nothing is installed or resolved);
- known findings that cannot be fixed within the pins are allow-listed in SECURITY.md
  (table rows starting with ``| PYSEC-…``, ``| GHSA-…`` or ``| CVE-…``) and passed as
  ``--ignore-vuln``; any other finding fails (exit 1);
- when the vulnerability database cannot be reached (offline machine, or packages the
  service reports as "not found on PyPI"), it says so clearly and exits 0: an audit that
  could not run is reported, not counted as a pass or a failure.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
LOCKS = [REPO / "requirements" / "app.lock.txt", REPO / "requirements" / "rasa.lock.txt"]
PIP_AUDIT = Path(sys.executable).parent / "pip-audit"


def allow_list() -> list[str]:
    text = (REPO / "SECURITY.md").read_text(encoding="utf-8")
    return re.findall(r"^\|\s*((?:PYSEC|GHSA|CVE)-[\w-]+)\s*\|", text, flags=re.M)


def audit(lock: Path, ignored: list[str]) -> tuple[str, list[str]]:
    """("ok" | "findings" | "unreachable", lines to print)."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "audit.json"
        cmd = [str(PIP_AUDIT), "-r", str(lock), "--no-deps", "--disable-pip", "--progress-spinner", "off",
               "-f", "json", "-o", str(out)]  # fmt: skip
        for vuln in ignored:
            cmd += ["--ignore-vuln", vuln]
        try:
            run = subprocess.run(cmd, capture_output=True, text=True, timeout=600, check=False)
        except subprocess.TimeoutExpired:
            return "unreachable", ["pip-audit timed out (vulnerability service unreachable?)"]
        if not out.exists():
            err = (run.stderr or run.stdout).strip().splitlines()
            reason = next(
                (line for line in reversed(err) if "Error" in line), err[-1] if err else "no output"
            )
            return "unreachable", [f"pip-audit could not query the vulnerability service: {reason[:300]}"]
        report = json.loads(out.read_text(encoding="utf-8"))
    deps = report.get("dependencies", [])
    skipped = [d for d in deps if d.get("skip_reason")]
    findings = [(d["name"], d["version"], v) for d in deps for v in d.get("vulns", [])]
    lines = []
    for name, version, vuln in findings:
        fixes = ", ".join(vuln.get("fix_versions") or []) or "no fix"
        lines.append(f"{name}=={version}: {vuln['id']} (fixed in: {fixes})")
    if deps and len(skipped) > len(deps) / 2:
        lines.insert(
            0,
            f"vulnerability service unreachable: {len(skipped)} of {len(deps)} packages could not be "
            f"audited (e.g. {skipped[0]['name']}: {skipped[0]['skip_reason'][:120]})",
        )
        return "unreachable", lines
    return ("findings" if findings else "ok"), lines


def main() -> int:
    if not PIP_AUDIT.exists():
        print(f"audit: {PIP_AUDIT} missing — install pip-audit (requirements.txt) with `make envs`.")
        return 1
    ignored = allow_list()
    print(f"audit: allow-listed in SECURITY.md: {', '.join(ignored) or 'none'}")
    failed = False
    for lock in LOCKS:
        status, lines = audit(lock, ignored)
        label = {"ok": "no known vulnerabilities", "findings": "VULNERABLE", "unreachable": "NOT AUDITED"}[
            status
        ]
        print(f"audit: {lock.relative_to(REPO)}: {label}")
        for line in lines:
            print(f"  {line}")
        failed |= status == "findings"
    if failed:
        print(
            "audit: fix the pins or, if no fix fits them, document the finding in SECURITY.md (allow-list)."
        )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

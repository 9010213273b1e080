"""The Android workflow cannot run here; what it relies on in the repository is checked here.

The build, the emulator and the APK's manifest are only proven by a run on a hosted runner
(docs/android.md). These tests keep the workflow's inputs true: the scripts it calls exist
and run, it builds with the phone's pinned Python, and every label the emulator driver looks
for is a text the app really shows.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from field_app.i18n import Translator
from tools.android import emulator_smoke
from tools.android.resolve import load_index

ROOT = Path(__file__).resolve().parents[2]
WORKFLOW = (ROOT / ".github" / "workflows" / "android.yml").read_text(encoding="utf-8")


def test_the_scripts_it_runs_exist_and_are_executable() -> None:
    for script in re.findall(r"(tools/android/[\w.]+\.sh)", WORKFLOW):
        path = ROOT / script
        assert path.is_file() and os.access(path, os.X_OK), script
    assert "python -m tools.android.resolve" in WORKFLOW


def test_it_builds_with_the_phone_python_and_the_extraction_rules() -> None:
    assert "flet build apk --python-version \"$py\"" in WORKFLOW
    assert "['python']" in WORKFLOW and load_index()["python"] == "3.14"
    assert "cp android/res/xml/*.xml build/flutter/android/app/src/main/res/xml/" in WORKFLOW
    assert "x86_64" in WORKFLOW and "arm64-v8a" in WORKFLOW


def test_every_label_the_driver_taps_is_a_real_text() -> None:
    source = (ROOT / "tools" / "android" / "emulator_smoke.py").read_text(encoding="utf-8")
    keys = set(re.findall(r'UK\.t\("([\w.]+)"\)', source))
    assert len(keys) >= 10
    uk = Translator("uk")
    missing = {k for k in keys if uk.t(k) == k}
    assert missing == set()
    assert emulator_smoke.PACKAGE == "ua.poruch.poruch"


def test_the_demo_worker_exists_in_the_seed() -> None:
    from sync_server.seed import demo_accounts

    user = re.search(r"--user (\S+)", (ROOT / "tools/android/emulator_job.sh").read_text())
    assert user is not None
    assert user.group(1) in {a.username for a in demo_accounts("x")}

"""Drive the installed APK on an emulator through a worker's first day, failing on any crash.

Run by ``.github/workflows/android.yml`` on a hosted runner (it cannot run on the project
machines: no emulator, no APK). Uses only ``adb``: the screen is read with ``uiautomator
dump`` (Flutter exposes its semantics tree to Android accessibility, so labels show up as
``text``, ``content-desc`` or ``hint``), taps go to the centre of a node, text is typed with
``input text`` (ASCII only: server address, login, password and PIN are ASCII).

Steps: start the app -> first start (server, login, password, PIN twice, connect) -> the
families list after the first sync -> open a family -> record a visit (risk, save) -> lock
(More -> Lock now) -> unlock with the PIN -> the families list again. After every step the
app's process must still be alive; the workflow also fails on a crash in ``adb logcat``.
On failure the screen (``screen-*.png``) and the last UI dump are left in ``--out``.

    python -m tools.android.emulator_smoke --server http://10.0.2.2:8000 \\
        --user zhytomyrska.fakhivets1 --password "$PORUCH_DEMO_PASSWORD"
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

from field_app.i18n import Translator
from sync_server.seed import SURNAMES

PACKAGE = "ua.poruch.poruch"   # [tool.flet] org + project name (tools/android/manifest.py)
PIN = "480213"
UK = Translator("uk")


class SmokeFailed(Exception):
    """A step did not reach the screen it should have."""


@dataclass(frozen=True)
class Node:
    """One accessibility node of the screen."""

    label: str
    x: int
    y: int
    editable: bool


def adb(*args: str, check: bool = True) -> str:
    """Run ``adb`` and return its output."""
    done = subprocess.run(["adb", *args], capture_output=True, text=True, check=False,
                          timeout=120)
    if check and done.returncode != 0:
        raise SmokeFailed(f"adb {' '.join(args)} failed: {done.stderr.strip()}")
    return done.stdout


def screen(out: Path) -> list[Node]:
    """The nodes on screen now (their label is text, content-desc or hint, joined)."""
    adb("shell", "uiautomator", "dump", "/sdcard/ui.xml", check=False)
    xml = adb("shell", "cat", "/sdcard/ui.xml", check=False)
    (out / "last-ui.xml").write_text(xml, encoding="utf-8")
    nodes = []
    try:
        root = ET.fromstring(xml[xml.find("<"):])  # noqa: S314  (our emulator's dump)
    except ET.ParseError:
        return []
    for e in root.iter("node"):
        label = " ".join(filter(None, (e.get("text"), e.get("content-desc"), e.get("hint"))))
        m = re.match(r"\[(\d+),(\d+)\]\[(\d+),(\d+)\]", e.get("bounds", ""))
        if label and m:
            x1, y1, x2, y2 = map(int, m.groups())
            nodes.append(Node(label, (x1 + x2) // 2, (y1 + y2) // 2,
                              e.get("class", "").endswith("EditText")))
    return nodes


def alive() -> None:
    """The app's process must still be running."""
    if not adb("shell", "pidof", PACKAGE, check=False).strip():
        raise SmokeFailed("the app's process is gone (crashed or was killed)")


def wait_for(out: Path, pattern: str, seconds: float = 60) -> Node:
    """The first node whose label matches ``pattern``, waiting for it to appear."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        alive()
        for node in screen(out):
            if re.search(pattern, node.label):
                return node
        time.sleep(1.5)
    raise SmokeFailed(f"nothing matching {pattern!r} appeared within {seconds:.0f} s")


def tap(out: Path, pattern: str, seconds: float = 60) -> None:
    """Tap the node whose label matches ``pattern``."""
    node = wait_for(out, pattern, seconds)
    adb("shell", "input", "tap", str(node.x), str(node.y))
    time.sleep(0.8)


def type_into(out: Path, label: str, text: str) -> None:
    """Focus the field labelled ``label`` and type ASCII ``text`` into it."""
    tap(out, re.escape(label))
    adb("shell", "input", "text", text.replace(" ", "%s"))
    adb("shell", "input", "keyevent", "111")        # ESCAPE: close the keyboard
    time.sleep(0.5)


def run(out: Path, server: str, user: str, password: str) -> None:
    """The whole journey; raises ``SmokeFailed`` at the first step that does not happen."""
    adb("shell", "monkey", "-p", PACKAGE, "-c", "android.intent.category.LAUNCHER", "1")
    print("first start")
    wait_for(out, re.escape(UK.t("setup.submit")), 180)   # Python starts on first run: slow
    type_into(out, UK.t("setup.server"), server)
    type_into(out, UK.t("setup.username"), user)
    type_into(out, UK.t("setup.password"), password)
    type_into(out, UK.t("setup.pin"), PIN)
    type_into(out, UK.t("setup.pin_repeat"), PIN)
    tap(out, re.escape(UK.t("setup.submit")))
    print("store created, first sync")
    surnames = "|".join(map(re.escape, SURNAMES))
    tap(out, rf"^({surnames})\s", 300)                     # a family of the first sync
    print("recording a visit")
    tap(out, re.escape(UK.t("family.card.record_visit")))
    tap(out, "^Високий$")
    tap(out, re.escape(UK.t("visit.save")))
    wait_for(out, re.escape(UK.t("visit.saved")))
    print("lock")
    adb("shell", "input", "keyevent", "4")                # back to the lists
    tap(out, re.escape(UK.t("nav.more")))
    tap(out, re.escape(UK.t("more.lock")))
    wait_for(out, re.escape(UK.t("unlock.title")))
    print("unlock")
    type_into(out, UK.t("unlock.pin"), PIN)
    tap(out, re.escape(UK.t("unlock.submit")))
    wait_for(out, re.escape(UK.t("nav.families")), 120)
    alive()


def main(argv: list[str] | None = None) -> int:
    """Command line; exit 1 with the failed step and a screenshot on failure."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--server", required=True)
    parser.add_argument("--user", required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument("--out", type=Path, default=Path("emulator-smoke"))
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    try:
        run(args.out, args.server, args.user, args.password)
    except SmokeFailed as exc:
        shot = subprocess.run(["adb", "exec-out", "screencap", "-p"], capture_output=True,
                              check=False)
        (args.out / "screen-failed.png").write_bytes(shot.stdout)
        print(f"FAIL: {exc}", file=sys.stderr)
        return 1
    print("OK: first start, create, unlock, visit saved, lock, unlock")
    return 0


if __name__ == "__main__":
    sys.exit(main())

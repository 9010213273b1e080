"""The Android resolution check refuses what would kill the app on a phone (offline cases).

The full check against PyPI runs in ``make test`` (``tools/android/phone_tests.py``); these
cases run pip for real against local wheels only, so they need no network.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest
from packaging.requirements import Requirement

from tools.android import resolve

ROOT = Path(__file__).resolve().parents[2]


def pure_wheel(folder: Path, name: str, version: str, requires: list[str]) -> None:
    """A pure-Python wheel with metadata only (like PyPI's pydantic wheels)."""
    info = f"{name}-{version}.dist-info"
    meta = "\n".join(["Metadata-Version: 2.1", f"Name: {name}", f"Version: {version}",
                      *(f"Requires-Dist: {r}" for r in requires), "", ""])
    with zipfile.ZipFile(folder / f"{name}-{version}-py3-none-any.whl", "w") as zf:
        zf.writestr(f"{info}/METADATA", meta)
        zf.writestr(f"{info}/WHEEL", "Wheel-Version: 1.0\nRoot-Is-Purelib: true\n"
                                     "Tag: py3-none-any\n\n")
        zf.writestr(f"{info}/RECORD", "")


def offline_resolve(folder: Path, requirements: list[str]) -> list[resolve.Resolved]:
    """``resolve``'s pip call and checks, against ``folder`` only (no index)."""
    files = resolve.stand_ins(folder, {"api": 24, "wheel": [
        {"name": "pydantic-core", "version": "2.47.0", "pythons": ["3.14"], "requires": []},
    ]}, "3.14", "arm64_v8a")
    report = folder / "report.json"
    cmd = [sys.executable, "-m", "pip", "--isolated", "install", "--dry-run",
           "--ignore-installed", "--quiet", "--report", str(report), "--only-binary", ":all:",
           "--platform", "android_24_arm64_v8a", "--python-version", "3.14",
           "--implementation", "cp", "--abi", "cp314", "--no-index",
           "--find-links", str(folder), *requirements]
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_")}
    env["PIP_CONFIG_FILE"] = os.devnull
    subprocess.run(cmd, check=True, env=env, capture_output=True)
    resolved = resolve.read_report(report, files)
    resolve.check(resolved)
    return resolved


@pytest.fixture
def wheels(tmp_path: Path) -> Path:
    """pydantic 1 (pure), pydantic 2.14.0a1 (needs core 2.47.0), 2.14.4 (needs core 2.50.5)."""
    pure_wheel(tmp_path, "pydantic", "1.10.27", [])
    pure_wheel(tmp_path, "pydantic", "2.14.0a1", ["pydantic-core==2.47.0"])
    pure_wheel(tmp_path, "pydantic", "2.14.4", ["pydantic-core==2.50.5"])
    return tmp_path


def test_an_unbounded_pydantic_falls_back_to_1_and_is_refused(wheels: Path) -> None:
    """What main's dependency list did: no bound on pydantic, no Android core 2.50."""
    with pytest.raises(resolve.ResolutionFailed, match=r"pydantic resolved to 1\.10\.27"):
        offline_resolve(wheels, ["pydantic"])


def test_the_pinned_alpha_resolves_to_the_android_core(wheels: Path) -> None:
    resolved = {r.name: r for r in offline_resolve(wheels, ["pydantic==2.14.0a1"])}
    assert resolved["pydantic"].version == "2.14.0a1"
    assert resolved["pydantic-core"].version == "2.47.0" and resolved["pydantic-core"].stand_in


def test_a_bounded_pydantic_without_android_core_does_not_resolve(wheels: Path) -> None:
    with pytest.raises(subprocess.CalledProcessError):
        offline_resolve(wheels, ["pydantic>=2.11,<3"])


def test_a_compiled_wheel_not_on_the_mobile_index_is_refused() -> None:
    chosen = [resolve.Resolved("pydantic", "2.14.0a1", "pydantic-2.14.0a1-py3-none-any.whl",
                               False),
              resolve.Resolved("greenlet", "3.3.0",
                               "greenlet-3.3.0-cp314-cp314-manylinux_2_28_x86_64.whl", False)]
    with pytest.raises(resolve.ResolutionFailed, match=r"greenlet 3\.3\.0"):
        resolve.check(chosen)


def test_the_android_list_is_the_project_list_with_pydantic_pinned() -> None:
    """The two lists cannot drift apart: only pydantic differs, and only to its pin."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    desktop = {Requirement(d).name: str(Requirement(d).specifier)
               for d in config["project"]["dependencies"]}
    android = {Requirement(d).name: str(Requirement(d).specifier)
               for d in resolve.android_dependencies(ROOT / "pyproject.toml")}
    assert set(desktop) == set(android)
    assert {n for n in desktop if desktop[n] != android[n]} == {"pydantic"}
    assert android["pydantic"] == "==2.14.0a1"
    for name in ("pydantic", "sqlalchemy", "argon2-cffi-bindings"):
        assert name in desktop                      # imported directly: bounded directly
    assert "<3" in desktop["pydantic"] and "<2.2" in desktop["sqlalchemy"]


def test_the_data_file_says_when_it_was_checked() -> None:
    index = resolve.load_index()
    assert str(index["checked"]) >= "2026-12-06" and index["python"] == "3.14"
    names = {w["name"] for w in index["wheel"]}
    assert {"pydantic-core", "cryptography", "argon2-cffi-bindings"} <= names

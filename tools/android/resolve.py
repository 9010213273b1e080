"""Resolve the client's dependencies the way `flet build apk` will, and refuse a bad set.

`flet build apk` hands the Android dependency list (``[tool.flet.android] dependencies``, else
``[project].dependencies``) to serious_python, which runs pip with ``--only-binary :all:``
for the Android platform tags of the phone's Python, PyPI plus Flet's mobile index. The
mobile index cannot be reached here, so this builds *stand-in* wheels named after what it
publishes (``mobile_index.toml``: name, version, Python versions, Requires-Dist; no code)
and resolves against PyPI plus those, with pip's ``--dry-run --report``.

It fails (exit 1, with the reason) when the set does not resolve, resolves to pydantic 1 (the
app cannot import), or picks a compiled wheel the mobile index does not publish. On success
it prints the resolved set and, with ``--pins FILE``, writes it as ``name==version`` lines
(what the phone-versions test job installs).

    python -m tools.android.resolve [--pyproject PATH] [--pins FILE] [--abi arm64_v8a]
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile
import tomllib
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name, parse_wheel_filename

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
INDEX_FILE = HERE / "mobile_index.toml"
PYPI = "https://pypi.org/simple"


class ResolutionFailed(Exception):
    """The phone's dependency set is wrong; the message says how."""


@dataclass(frozen=True, slots=True)
class Resolved:
    """One package pip chose, and the wheel it came from."""

    name: str
    version: str
    wheel: str
    stand_in: bool


def load_index(path: Path = INDEX_FILE) -> dict[str, Any]:
    """The mobile index's data file."""
    return tomllib.loads(path.read_text(encoding="utf-8"))


def android_dependencies(pyproject: Path) -> list[str]:
    """What `flet build apk` installs: the Android override list, else the project's."""
    config = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    android = config.get("tool", {}).get("flet", {}).get("android", {})
    deps = android.get("dependencies") or config["project"]["dependencies"]
    return [str(d) for d in deps]


def _record_line(name: str, data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{name},sha256={digest},{len(data)}"


def make_stand_in(folder: Path, name: str, version: str, tag: str, *,
                  requires: list[str], python: str) -> Path:
    """A wheel with metadata only, named like the mobile index's wheel of ``name``."""
    dist = canonicalize_name(name).replace("-", "_")
    info = f"{dist}-{version}.dist-info"
    metadata = "\n".join([
        "Metadata-Version: 2.1", f"Name: {name}", f"Version: {version}",
        f"Requires-Python: =={python}.*",
        *(f"Requires-Dist: {r}" for r in requires), "", "",
    ]).encode()
    wheel_meta = (f"Wheel-Version: 1.0\nGenerator: poruch-stand-in\nRoot-Is-Purelib: false\n"
                  f"Tag: {tag}\n\n").encode()
    files = {f"{info}/METADATA": metadata, f"{info}/WHEEL": wheel_meta}
    record = "\n".join([*(_record_line(n, d) for n, d in files.items()),
                        f"{info}/RECORD,,", ""]).encode()
    path = folder / f"{dist}-{version}-{tag}.whl"
    with zipfile.ZipFile(path, "w") as zf:
        for n, d in files.items():
            zf.writestr(n, d)
        zf.writestr(f"{info}/RECORD", record)
    return path


def stand_ins(folder: Path, index: dict[str, Any], python: str, abi: str) -> set[str]:
    """Write the stand-in wheels for one Python and ABI; returns their file names."""
    api = index["api"]
    cp = "cp" + python.replace(".", "")
    names = set()
    for wheel in index["wheel"]:
        if python not in wheel["pythons"]:
            continue
        tag = f"{cp}-{cp}-android_{api}_{abi}"
        path = make_stand_in(folder, wheel["name"], wheel["version"], tag,
                             requires=wheel["requires"],
                             python=python)
        names.add(path.name)
    return names


def pip_resolve(requirements: list[str], *, python: str, api: int, abi: str,
                find_links: Path, report: Path) -> subprocess.CompletedProcess[str]:
    """pip as serious_python runs it, but ``--dry-run``: nothing is installed."""
    cmd = [sys.executable, "-m", "pip", "--isolated", "install", "--dry-run",
           "--ignore-installed", "--report", str(report),
           "--only-binary", ":all:", "--platform", f"android_{api}_{abi}",
           "--python-version", python, "--implementation", "cp",
           "--abi", "cp" + python.replace(".", ""), "--abi", "abi3", "--abi", "none",
           "--index-url", PYPI, "--find-links", str(find_links), *requirements]
    # The machine's pip configuration (extra indexes, constraints) must not leak in.
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_")}
    env["PIP_CONFIG_FILE"] = os.devnull
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    return subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)


def pip_reason(done: subprocess.CompletedProcess[str]) -> str:
    """pip's errors and the packages it found no wheel of, without its long conflict list."""
    lines = [ln.strip() for ln in done.stderr.splitlines() if ln.startswith("ERROR")]
    missing = re.search(r"no matching distributions available for your environment:\n"
                        r"((?:\s+\S+\n)+)", done.stdout)
    if missing:
        lines.append("no Android wheel of: " + ", ".join(missing.group(1).split()))
    return " | ".join(lines) or done.stderr.strip()[-1500:]


def read_report(report: Path, stand_in_files: set[str]) -> list[Resolved]:
    """What pip chose, from its installation report."""
    data = json.loads(report.read_text(encoding="utf-8"))
    out = []
    for item in data["install"]:
        meta = item["metadata"]
        wheel = item["download_info"]["url"].rsplit("/", 1)[-1]
        out.append(Resolved(str(canonicalize_name(meta["name"])), meta["version"], wheel,
                            wheel in stand_in_files))
    return sorted(out, key=lambda r: r.name)


def check(resolved: list[Resolved]) -> None:
    """Refuse pydantic 1, and compiled wheels the mobile index does not publish."""
    by_name = {r.name: r for r in resolved}
    pydantic = by_name.get("pydantic")
    if pydantic is None or not pydantic.version.startswith("2."):
        found = pydantic.version if pydantic else "nothing"
        raise ResolutionFailed(f"pydantic resolved to {found}; the app needs pydantic 2 "
                               "(a pydantic-core the mobile index publishes)")
    for r in resolved:
        _, _, _, tags = parse_wheel_filename(r.wheel)
        pure = all(t.platform == "any" for t in tags)
        android = all(t.platform.startswith("android_") for t in tags)
        if not pure and not (android and r.stand_in):
            raise ResolutionFailed(f"{r.name} {r.version} resolved to {r.wheel}: no Android "
                                   "wheel of it is known on the mobile index")


def resolve(pyproject: Path, *, abi: str | None = None,
            index: dict[str, Any] | None = None) -> list[Resolved]:
    """Resolve the phone's set for one ABI; raises ``ResolutionFailed``."""
    index = index or load_index()
    python = str(index["python"])
    abi = abi or index["abis"][0]
    requirements = android_dependencies(pyproject)
    for req in requirements:
        Requirement(req)  # a malformed entry fails here, with its text
    with tempfile.TemporaryDirectory(prefix="poruch-android-") as tmp:
        wheels = Path(tmp) / "wheels"
        wheels.mkdir()
        files = stand_ins(wheels, index, python, abi)
        report = Path(tmp) / "report.json"
        done = pip_resolve(requirements, python=python, api=int(str(index["api"])), abi=abi,
                           find_links=wheels, report=report)
        if done.returncode != 0:
            raise ResolutionFailed(f"the Android dependency set does not resolve for Python "
                                   f"{python} ({abi}): {pip_reason(done)}")
        resolved = read_report(report, files)
    check(resolved)
    return resolved


def main(argv: list[str] | None = None) -> int:
    """Command line: resolve every ABI of the data file, print, optionally write pins."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pyproject", type=Path, default=ROOT / "pyproject.toml")
    parser.add_argument("--pins", type=Path, help="write the resolved set here")
    parser.add_argument("--abi", action="append", help="default: every ABI of the data file")
    args = parser.parse_args(argv)
    index = load_index()
    print(f"Android resolution: Python {index['python']}, API {index['api']}, mobile index "
          f"as checked on {index['checked']} ({INDEX_FILE.relative_to(ROOT)})")
    sets = {}
    try:
        for abi in args.abi or index["abis"]:
            sets[abi] = resolve(args.pyproject, abi=abi, index=index)
    except ResolutionFailed as exc:
        print(f"FAIL: {exc}", file=sys.stderr)
        return 1
    first = next(iter(sets.values()))
    pins = {r.name: r.version for r in first}
    for abi, resolved in sets.items():
        if {r.name: r.version for r in resolved} != pins:
            print(f"FAIL: {abi} resolves to a different set than the others", file=sys.stderr)
            return 1
    for r in first:
        origin = "mobile index (stand-in)" if r.stand_in else "PyPI"
        print(f"  {r.name}=={r.version}  [{origin}]")
    if args.pins:
        args.pins.parent.mkdir(parents=True, exist_ok=True)
        args.pins.write_text("".join(f"{n}=={v}\n" for n, v in pins.items()), encoding="utf-8")
    print("OK: the phone's set resolves with pydantic 2 and Android wheels only")
    return 0


if __name__ == "__main__":
    sys.exit(main())

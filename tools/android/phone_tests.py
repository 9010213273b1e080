"""The phone-versions job: resolve the phone's set, install exactly it, run the device tests.

Part of ``make test`` (after the main suite). Steps, each failing the run when it fails:

1. ``resolve``: the client's dependency set as `flet build apk` resolves it (Android tags,
   PyPI plus stand-ins of the mobile index). Its ``name==version`` pins are the phone's set.
2. ``.venv-phone``: a separate virtualenv with the Android dependency list, the server extra
   (the sync tests start the real server) and the test tools, constrained to those pins, so
   pydantic 2.14.0a1 / pydantic-core 2.47.0 / cryptography 48 / the phone's SQLAlchemy and
   sqlmodel are what runs. Rebuilt only when the pins or the project's lists change (a stamp,
   as for ``.venv``). Every pinned package is then checked at its pinned version.
3. The shared, store and sync tests in it (but the few that take minutes and do not depend
   on the packages: ``IGNORED``), with cryptography's Argon2id failing as on the
   phone's OpenSSL 3.0 (``tests/phone/openssl30.py``, which also fails the run unless every
   key was derived through argon2-cffi-bindings) and SQLAlchemy's C extensions off (the phone
   gets the pure-Python wheel). Browser, PostgreSQL and slow tests are left to the main run.

What differs from the phone and cannot be helped here: the interpreter is this machine's
CPython (3.11), not the phone's 3.14, and the wheels are the desktop builds of those versions.

    python -m tools.android.phone_tests [pytest arguments...]
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time
import tomllib
from pathlib import Path

from tools.android import resolve

ROOT = resolve.ROOT
VENV = ROOT / ".venv-phone"
STAMP = VENV / ".installed-stamp"
# pytest-xdist: `make test` passes ``-n 2`` through to the phone's run too.
TEST_TOOLS = ["pytest>=8.2", "pytest-timeout>=2.3", "pytest-xdist>=3.6", "hypothesis>=6.100",
              "time-machine>=2.14"]
TESTS = ["tests/shared", "tests/store", "tests/sync", "tests/phone"]
#: Left to the main run: they test algebra, durability and timing, not the packages, and take
#: minutes (500-example merge properties, SIGKILL crash loops, the 11-community simulation,
#: injected network faults, clock skew).
IGNORED = ["tests/shared/test_merge_properties.py", "tests/store/test_crash.py",
           "tests/sync/test_crash.py", "tests/sync/test_convergence.py",
           "tests/sync/test_faults.py", "tests/sync/test_clock_skew.py"]
MARKERS = "not browser and not postgres and not slow and not openssl_argon2"


def _bin(name: str) -> str:
    return str(VENV / ("Scripts" if os.name == "nt" else "bin") / name)


def _clean_env() -> dict[str, str]:
    # The machine's pip configuration (extra indexes, constraints) must not change the set.
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_")}
    env["PIP_CONFIG_FILE"] = os.devnull
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    env.pop("VIRTUAL_ENV", None)
    return env


def requirements() -> list[str]:
    """What goes into the phone venv: the Android list, the server extra, the test tools."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    server = config["project"]["optional-dependencies"]["server"]
    return [*resolve.android_dependencies(ROOT / "pyproject.toml"), *server, *TEST_TOOLS]


def ensure_venv(pins: dict[str, str]) -> None:
    """Create or refresh ``.venv-phone`` for these pins (skipped when the stamp matches)."""
    wanted = hashlib.sha256(json.dumps([sorted(pins.items()), requirements()]).encode())
    digest = wanted.hexdigest()
    if STAMP.is_file() and STAMP.read_text(encoding="utf-8").strip() == digest:
        print(f"phone venv: up to date ({VENV.name})")
        return
    print(f"phone venv: installing the phone's set into {VENV.name}")
    subprocess.run([sys.executable, "-m", "venv", "--clear", str(VENV)], check=True)
    # The bundled pip may be too old for the resolution tests (--platform with --dry-run).
    subprocess.run([_bin("python"), "-m", "pip", "install", "--isolated", "--quiet",
                    "--upgrade", "pip"], check=True, env=_clean_env())
    constraints = VENV / "phone-pins.txt"
    constraints.write_text("".join(f"{n}=={v}\n" for n, v in sorted(pins.items())),
                           encoding="utf-8")
    subprocess.run([_bin("python"), "-m", "pip", "install", "--isolated", "--quiet",
                    "--only-binary", ":all:", "-c", str(constraints), *requirements()],
                   check=True, env=_clean_env())
    STAMP.write_text(digest + "\n", encoding="utf-8")


def installed_mismatches(pins: dict[str, str]) -> list[str]:
    """Pinned packages the venv holds at another version (or not at all)."""
    script = ("import json,sys,importlib.metadata as m\n"
              "out={}\n"
              "for n in json.loads(sys.argv[1]):\n"
              "    try: out[n]=m.version(n)\n"
              "    except m.PackageNotFoundError: out[n]=None\n"
              "print(json.dumps(out))")
    done = subprocess.run([_bin("python"), "-c", script, json.dumps(sorted(pins))],
                          check=True, capture_output=True, text=True)
    have = json.loads(done.stdout)
    return [f"{n}: phone {v}, installed {have[n]}" for n, v in sorted(pins.items())
            if have[n] != v]


def main(argv: list[str] | None = None) -> int:
    """Resolve, install, check the versions, run the tests; exit non-zero on any failure."""
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="poruch-phone-") as tmp:
        pins_file = Path(tmp) / "pins.txt"
        if resolve.main(["--pins", str(pins_file)]) != 0:
            return 1
        pins = dict(line.split("==", 1) for line in pins_file.read_text().split())
    ensure_venv(pins)
    wrong = installed_mismatches(pins)
    if wrong:
        print("FAIL: the phone venv does not hold the phone's versions:\n  " + "\n  ".join(wrong),
              file=sys.stderr)
        return 1
    key = ("pydantic", "pydantic-core", "cryptography", "sqlalchemy", "sqlmodel",
           "argon2-cffi-bindings")
    print("phone venv: " + ", ".join(f"{n} {pins[n]}" for n in key if n in pins))
    env = _clean_env()
    env["DISABLE_SQLALCHEMY_CEXT_RUNTIME"] = "1"
    env["HYPOTHESIS_PROFILE"] = "dev"            # 50 examples where a test does not say
    extra = list(sys.argv[1:] if argv is None else argv)
    cmd = [_bin("python"), "-m", "pytest", "-p", "tests.phone.openssl30", "-q",
           "-p", "no:cacheprovider", "-m", MARKERS, "--durations=5",
           *(f"--ignore={path}" for path in IGNORED), *extra, *TESTS]
    code = subprocess.run(cmd, cwd=ROOT, env=env, check=False).returncode
    print(f"phone-versions job: {'passed' if code == 0 else 'FAILED'} in "
          f"{time.monotonic() - started:.0f} s")
    return code


if __name__ == "__main__":
    sys.exit(main())

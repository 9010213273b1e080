"""``tools/setup_test_machine.sh``, the set-up ``make test`` and ``.ci/run`` share, branch by
branch, with stubs on PATH in place of apt-get, Chromium and PostgreSQL's commands.

PATH holds only the stubs and links to the few real tools the script uses (bash, grep, sed),
so the real chromium and PostgreSQL of this machine are out of sight and never touched. The
stubs keep their state in files: what is "installed", whether the server is "up", and a log
of every apt-get and pg_ctlcluster call. ``sleep`` is a no-op so the 30 s wait costs nothing.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "tools" / "setup_test_machine.sh"
TRUST = "host all all 127.0.0.1/32 trust"

# Each stub reads the state folder $S. apt-get "installs" by creating the programs' stubs.
STUBS = {
    "id": 'echo "$(cat "$S/uid")"',
    "sleep": "exit 0",
    "apt-get": r'''echo "apt-get $*" >> "$S/log"
[ -e "$S/apt_broken" ] && exit 100
case "$*" in
  *"install"*chromium*) printf '#!/bin/bash\nexit 0\n' > "$S/bin/chromium";
                        chmod +x "$S/bin/chromium" ;;
  *"install"*postgresql*) echo "15 main 5432 down postgres /x /y.log" > "$S/clusters";
                          mkdir -p "$S/etc/15/main";
                          echo "local all postgres peer" > "$S/etc/15/main/pg_hba.conf" ;;
esac''',
    "pg_isready": '[ -e "$S/up" ]',
    "pg_lsclusters": '[ -e "$S/clusters" ] && cat "$S/clusters"; exit 0',
    "pg_ctlcluster": r'''echo "pg_ctlcluster $*" >> "$S/log"
case "$*" in *start*) [ -e "$S/wont_start" ] || touch "$S/up" ;; esac''',
    "psql": '[ -e "$S/up" ] && ! [ -e "$S/no_trust" ]',
}


@dataclass
class Machine:
    """A pretend Debian machine: the state folder and the PATH the script sees."""

    state: Path

    def has(self, *things: str) -> Machine:
        for thing in things:
            if thing == "chromium":
                (self.state / "bin" / "chromium").write_text("#!/bin/bash\nexit 0\n")
                (self.state / "bin" / "chromium").chmod(0o755)
            elif thing == "cluster":
                (self.state / "clusters").write_text("15 main 5432 down postgres /x /y.log\n")
                (self.state / "etc" / "15" / "main").mkdir(parents=True, exist_ok=True)
                (self.state / "etc" / "15" / "main" / "pg_hba.conf").write_text("local all\n")
            else:  # "up", "no_trust", "wont_start", "apt_broken"
                (self.state / thing).touch()
        return self

    def as_user(self, uid: int) -> Machine:
        (self.state / "uid").write_text(f"{uid}\n")
        return self

    def run(self) -> subprocess.CompletedProcess[str]:
        env = {"PATH": f"{self.state / 'bin'}:{self.state / 'tools'}", "S": str(self.state),
               "PORUCH_SETUP_PG_ETC": str(self.state / "etc"), "LANG": "C.UTF-8"}
        return subprocess.run([str(self.state / "tools" / "bash"), str(SCRIPT)], env=env,
                              capture_output=True, text=True, timeout=60, check=False)

    @property
    def log(self) -> list[str]:
        path = self.state / "log"
        return path.read_text().splitlines() if path.exists() else []

    @property
    def hba(self) -> str:
        return (self.state / "etc" / "15" / "main" / "pg_hba.conf").read_text()


@pytest.fixture
def machine(tmp_path: Path) -> Machine:
    (tmp_path / "bin").mkdir()
    (tmp_path / "tools").mkdir()
    for tool in ("bash", "grep", "sed", "cat", "mkdir", "touch", "chmod"):
        real = shutil.which(tool)
        assert real, tool
        os.symlink(real, tmp_path / "tools" / tool)
    for name, body in STUBS.items():
        stub = tmp_path / "bin" / name
        stub.write_text(f"#!{tmp_path / 'tools' / 'bash'}\n{body}\n")
        stub.chmod(0o755)
    return Machine(tmp_path).as_user(0)


def test_everything_present_only_checks(machine: Machine) -> None:
    done = machine.has("chromium", "cluster", "up").as_user(1000).run()
    assert done.returncode == 0, done.stderr
    assert machine.log == [] and done.stdout == ""


def test_chromium_missing_is_installed_as_root(machine: Machine) -> None:
    done = machine.has("cluster", "up").run()
    assert done.returncode == 0, done.stderr
    assert machine.log == ["apt-get update -qq", "apt-get install -y -qq chromium"]
    assert machine.run().returncode == 0 and len(machine.log) == 2   # idempotent


def test_chromium_missing_without_root_says_what_to_install(machine: Machine) -> None:
    done = machine.has("cluster", "up").as_user(1000).run()
    assert done.returncode == 1
    assert "chromium is not installed" in done.stderr
    assert "apt-get install -y chromium" in done.stderr and machine.log == []


def test_an_install_that_fails_stops_loudly(machine: Machine) -> None:
    done = machine.has("cluster", "up", "apt_broken").run()
    assert done.returncode == 1 and "FATAL" in done.stderr


def test_postgresql_down_is_started(machine: Machine) -> None:
    done = machine.has("chromium", "cluster").run()
    assert done.returncode == 0, done.stderr
    assert machine.log == ["pg_ctlcluster --skip-systemctl-redirect 15 main start"]
    assert "starting PostgreSQL (cluster 15 main)" in done.stdout


def test_postgresql_down_without_root_says_how_to_start_it(machine: Machine) -> None:
    done = machine.has("chromium", "cluster").as_user(1000).run()
    assert done.returncode == 1 and "pg_ctlcluster 15 main start" in done.stderr
    assert machine.log == []


def test_postgresql_that_never_comes_up_stops_loudly(machine: Machine) -> None:
    done = machine.has("chromium", "cluster", "wont_start").run()
    assert done.returncode == 1
    assert "not answering on 127.0.0.1:5432 after 30 s" in done.stderr


def test_postgresql_missing_is_installed_trusted_and_started(machine: Machine) -> None:
    done = machine.has("chromium").run()
    assert done.returncode == 0, done.stderr
    assert machine.log == ["apt-get update -qq", "apt-get install -y -qq postgresql",
                           "pg_ctlcluster --skip-systemctl-redirect 15 main start"]
    assert machine.hba.splitlines()[0] == TRUST
    (machine.state / "up").unlink()                     # stopped again: started, trusted once
    assert machine.run().returncode == 0
    assert machine.hba.count(TRUST) == 1
    assert machine.log[-1] == "pg_ctlcluster --skip-systemctl-redirect 15 main start"


def test_postgresql_missing_without_root_says_what_to_install(machine: Machine) -> None:
    done = machine.has("chromium").as_user(1000).run()
    assert done.returncode == 1
    assert "apt-get install -y postgresql" in done.stderr and TRUST in done.stderr


def test_a_server_that_wants_a_password_is_named(machine: Machine) -> None:
    done = machine.has("chromium", "cluster", "up", "no_trust").run()
    assert done.returncode == 1
    assert "refuses user postgres without a password" in done.stderr and TRUST in done.stderr


def test_make_test_and_ci_run_call_the_script() -> None:
    makefile = (ROOT / "Makefile").read_text()
    recipe = makefile.split("\ntest:", 1)[1].split("\n\n", 1)[0]
    assert "bash tools/setup_test_machine.sh" in recipe
    assert recipe.index("setup_test_machine") < recipe.index("pytest")
    ci = (ROOT / ".ci" / "run").read_text()
    assert "tools/setup_test_machine.sh" in ci and ci.rstrip().endswith("make test")

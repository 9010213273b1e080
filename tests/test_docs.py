"""The docs name what the code has, and the code has what the docs name.

Datasette-style: a new error code, mutation status, CLI command or module fails here until
the doc that describes it is written (docs/sync-protocol.md, docs/server.md, ARCHITECTURE.md).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from shared_models.protocol import ErrorCode, MutationStatus
from sync_server.cli import build_parser

ROOT = Path(__file__).resolve().parent.parent
PROTOCOL = (ROOT / "docs" / "sync-protocol.md").read_text(encoding="utf-8")
SERVER = (ROOT / "docs" / "server.md").read_text(encoding="utf-8")
ARCHITECTURE = (ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8")
PACKAGES = ("shared_models", "field_app", "sync_server")


def _section(text: str, heading: str) -> str:
    start = text.index(heading)
    end = text.find("\n#", start + len(heading))
    return text[start:end if end != -1 else None]


@pytest.mark.parametrize("code", [c.value for c in ErrorCode])
def test_every_error_code_is_in_the_protocol_doc(code: str) -> None:
    assert f"| `{code}` |" in _section(PROTOCOL, "### Error codes"), code


@pytest.mark.parametrize("status", [s.value for s in MutationStatus])
def test_every_mutation_status_is_in_the_protocol_doc(status: str) -> None:
    assert f"| `{status}` |" in _section(PROTOCOL, "### Push"), status


def _commands() -> list[str]:
    parser = build_parser()
    (sub,) = [a for a in parser._actions if a.dest == "command"]
    return sorted(sub.choices)  # type: ignore[arg-type]


@pytest.mark.parametrize("command", _commands())
def test_every_cli_command_is_in_the_server_doc(command: str) -> None:
    assert re.search(rf"^\| `{re.escape(command)}\b", _section(SERVER, "## Commands"),
                     re.MULTILINE), command


def _package_modules() -> set[str]:
    """Every module of our packages, as a path inside its package (``store/core.py``)."""
    out: set[str] = set()
    for package in PACKAGES:
        base = ROOT / package
        for path in base.rglob("*.py"):
            rel = path.relative_to(base)
            if path.name == "__init__.py" or "migrations" in rel.parts:
                continue
            out.add(rel.as_posix())
    return out


def _named_in_architecture() -> set[str]:
    """Module paths ARCHITECTURE.md names: `x.py` in back-quotes, or `dir/` trees' entries."""
    named = set(re.findall(r"`([a-z0-9_/]+\.py)(?::[^`]*)?`", ARCHITECTURE))
    named |= set(re.findall(r"^[ \t]+([a-z0-9_]+\.py)[ \t]", ARCHITECTURE, re.MULTILINE))
    # `ui/views/visit_*.py` style globs name every module they match
    globs = re.findall(r"`([a-z0-9_/]+\*[a-z0-9_]*\.py)`", ARCHITECTURE)
    # `sync_server/tables.py` names the module `tables.py` of that package
    named = {n.split("/", 1)[1] if n.split("/", 1)[0] in PACKAGES else n for n in named}
    return named | {f"glob:{g}" for g in globs}


def _is_named(module: str, named: set[str]) -> bool:
    if module in named or module.rsplit("/", 1)[-1] in named:
        return True
    for entry in named:
        if entry.startswith("glob:") and Path(module).match(entry[5:]):
            return True
        if "/" in entry and module.endswith("/" + entry):
            return True
    return False


@pytest.mark.parametrize("module", sorted(_package_modules()))
def test_every_module_is_named_in_architecture(module: str) -> None:
    assert _is_named(module, _named_in_architecture()), module


def test_every_module_named_in_architecture_exists() -> None:
    modules = _package_modules() | {
        p.relative_to(ROOT).as_posix() for folder in ("tests", "tools", "bench")
        for p in (ROOT / folder).rglob("*.py")}
    names = {m.rsplit("/", 1)[-1] for m in modules}
    missing = []
    for entry in _named_in_architecture():
        if entry.startswith("glob:"):
            if not any(Path(m).match(entry[5:]) for m in modules):
                missing.append(entry)
        elif "/" in entry:
            if not any(m == entry or m.endswith("/" + entry) for m in modules):
                missing.append(entry)
        elif entry not in names:
            missing.append(entry)
    assert missing == []

"""Run every ``bench/*_bench.py`` module's ``main()`` in name order: ``python -m bench``.

``python -m bench store sync`` runs only the modules whose names start with those words.
A benchmark that fails is reported and the others still run; the exit status is then 1.
"""

from __future__ import annotations

import importlib
import sys
import traceback
from pathlib import Path


def main(argv: list[str]) -> int:
    """Run the selected benchmark modules; 1 if any failed."""
    failed = []
    for path in sorted(Path(__file__).parent.glob("*_bench.py")):
        if argv and not any(path.stem.startswith(word) for word in argv):
            continue
        try:
            importlib.import_module(f"bench.{path.stem}").main()
        except Exception:  # report and go on: one broken benchmark must not hide the others
            traceback.print_exc()
            failed.append(path.stem)
        print()
    if failed:
        print("failed:", ", ".join(failed), file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""Run every ``bench/*_bench.py`` module's ``main()`` in name order: ``python -m bench``."""

from __future__ import annotations

import importlib
from pathlib import Path


def main() -> None:
    """Import each benchmark module of this package and run its ``main()``."""
    for path in sorted(Path(__file__).parent.glob("*_bench.py")):
        module = importlib.import_module(f"bench.{path.stem}")
        module.main()
        print()


if __name__ == "__main__":
    main()

"""Entry point for `flet build` (it packages a top-level module): runs the field app."""

from field_app.__main__ import main

if __name__ == "__main__":
    raise SystemExit(main())

"""``python -m field_app [--web] [--host H] [--port P]``: serve the field app.

Without ``--web`` it opens a desktop window where one can start (the ``flet_desktop`` client is
installed and there is a display); otherwise it serves the app to a browser, with
``no_cdn=True`` so nothing is fetched from the internet. The data folder comes from
``field_app.paths.resolve_data_dir``.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

import flet as ft

from field_app.paths import desktop_can_start, resolve_data_dir
from field_app.services.app import default_services
from field_app.ui.app import make_main

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8550


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(
        prog="python -m field_app", description="Поруч / Poruch — the field app.")
    parser.add_argument("--web", action="store_true",
                        help="serve to a browser (the default where no desktop window can open)")
    parser.add_argument("--host", default=DEFAULT_HOST,
                        help=f"address to serve on in web mode (default {DEFAULT_HOST})")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT,
                        help=f"port to serve on in web mode (default {DEFAULT_PORT})")
    parser.add_argument("--data-dir", type=Path, default=None,
                        help="data folder (default: FIELD_APP_DATA_DIR, FLET_APP_STORAGE_DATA, "
                             "else the platform's app-data folder)")
    return parser.parse_args(argv)


def use_web(web_flag: bool, desktop_possible: bool) -> bool:
    """Serve to a browser when asked to, or when no desktop window can open."""
    return web_flag or not desktop_possible


def main(argv: Sequence[str] | None = None) -> int:
    """Resolve the options and the data folder, then run Flet until it stops."""
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    data_dir = args.data_dir or resolve_data_dir()
    data_dir.mkdir(parents=True, exist_ok=True)
    app_main = make_main(default_services(data_dir))
    web = use_web(args.web, desktop_can_start())
    logging.getLogger("field_app").info("data folder %s; %s", data_dir,
                                        f"serving on http://{args.host}:{args.port}/" if web
                                        else "desktop window")
    if web:
        ft.run(app_main, view=ft.AppView.WEB_BROWSER, host=args.host, port=args.port,
               no_cdn=True)
    else:
        ft.run(app_main)
    return 0


if __name__ == "__main__":
    sys.exit(main())

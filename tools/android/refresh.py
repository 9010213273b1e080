"""Re-read Flet's mobile index and rewrite ``mobile_index.toml`` (needs the internet).

For each package named in the data file, reads ``<index_url>/<name>/`` (the simple API),
keeps the Android wheels, and for each Python version the data file's packages are built for
takes the newest version. Requires-Dist comes from the wheel's metadata file (PEP 658) when
the index serves one, else from the wheel itself. Writes the new entries and today's date as
``checked``; review the diff, then run ``make test`` (the resolution check and the
phone-versions job use the new versions).

    python -m tools.android.refresh [--dry-run]
"""

from __future__ import annotations

import argparse
import io
import re
import sys
import zipfile
from collections import defaultdict
from datetime import UTC, datetime
from email.parser import Parser
from html.parser import HTMLParser

import httpx
from packaging.utils import canonicalize_name, parse_wheel_filename
from packaging.version import Version

from tools.android.resolve import INDEX_FILE, load_index


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            data = dict(attrs)
            if data.get("href"):
                self.links.append((str(data["href"]), data))


def android_wheels(client: httpx.Client, index_url: str, name: str
                   ) -> dict[str, tuple[Version, str, bool]]:
    """Newest Android wheel per Python ("3.14" -> (version, url, has PEP 658 metadata))."""
    page = client.get(f"{index_url}/{canonicalize_name(name)}/")
    page.raise_for_status()
    parser = _Links()
    parser.feed(page.text)
    best: dict[str, tuple[Version, str, bool]] = {}
    for href, attrs in parser.links:
        url = str(httpx.URL(str(page.url)).join(href)).split("#", 1)[0]
        filename = url.rsplit("/", 1)[-1]
        if not filename.endswith(".whl"):
            continue
        _, version, _, tags = parse_wheel_filename(filename)
        if not any(t.platform.startswith("android_") for t in tags):
            continue
        for tag in tags:
            m = re.fullmatch(r"cp3(\d+)", tag.interpreter)
            if m:
                python = f"3.{m.group(1)}"
                meta = bool(attrs.get("data-dist-info-metadata")
                            or attrs.get("data-core-metadata"))
                if python not in best or version > best[python][0]:
                    best[python] = (version, url, meta)
    return best


def requires_of(client: httpx.Client, url: str, has_metadata: bool) -> list[str]:
    """The wheel's Requires-Dist."""
    if has_metadata:
        text = client.get(url + ".metadata").raise_for_status().text
    else:
        data = client.get(url).raise_for_status().content
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            name = next(n for n in zf.namelist() if n.endswith(".dist-info/METADATA"))
            text = zf.read(name).decode()
    return [r for r in Parser().parsestr(text).get_all("Requires-Dist") or []
            if "extra ==" not in r]


def render(index: dict[str, object], entries: list[dict[str, object]], header: str) -> str:
    """The data file's text: its header (comments and settings) and the wheel entries."""
    today = datetime.now(UTC).date().isoformat()
    header = re.sub(r'^checked = ".*"$', f'checked = "{today}"', header, flags=re.M)
    header = re.sub(r'^source = ".*"$', f'source = "{index["index_url"]}"', header, flags=re.M)
    blocks = []
    for e in entries:
        reqs = ", ".join(f'"{r}"' for r in e["requires"])  # type: ignore[attr-defined]
        pythons = ", ".join(f'"{p}"' for p in e["pythons"])  # type: ignore[attr-defined]
        blocks.append(f'[[wheel]]\nname = "{e["name"]}"\nversion = "{e["version"]}"\n'
                      f"pythons = [{pythons}]\nrequires = [{reqs}]\n")
    return header.rstrip() + "\n\n" + "\n".join(blocks)


def main(argv: list[str] | None = None) -> int:
    """Refresh the data file from the mobile index."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dry-run", action="store_true", help="print, do not write")
    args = parser.parse_args(argv)
    index = load_index()
    text = INDEX_FILE.read_text(encoding="utf-8")
    header = text[:text.index("[[wheel]]")]
    names = list(dict.fromkeys(w["name"] for w in index["wheel"]))
    entries: list[dict[str, object]] = []
    with httpx.Client(timeout=60, follow_redirects=True) as client:
        for name in names:
            per_version: dict[Version, list[str]] = defaultdict(list)
            urls: dict[Version, tuple[str, bool]] = {}
            for python, (version, url, meta) in android_wheels(
                    client, str(index["index_url"]), name).items():
                per_version[version].append(python)
                urls[version] = (url, meta)
            if not per_version:
                print(f"warning: no Android wheel of {name} on the index", file=sys.stderr)
            for version in sorted(per_version, reverse=True):
                entries.append({"name": name, "version": str(version),
                                "pythons": sorted(per_version[version]),
                                "requires": requires_of(client, *urls[version])})
    out = render(index, entries, header)
    if args.dry_run:
        print(out)
    else:
        INDEX_FILE.write_text(out, encoding="utf-8")
        print(f"wrote {INDEX_FILE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

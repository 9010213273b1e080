"""The mobile-index refresh reads the simple API and writes a data file the check can read.

The index cannot be reached from here, so its pages are served by an in-process transport
with the index's form (PEP 503 links, PEP 658 metadata files).
"""

from __future__ import annotations

import tomllib

import httpx

from tools.android import refresh
from tools.android.resolve import INDEX_FILE, load_index

PAGE = """<html><body>
<a href="../../files/pydantic_core-2.46.0-cp314-cp314-android_24_arm64_v8a.whl#sha256=00"
   data-dist-info-metadata="sha256=11">pydantic_core-2.46.0</a>
<a href="../../files/pydantic_core-2.47.0-cp314-cp314-android_24_arm64_v8a.whl#sha256=22"
   data-dist-info-metadata="sha256=33">pydantic_core-2.47.0</a>
<a href="../../files/pydantic_core-2.47.0-cp314-cp314-ios_13_0_arm64_iphoneos.whl">ios</a>
<a href="../../files/pydantic_core-2.40.0-cp313-cp313-android_24_x86_64.whl">old</a>
</body></html>"""


def handler(request: httpx.Request) -> httpx.Response:
    if request.url.path.endswith("/pydantic-core/"):
        return httpx.Response(200, text=PAGE)
    if request.url.path.endswith(".metadata"):
        return httpx.Response(200, text="Metadata-Version: 2.1\nName: pydantic-core\n"
                                        "Requires-Dist: typing-extensions>=4.14.1\n"
                                        "Requires-Dist: pytest; extra == 'test'\n\n")
    return httpx.Response(404)


def test_newest_android_wheel_per_python_with_its_requirements() -> None:
    with httpx.Client(transport=httpx.MockTransport(handler)) as client:
        best = refresh.android_wheels(client, "https://pypi.flet.dev/simple", "pydantic_core")
        assert {p: str(v[0]) for p, v in best.items()} == {"3.14": "2.47.0", "3.13": "2.40.0"}
        _, url, meta = best["3.14"]
        assert url.endswith("pydantic_core-2.47.0-cp314-cp314-android_24_arm64_v8a.whl")
        assert meta and refresh.requires_of(client, url, meta) == ["typing-extensions>=4.14.1"]


def test_the_rewritten_file_reads_back_the_same() -> None:
    index = load_index()
    text = INDEX_FILE.read_text(encoding="utf-8")
    out = refresh.render(index, index["wheel"], text[:text.index("[[wheel]]")])
    again = tomllib.loads(out)
    assert again["wheel"] == index["wheel"]
    assert again["python"] == index["python"] and again["checked"] >= index["checked"]

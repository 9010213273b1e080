"""Real-browser fixtures: the app served by ``python -m field_app --web``, Debian's Chromium.

* ``sync_server`` — ``python -m sync_server serve`` on SQLite with the social worker ``USER``
  of zhytomyrska, and in malynska the supervisor ``SUPERVISOR`` and the worker ``WORKER2``;
* ``fresh_app`` — the app over an empty data folder (first start);
* ``ready_app`` — the app over a data folder already set up (signed in to ``sync_server``,
  PIN chosen) the way first start does it, so it starts locked;
* ``phone`` / ``laptop`` — a page at 360x640 / 1280x800 in Chromium (see
  ``/work/shared/browser-testing.md``); ``AppPage`` opens the app, switches Flutter's
  semantics on and saves screenshots to ``tests/artifacts/``.

Nothing is downloaded: Chromium comes from Debian, Playwright is only the driver. When
``chromium`` is missing the browser tests fail (they do not skip).
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tools.live_server import free_port

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "tests" / "artifacts"
PHONE = {"width": 360, "height": 640}
LAPTOP = {"width": 1280, "height": 800}
USER, PASSWORD, PIN = "olena", "Житомир-2026-тест", "246810"
#: A supervisor and a social worker of malynska (the review tests' community, apart from USER's).
SUPERVISOR, WORKER2 = "iryna", "petro"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--enable-unsafe-swiftshader"]
#: How long the Flutter client may take to load (CanvasKit in software rendering).
LOAD_TIMEOUT_MS = 60_000


def _wait_http(url: str, proc: subprocess.Popen[bytes], log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{url} exited with {proc.returncode}:\n{log.read_text()}")
        with contextlib.suppress(OSError), urllib.request.urlopen(url, timeout=2):  # noqa: S310
            return
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer in {timeout} s:\n{log.read_text()}")


@contextlib.contextmanager
def serve(cmd: list[str], env: dict[str, str], url: str, log: Path) -> Iterator[str]:
    """Run ``cmd`` until the block ends, once ``url`` answers; output goes to ``log``."""
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        try:
            _wait_http(url, proc, log)
            yield url
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PORUCH_", "FIELD_APP_", "FLET_"))}
    env.update(extra)
    return env


@pytest.fixture(scope="session")
def chromium_path() -> str:
    """Debian's Chromium; the browser tests fail without it."""
    path = shutil.which("chromium")
    if path is None:
        pytest.fail("chromium is not installed: apt-get update && apt-get install -y chromium")
    return path


@pytest.fixture(scope="module")
def browser(chromium_path: str) -> Iterator[Any]:
    """One Chromium per test module, launched by Playwright's driver (module scope: its
    sync API keeps an event loop running in the main thread while it lives)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def sync_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The sync server on SQLite with the accounts above (``USER``, ``SUPERVISOR``, ``WORKER2``)."""
    folder = tmp_path_factory.mktemp("server")
    port = free_port()
    env = _env(PORUCH_DATABASE_URL=f"sqlite:///{folder / 'server.db'}", PORUCH_PORT=str(port))
    python = [sys.executable, "-m", "sync_server"]
    subprocess.run([*python, "migrate"], cwd=ROOT, env=env, check=True, capture_output=True)
    for user, role, community in ((USER, "social_worker", "zhytomyrska"),
                                  (SUPERVISOR, "supervisor", "malynska"),
                                  (WORKER2, "social_worker", "malynska")):
        subprocess.run([*python, "create-user", user, "--role", role, "--community",
                        community, "--password-stdin"], cwd=ROOT, env=env, check=True,
                       input=f"{PASSWORD}\n".encode(), capture_output=True)
    url = f"http://127.0.0.1:{port}"
    with serve([*python, "serve", "--port", str(port)], env, f"{url}/health",
               folder / "server.log"):
        yield url


def _serve_app(data_dir: Path) -> contextlib.AbstractContextManager[str]:
    port = free_port()
    env = _env(FIELD_APP_DATA_DIR=str(data_dir))
    return serve([sys.executable, "-m", "field_app", "--web", "--port", str(port)], env,
                 f"http://127.0.0.1:{port}/", data_dir / "app.log")


@pytest.fixture
def fresh_app(tmp_path: Path) -> Iterator[str]:
    """The app over an empty data folder: it opens on first start."""
    with _serve_app(tmp_path) as url:
        yield url


@pytest.fixture(scope="module")
def ready_app(tmp_path_factory: pytest.TempPathFactory, sync_server: str) -> Iterator[str]:
    """The app over a data folder set up as first start does it (real store, real sign-in)."""
    from field_app.services.store_device import StoreDevice, sync_client_sign_in

    data_dir = tmp_path_factory.mktemp("device")
    device = StoreDevice(data_dir, sign_in=sync_client_sign_in)
    device.set_up(server_url=sync_server, username=USER, password=PASSWORD, pin=PIN)
    assert device.store is not None
    device.store.close()
    with _serve_app(data_dir) as url:
        yield url


class AppPage:
    """A browser page on the app, driven through Flutter's semantics tree."""

    def __init__(self, page: Any, name: str) -> None:
        self.page = page
        self.name = name

    def open(self, url: str) -> AppPage:
        """Load the app and switch semantics on (Flutter draws on a canvas otherwise)."""
        self.page.goto(url)
        self.page.wait_for_selector("flt-semantics-placeholder", state="attached",
                                    timeout=LOAD_TIMEOUT_MS)
        self.page.locator("flt-semantics-placeholder").evaluate("e => e.click()")
        self.page.wait_for_selector("flt-semantics", state="attached", timeout=LOAD_TIMEOUT_MS)
        return self

    def button(self, name: str, exact: bool = True) -> Any:
        """A button by its accessible name."""
        return self.page.get_by_role("button", name=name, exact=exact)

    def more(self, entry: str | re.Pattern[str], shows: str | Any) -> None:
        """Tap the More place, then its ``entry``, until ``shows`` (an exact text, or a
        locator) is on the screen.

        A sync finishing redraws the screen; a tap in that instant can be lost (the More
        place closes, or its entry's tap goes nowhere), and on a loaded machine the entry's
        screen can take long to build. So the whole way is taken again, up to three times,
        until the screen is there — never tapping an entry that is already gone.
        """
        from playwright.sync_api import TimeoutError as PlaywrightTimeout

        name = entry if isinstance(entry, re.Pattern) else re.compile(f"^{re.escape(entry)}")
        target = self.page.get_by_role("button", name=name).first
        arrived = (self.page.get_by_text(shows, exact=True) if isinstance(shows, str)
                   else shows).first
        for attempt in range(3):
            try:
                if target.count() == 0:
                    self.place("Більше").click(timeout=10_000)
                    target.wait_for(state="attached", timeout=10_000)
                target.click(timeout=10_000)
                arrived.wait_for(state="attached", timeout=20_000)
                return
            except PlaywrightTimeout:
                if arrived.count() > 0:
                    return
                if attempt == 2:
                    raise

    def place(self, label: str) -> Any:
        """A destination of the bottom navigation bar (tabs) or of the rail."""
        tab = self.page.get_by_role("tab", name=label, exact=True)
        # Rail destinations are buttons named "<label>\nВкладка 2 з 4" (Material's words).
        rail = self.page.get_by_role("button", name=re.compile(rf"^{re.escape(label)}(\s|$)"))
        return tab.or_(rail)

    def field(self, label: str) -> Any:
        """A text field by its label (the name may continue with the hint)."""
        return self.page.get_by_role("textbox", name=re.compile(rf"^{re.escape(label)}(\s|$)"))

    def text(self, text: str) -> Any:
        """Visible text (exact)."""
        return self.page.get_by_text(text, exact=True)

    def type_into(self, label: str, value: str) -> None:
        """Tap a field (or focus it when it is off screen) and type; check it took the text.

        A tap is what a worker does and lets Flutter move its editing element to the field
        (``focus()`` on the semantics input can race a field Flutter focused itself, such as
        an autofocused one, and the keys are lost). An off-screen field is focused instead:
        Playwright would scroll it into view and click where it was before Flutter moved its
        semantics rectangle, landing in the field above. The value is read back from the
        focused element and typed again if it differs. Waits a moment after typing: clearing
        an error line moves the fields below, and Flutter updates the semantics a frame later.
        """
        field = self.field(label)
        for _ in range(3):
            box = field.bounding_box()
            viewport = self.page.viewport_size
            if box and viewport and box["y"] >= 0 and box["y"] + box["height"] <= viewport[
                    "height"]:
                field.click()
            else:
                field.focus()
            self.page.wait_for_timeout(250)
            self.page.keyboard.press("Control+a")
            self.page.keyboard.type(value)
            self.page.wait_for_timeout(300)
            # Flutter edits either in the semantics <input> or in its own editing element:
            # read whichever has the focus.
            if self.page.evaluate("() => document.activeElement?.value") == value:
                return
        raise AssertionError(f"the field {label!r} did not take {value!r}")

    def wait_text(self, text: str, timeout: float = 15_000) -> None:
        """Wait until ``text`` is on the screen."""
        self.page.get_by_text(text, exact=True).first.wait_for(state="attached",
                                                               timeout=timeout)

    def shot(self, step: str) -> Path:
        """Save a screenshot ``tests/artifacts/<name>-<step>.png`` after the UI settles."""
        self.page.wait_for_timeout(600)
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{self.name}-{step}.png"
        self.page.screenshot(path=str(path))
        return path

    def dump(self) -> str:
        """The semantics nodes with a role or a name, one per line (for failure messages)."""
        return str(self.page.evaluate("""() => Array.from(document.querySelectorAll(
            'flt-semantics, input, textarea')).map(e => [e.getAttribute('role') || e.tagName,
            e.getAttribute('aria-label') || '', e.getAttribute('aria-selected') || '',
            e.children.length ? '' : (e.textContent || '').slice(0, 40),
            Math.round(e.getBoundingClientRect().height)].join(' | ')).join('\\n')"""))

    def small_targets(self) -> list[str]:
        """Buttons, radios and text fields smaller than 48 x 48 px (with their names).

        Only targets wholly inside the window are judged: Flutter clips the semantics
        rectangles of a scrolled-away control.
        """
        found = self.page.evaluate("""() => {
            const out = [];
            for (const e of document.querySelectorAll(
                    'flt-semantics[role=button], flt-semantics[role=radio], input, textarea,'
                    + ' flt-semantics[role=tab], flt-semantics[role=link]')) {
                const r = e.getBoundingClientRect();
                if (r.width === 0 || r.height === 0) continue;
                // Flutter clips semantics to the scroll viewport: judge whole targets only.
                if (r.top < 1 || r.bottom > innerHeight - 1) continue;
                if (r.height < 47.5 || r.width < 47.5)
                    out.push(`${e.getAttribute('aria-label') || e.innerText || e.tagName}`
                             + ` ${Math.round(r.width)}x${Math.round(r.height)}`);
            }
            return out;
        }""")
        return list(found)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """Remember each phase's outcome on the item, so page fixtures know a test failed."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


def _page(browser: Any, request: pytest.FixtureRequest, viewport: dict[str, int],
          kind: str) -> Iterator[AppPage]:
    context = browser.new_context(viewport=viewport, locale="uk-UA")
    app = AppPage(context.new_page(), f"{request.node.name}-{kind}")
    yield app
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        with contextlib.suppress(Exception):
            app.shot("FAILED")
            (ARTIFACTS / f"{app.name}-FAILED.txt").write_text(app.dump(), encoding="utf-8")
    context.close()


@pytest.fixture
def phone(browser: Any, request: pytest.FixtureRequest) -> Iterator[AppPage]:
    """A 360 x 640 page (a small Android phone); a failed test leaves a screenshot."""
    yield from _page(browser, request, PHONE, "phone")


@pytest.fixture
def laptop(browser: Any, request: pytest.FixtureRequest) -> Iterator[AppPage]:
    """A 1280 x 800 page (a laptop); a failed test leaves a screenshot."""
    yield from _page(browser, request, LAPTOP, "laptop")

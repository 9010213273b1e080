"""``SyncClient``: push the outbox, pull the feed, keep the store and the server in step.

Over ``httpx`` with TLS verification always on (a custom CA file may be given; plain http only
to this machine). Network errors and 5xx are retried with backoff and jitter; a refused change
goes to the "needs attention" list and never blocks the rest of the outbox. Every step is
resumable: a push is idempotent by mutation id, and each pulled page is stored in the same
local transaction as the cursor after it, so a sync cut off anywhere picks up without a gap
or a duplicate. The push half lives in ``pushing`` (``Pusher``, mixed in).
"""

from __future__ import annotations

import json
import logging
import re
import ssl
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import suppress
from dataclasses import asdict, dataclass, replace
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import httpx

from field_app.sync import lost_notice
from field_app.sync.backoff import Backoff
from field_app.sync.calendar import keep_calendar, stored_answer
from field_app.sync.errors import (
    BadCredentials,
    DeviceRevoked,
    InsecureServer,
    NeedsLogin,
    Offline,
    ServerTrouble,
    SyncError,
    TooManyAttempts,
    UntrustedServer,
    UpdateRequired,
)
from field_app.sync.lost_notice import LostNotice
from field_app.sync.outcome import held, last_success_ms, success_entry
from field_app.sync.pushing import BODY_CODINGS, Pusher, _Refused
from field_app.sync.report import Attention, Progress, ProgressCallback, Stage, SyncReport
from field_app.sync.threads import brisk_switching
from shared_models.enums import RecordKind
from shared_models.protocol import (
    CALENDAR_PATH,
    MAX_PULL_LIMIT,
    PROTOCOL_HEADER,
    PROTOCOL_VERSION,
    CalendarAnswer,
    ErrorCode,
    encode_cursors,
)
from shared_models.pullwire import PulledPage, decode_pull_page
from shared_models.revocation import LOST_WORK_PATH, LostWorkReport

if TYPE_CHECKING:
    from field_app.store.interface import SecretStore, SyncStore

log = logging.getLogger(__name__)

# Names of entries in the store's encrypted key-value table (not secrets themselves).
TOKEN_SECRET = "sync.token"  # noqa: S105
ACCOUNT_SECRET = "sync.account"  # noqa: S105
LOGIN_PATH = "/api/v1/auth/login"
LOGOUT_PATH = "/api/v1/auth/logout"
PULL_PATH = "/api/v1/sync/pull"
#: Answers this client reads compressed: zstd from servers that have it (a tenth of the CPU of
#: gzip on both ends for pages the same size), gzip from the others.
ACCEPT_ENCODING = "zstd, gzip"
_RETRY_STATUS = frozenset({500, 502, 503, 504, 429})
# The server's clock sits in every answer that has one; its wall part is the server's time.
_SERVER_CLOCK = re.compile(rb'"server_clock"\s*:\s*"(\d{15})-')
_LOOPBACK = ("localhost", "127.0.0.1", "::1")
#: Seconds the revoked device waits for the server to take its lost-work report (one try:
#: the wipe must not wait on a bad link).
LOST_WORK_TIMEOUT_S = 10.0


@dataclass(frozen=True, slots=True)
class Account:
    """Who this device is signed in as, as the server said at login."""

    username: str
    role: str
    communities: list[str]
    device_id: str


def stored_account(store: SecretStore) -> Account | None:
    """The account the device signed in as, kept sealed in the store at login (or ``None``)."""
    raw = store.get_secret(ACCOUNT_SECRET)
    return Account(**json.loads(raw)) if raw else None


class _Transient(Exception):
    """A failure worth retrying (network, 5xx, a body cut short)."""

    def __init__(self, cause: str, retry_after: float | None = None, status: int = 0) -> None:
        super().__init__(cause)
        self.retry_after = retry_after
        self.status = status


_NOT_PARSED: Any = object()


@dataclass(slots=True)
class _Answer:
    """A response as received, and its body parsed where that was already done."""

    response: httpx.Response
    body: bytes
    parsed: Any = _NOT_PARSED
    unreadable: ValueError | None = None


def _check_url(base_url: str) -> str:
    parts = urlsplit(base_url)
    if parts.scheme == "https" or (parts.scheme == "http" and parts.hostname in _LOOPBACK):
        return base_url.rstrip("/")
    raise InsecureServer(f"refusing {parts.scheme!r} to {parts.hostname!r}")


class SyncClient(Pusher):
    """Syncs one ``LocalStore`` with one server. Not thread-safe: one sync at a time.

    Pages of ``page_limit`` records (the protocol's largest, 1,000, by default: about 130 KB
    compressed, and half the round trips of 500 on a slow rural link)."""

    def __init__(
        self,
        store: SyncStore,
        base_url: str,
        *,
        transport: httpx.BaseTransport | None = None,
        ca_file: str | None = None,
        timeout: float = 30.0,
        batch_size: int = 200,
        page_limit: int = MAX_PULL_LIMIT,
        gzip_level: int = 6,
        zstd_level: int = 3,
        backoff: Backoff | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.store = store
        self.base_url = _check_url(base_url)
        self.batch_size = batch_size
        self.gzip_level = gzip_level
        self.zstd_level = zstd_level
        self._body_codings = list(BODY_CODINGS)  # until a server says it cannot read them
        self.page_limit = page_limit
        self.backoff = backoff or Backoff()
        self._sleep = sleep
        verify: ssl.SSLContext | bool = (
            ssl.create_default_context(cafile=ca_file) if ca_file else True
        )
        self._report: SyncReport | None = None
        self._http = httpx.Client(
            base_url=self.base_url, transport=transport, verify=verify, timeout=timeout,
            headers={PROTOCOL_HEADER: str(PROTOCOL_VERSION), "Accept-Encoding": ACCEPT_ENCODING},
            event_hooks={"response": [self._count_bytes]},
        )

    def close(self) -> None:
        """Close the HTTP connection pool."""
        self._http.close()

    def __enter__(self) -> SyncClient:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # -- account ---------------------------------------------------------------------------

    def login(self, username: str, password: str, device_name: str = "Poruch") -> Account:
        """Sign in, register this device, and keep the token inside the encrypted store."""
        body = {"username": username, "password": password, "device_name": device_name}
        try:
            data = self._call("POST", LOGIN_PATH, json=body, auth=False, retry=False)
        except ServerTrouble as exc:
            if exc.status == 429:
                raise TooManyAttempts(str(exc), exc.retry_after or 60.0) from exc
            raise
        account = Account(username=data["user"], role=data["role"],
                          communities=list(data["communities"]), device_id=data["device_id"])
        self.store.set_secret(TOKEN_SECRET, data["token"].encode())
        self.store.set_secret(ACCOUNT_SECRET, json.dumps(asdict(account)).encode())
        self.store.set_user(account.username)
        self._receive_clock(data.get("server_clock"))
        return account

    def account(self) -> Account | None:
        """The account this device is signed in as, if any."""
        return stored_account(self.store)

    def logout(self) -> bool:
        """Tell the server to forget this device's token (best effort) and drop it locally.

        True when the server confirmed (or had already forgotten the token); False when it
        could not be told (offline): the token is dropped here all the same.
        """
        told = False
        if self.store.get_secret(TOKEN_SECRET):
            try:
                self._call("POST", LOGOUT_PATH, json={}, retry=False)
                told = True
            except (NeedsLogin, DeviceRevoked):
                told = True   # the server no longer accepts this token anyway
            except (SyncError, _Refused):
                told = False
        self.store.delete_secret(TOKEN_SECRET)
        return told

    # -- sync --------------------------------------------------------------------------------

    def attention(self) -> list[Attention]:
        """Changes the server refused, kept on the phone with the reason."""
        return held(self.store)

    def last_success_ms(self) -> int | None:
        """Wall time (ms) of the last sync that finished, if any."""
        return last_success_ms(self.store)

    def sync(self, progress: ProgressCallback | None = None) -> SyncReport:
        """Push every pending change, then pull every page; returns what happened."""
        if not self.store.get_secret(TOKEN_SECRET):
            raise NeedsLogin("no token")
        started = time.perf_counter()
        report = self._report = SyncReport()
        try:
            with brisk_switching():  # the request in flight is on a helper thread
                self._push(report, progress)
                report.push_s = time.perf_counter() - started
                self._pull(report, progress)
                report.calendar_changed = self._refresh_calendar()
        finally:
            report.duration_s = time.perf_counter() - started
            self._report = None
        report.attention = self.attention()
        # The last pulled page recorded the finish in its own transaction (``_pull``).
        if progress:
            progress(Progress(Stage.DONE, report.pushed + report.pulled,
                              report.pushed + report.pulled))
        return report

    def _pull(self, report: SyncReport, progress: ProgressCallback | None) -> None:
        cursors = self.store.cursors()
        served = self._served_role(cursors)
        # One page ahead: while this device decrypts and writes page n, the server builds page
        # n + 1 (asked for with page n's cursors). Pages are still stored one at a time, in
        # order, each with its cursors in one transaction, so a cut-off sync resumes as before;
        # a failed look-ahead is just the first try of that page's request.
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="poruch-pull") as pool:
            ahead: Future[_Answer] | None = None
            while True:
                page: PulledPage = self._call("GET", PULL_PATH, params=self._since(
                    cursors, served), parse=decode_pull_page, first=ahead)
                ahead = None
                if page.purge:
                    report.purged += self._purge(page.purge)
                    cursors = {c: p for c, p in cursors.items() if c not in page.purge}
                cursors = {c: p for c, p in {**cursors, **page.cursors}.items()
                           if c not in page.rescan}
                served = page.role or served
                # No look-ahead after a rescan notice: the server takes a request from 0 as
                # done with it, so the device must have forgotten first (and committed).
                if page.more and not page.rescan:
                    ahead = pool.submit(self._fetch, "GET", PULL_PATH, parse=decode_pull_page,
                                        params=self._since(cursors, served),
                                        headers=self._headers())
                report.received += self.store.apply_pull(
                    page.changes, page.cursors, server_clock=page.server_clock,
                    rescan=page.rescan, served_role=page.role,
                    secrets=None if page.more else success_entry())
                report.rescanned += len(page.rescan)
                report.pulled += len(page.changes)
                report.conflicts += sum(1 for c in page.changes if c.kind == "conflict")
                if progress:
                    progress(Progress(Stage.PULL, report.pulled, 0))
                if not page.more:
                    self._follow_role(served)
                    return

    def _refresh_calendar(self) -> bool:
        """Fetch the operator's work calendar if it changed since the one held; True when a
        new one was kept. Never fails the sync: an older server without the route, a bad
        link or a garbled answer leave the held calendar (or the built-in one) in force."""
        held = stored_answer(self.store)
        headers = {"If-None-Match": f'"{held.version}"'} if held is not None else None
        try:
            answer = self._call("GET", CALENDAR_PATH, retry=False, headers=headers,
                                parse=CalendarAnswer.model_validate_json)
            answer.calendar()  # refuse periods that make no calendar before keeping them
        except _Refused as exc:  # 304: unchanged; 404: a server from before the calendar
            if exc.status != 304:
                log.info("no work calendar from the server: %s", exc.status)
            return False
        except DeviceRevoked:
            raise
        except (SyncError, ValueError) as exc:
            log.info("the work calendar was not refreshed: %s", type(exc).__name__)
            return False
        return keep_calendar(self.store, answer)

    def _since(self, cursors: dict[str, int], served: str | None = None) -> dict[str, Any]:
        params: dict[str, Any] = {"since": encode_cursors(cursors), "limit": self.page_limit}
        if served:
            params["role"] = served
        return params

    def _served_role(self, cursors: dict[str, int]) -> str | None:
        """The role the held feed was served as: as the server said, or — for a store from
        before the server said it — the role this device signed in as (nothing held: none)."""
        served = self.store.served_role()
        if served is None and any(cursors.values()):
            account = self.account()
            served = account.role if account is not None else None
        return served

    def _follow_role(self, role: str | None) -> None:
        """Keep the stored account's role as the server now serves it (a promotion or a
        demotion reaches the app without signing in again)."""
        account = self.account()
        if role and account is not None and account.role != role:
            changed = Account(**{**asdict(account), "role": role})
            self.store.set_secret(ACCOUNT_SECRET, json.dumps(asdict(changed)).encode())
            log.info("the account's role changed on the server")

    def _purge(self, codes: Sequence[str]) -> int:
        result = self.store.purge_communities(list(codes))
        return int(getattr(result, "records", 0))

    def _observe_time(self, response: httpx.Response, body: bytes) -> None:
        """Learn how far this phone's wall clock is from the server's (see ``clockfix``)."""
        server_ms: int | None = None
        match = (_SERVER_CLOCK.search(body[:4096]) or _SERVER_CLOCK.search(body[-4096:])
                 if body else None)
        if match:
            server_ms = int(match.group(1))
        elif "date" in response.headers:
            with suppress(TypeError, ValueError):
                server_ms = int(parsedate_to_datetime(response.headers["date"]).timestamp()
                                * 1000)
        if server_ms is not None and not self.store.locked:
            self.store.observe_server_time(server_ms)

    def _receive_clock(self, clock: str | None) -> None:
        if clock:
            self.store.receive_clock(clock)

    # -- HTTP --------------------------------------------------------------------------------

    def _count_bytes(self, response: httpx.Response) -> None:
        if self._report is not None:
            request = response.request
            self._report.bytes_sent += len(request.content) if request.content else 0

    def _headers(self, extra: dict[str, str] | None = None, *, auth: bool = True
                 ) -> dict[str, str]:
        headers = dict(extra or {})
        if auth:
            token = self.store.get_secret(TOKEN_SECRET)
            if not token:
                raise NeedsLogin("no token")
            headers["Authorization"] = f"Bearer {token.decode()}"
        return headers

    def _call(self, method: str, path: str, *, auth: bool = True, retry: bool = True,
              parse: Callable[[bytes], Any] | None = None,
              first: Future[_Answer] | None = None, **kwargs: Any) -> Any:
        """One request with retries; ``first``, if given, is its first try already under way."""
        headers = self._headers(kwargs.pop("headers", None), auth=auth)
        attempts = self.backoff.attempts if retry else 1
        last = _Transient("not tried")
        for attempt in range(attempts):
            if attempt:
                self._sleep(self.backoff.delay(attempt - 1, last.retry_after))
            try:
                if attempt == 0 and first is not None:
                    answer = first.result()
                else:
                    answer = self._fetch(method, path, headers=headers, **kwargs)
                return self._finish(answer, parse)
            except _Transient as exc:
                last = exc
                log.info("sync %s %s failed (try %d): %s", method, path, attempt + 1, exc)
        if last.status:
            raise ServerTrouble(str(last), status=last.status, retry_after=last.retry_after)
        raise Offline(str(last))

    def _fetch(self, method: str, path: str, *, parse: Callable[[bytes], Any] | None = None,
               **kwargs: Any) -> _Answer:
        """The network half of a request, and ``parse`` of a successful body.

        No store access, so it may run on another thread (the pull's look-ahead, which then
        also decodes the page while the syncing thread waits for its disk).
        """
        try:
            response = self._http.request(method, path, **kwargs)
            body = response.read()
        except (httpx.TransportError, httpx.DecodingError) as exc:  # links and bodies cut short
            if _certificate_refused(exc):
                raise UntrustedServer(str(exc)) from exc  # retrying cannot help
            raise _Transient(type(exc).__name__) from exc
        answer = _Answer(response, body)
        if parse is not None and response.is_success:
            try:
                answer.parsed = parse(body)
            except ValueError as exc:
                answer.unreadable = exc
        return answer

    def _finish(self, answer: _Answer, parse: Callable[[bytes], Any] | None) -> Any:
        """What an answer means: retry, a result, or an error (on the syncing thread)."""
        response, body = answer.response, answer.body
        if self._report is not None:
            self._report.bytes_received += response.num_bytes_downloaded
        self._observe_time(response, body)
        if response.status_code in _RETRY_STATUS or (
                response.status_code == 409 and _code_of(body) == ErrorCode.CONFLICT):
            # 409 `conflict`: two writers collided in the database and nothing was written.
            raise _Transient(f"HTTP {response.status_code}", _retry_after(response),
                             response.status_code)
        if parse is not None and response.is_success:
            if answer.parsed is _NOT_PARSED and answer.unreadable is None:
                try:
                    answer.parsed = parse(body)
                except ValueError as exc:
                    answer.unreadable = exc
            if answer.unreadable is not None:  # cut short or garbled on the way: ask again
                raise _Transient("unreadable body", status=response.status_code
                                 ) from answer.unreadable
            return answer.parsed
        try:
            data = json.loads(body) if body else {}
        except ValueError as exc:
            raise _Transient("unreadable body", status=response.status_code) from exc
        if response.is_success:
            return data
        code = str(data.get("code", "")) if isinstance(data, dict) else ""
        message = str(data.get("message", "")) if isinstance(data, dict) else ""
        if code == ErrorCode.DEVICE_REVOKED:
            notice = self._report_lost_work()
            self.store.wipe()
            raise DeviceRevoked(message, lost=notice.lost, reported=notice.reported,
                                on=notice.on)
        if code == ErrorCode.UNSUPPORTED_PROTOCOL or response.status_code == 426:
            raise UpdateRequired(message)
        if code == ErrorCode.BAD_CREDENTIALS:
            raise BadCredentials(message)
        if response.status_code == 401:
            raise NeedsLogin(message)
        raise _Refused(response.status_code, code or f"http_{response.status_code}", message)

    def _report_lost_work(self) -> LostNotice:
        """Count what the wipe will erase unsent, note it on the phone, tell the server.

        Counts per record kind and of drafts only. The notice (``lost_notice``) is written
        before the report and again, as told, after the server took it — both before the
        caller wipes — so a restart anywhere in between still shows the worker what was
        lost and whether the administrator knows. One try with the refused token (the one
        call the server still takes from it, once); an answer that the report was already
        made (a crash came between an earlier report and its wipe) counts as told.
        Whatever fails here, the caller wipes.
        """
        try:
            kinds, drafts = self.store.unsent_work()
            known = {k: n for k, n in kinds.items() if k in set(RecordKind)}
            lost: LostWorkReport | None = LostWorkReport.model_validate(
                {"outbox": known, "drafts": drafts})
        except Exception as exc:  # nothing may stop the wipe that follows
            log.warning("could not count the unsent work before the wipe: %s",
                        type(exc).__name__)
            lost = None
        notice = self._note(LostNotice.today(lost, reported=False))
        if lost is None:
            return notice
        try:
            token = self.store.get_secret(TOKEN_SECRET)
        except Exception:  # e.g. locked: the counts still show on the phone
            token = None
        if not token:
            return notice
        try:
            response = self._http.post(
                LOST_WORK_PATH, json=lost.model_dump(mode="json"),
                headers={"Authorization": f"Bearer {token.decode()}"},
                timeout=min(LOST_WORK_TIMEOUT_S, self._http.timeout.read or LOST_WORK_TIMEOUT_S))
        except httpx.HTTPError as exc:
            log.info("the lost-work report did not reach the server: %s", type(exc).__name__)
            return notice
        code = _code_of(response.content) if response.status_code == 403 else ""
        log.info("lost-work report answered %d %s", response.status_code, code)
        if response.status_code == 204 or code == ErrorCode.LOST_WORK_ALREADY_REPORTED:
            notice = self._note(replace(notice, reported=True))
        return notice

    def _note(self, notice: LostNotice) -> LostNotice:
        """Keep ``notice`` beside the store (a full disk must not stop the wipe)."""
        try:
            lost_notice.write(self.store.path.parent, notice)
        except OSError as exc:
            log.warning("could not keep the revocation notice: %s", type(exc).__name__)
        return notice


def _code_of(body: bytes) -> str:
    try:
        data = json.loads(body)
    except ValueError:
        return ""
    return str(data.get("code", "")) if isinstance(data, dict) else ""


def _certificate_refused(exc: BaseException) -> bool:
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ssl.SSLCertVerificationError):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After")
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None

"""The push half of ``SyncClient``: the outbox to the server, fast and in order.

Entries are decrypted straight into the wire JSON, batch by batch (no model object per field
write), and bodies from ``COMPRESS_MIN_BYTES`` on go compressed: zstd (a tenth of gzip's CPU
for the same size), gzip for a server from before zstd bodies, plain for one from before
compressed bodies — each refusal moves this client down the list for good. Records that
found a threat to a child's life or health (and the unsent records they name) go first, in
a pass of their own (``LocalStore.urgent_records``). One request is in
flight at a time and batches go in outbox order — a batch may edit what the one before
created — but while the server merges batch N+1, the calling thread acknowledges batch N (one
local transaction) and prepares batch N+2, so the phone and the server work at once. A whole
batch refused is split in halves until the refused entry is isolated; refused entries are
held for attention.
"""

from __future__ import annotations

import gc
import gzip
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import pydantic_core
import zstandard

from field_app.sync.errors import SyncError, WrongClock
from field_app.sync.outcome import hold
from field_app.sync.report import Attention, Progress, ProgressCallback, Stage, SyncReport
from shared_models.protocol import ErrorCode, MutationStatus, PushResponse

if TYPE_CHECKING:
    from field_app.store.interface import SyncStore

PUSH_PATH = "/api/v1/sync/push"
#: Push bodies from this size on are sent compressed (smaller ones gain nothing).
COMPRESS_MIN_BYTES = 1024
#: Body encodings this client sends, best first.
BODY_CODINGS = ("zstd", "gzip")


class _ClockAhead(Exception):
    """The server refused our clocks as too far ahead: correct, re-stamp, push again."""


class _Refused(Exception):
    """The server refused a request as a whole (4xx) with an error body."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status, self.code, self.message = status, code, message


class Pusher:
    """Mixed into ``SyncClient``, which provides the attributes and methods declared here."""

    store: SyncStore
    batch_size: int
    gzip_level: int
    zstd_level: int
    _body_codings: list[str]   # what the server may still read, best first (see ``_post_push``)

    def _call(self, method: str, path: str, *, auth: bool = True, retry: bool = True,
              parse: Callable[[bytes], Any] | None = None, **kwargs: Any) -> Any:
        raise NotImplementedError  # SyncClient's

    def attention(self) -> list[Attention]:
        raise NotImplementedError  # SyncClient's

    def _receive_clock(self, clock: str | None) -> None:
        raise NotImplementedError  # SyncClient's

    def _push(self, report: SyncReport, progress: ProgressCallback | None) -> None:
        with quiet_gc():
            self._push_clock_checked(report, progress)

    def _push_clock_checked(self, report: SyncReport, progress: ProgressCallback | None) -> None:
        try:
            self._push_pending(report, progress)
        except _ClockAhead:
            # This phone's date is wrong. The offset to the server's time was learned from the
            # answer; re-stamp what is unsynced from the corrected clock and push once more.
            self.store.restamp_pending()
            try:
                self._push_pending(report, progress)
            except _ClockAhead as again:
                raise WrongClock("the server still refuses this phone's clock") from again

    def _push_pending(self, report: SyncReport, progress: ProgressCallback | None) -> None:
        # A threat to a child's life or health leaves first: those records (with the unsent
        # records they name, so the server can take them alone) go in a pass of their own,
        # then the rest of the outbox in order.
        urgent = self.store.urgent_records()
        total = self.store.pending_count()  # for the progress bar (the waiting ones included)
        sent = self._push_pass(report, progress, only=urgent, total=total) if urgent else 0
        self._push_pass(report, progress, only=None, total=total, sent=sent)

    def _push_pass(self, report: SyncReport, progress: ProgressCallback | None, *,
                   only: list[str] | None, total: int, sent: int = 0) -> int:
        """Push the outbox (``only`` those records' entries) in order; entries sent so far."""
        # A record with a refused change keeps its later changes back too: pushed alone, a
        # correction would lack the rest of the record (see ``outcome``).
        waiting = {a.record_id for a in self.attention()}

        def after(batch: Sequence[Any]) -> list[Any]:  # decrypted straight to the wire form
            return self.store.pending_wire(after=batch[-1].seq if batch else 0,
                                           limit=self.batch_size, skip_records=waiting,
                                           only_records=only)

        batch = after([])
        if not batch:
            return sent
        # One request at a time, in outbox order (a batch may edit what the one before
        # created). While the server merges batch N+1, this thread acknowledges batch N and
        # reads, encodes and compresses batch N+2: phone and server work at once.
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="poruch-push") as pool:
            ahead = pool.submit(self._post_push, batch, self._push_body(batch))
            upcoming = after(batch)
            body = self._push_body(upcoming) if upcoming else None
            while True:
                try:
                    response: PushResponse | None = ahead.result()
                except _Refused as refused:
                    self._refused(batch, refused, report)
                    response = None
                if response is not None and _clock_ahead(response):
                    self._settle(batch, response, report)  # raises _ClockAhead: re-stamp
                if upcoming:
                    ahead = pool.submit(self._post_push, upcoming, body)
                try:
                    if response is not None:
                        self._settle(batch, response, report)
                except BaseException as exc:
                    _raise_from_ahead(ahead if upcoming else None, exc)
                    raise
                sent += len(batch)
                if progress:
                    progress(Progress(Stage.PUSH, sent, max(sent, total)))
                if not upcoming:
                    return sent
                batch, upcoming = upcoming, after(upcoming)
                body = self._push_body(upcoming) if upcoming else None

    def _push_body(self, batch: Sequence[Any]) -> tuple[bytes, dict[str, str]]:
        """The push request's body (``PushRequest`` as JSON, compressed when worth it) and
        its headers."""
        body = pydantic_core.to_json({"device_clock": self.store.clock.last.encode(),
                                      "mutations": [p.wire() for p in batch]})
        headers = {"Content-Type": "application/json"}
        if self._body_codings and len(body) >= COMPRESS_MIN_BYTES:
            coding = self._body_codings[0]
            if coding == "zstd":
                body = zstandard.ZstdCompressor(level=self.zstd_level).compress(body)
            else:
                body = gzip.compress(body, compresslevel=self.gzip_level, mtime=0)
            headers["Content-Encoding"] = coding
        return body, headers

    def _post_push(self, batch: Sequence[Any],
                   prepared: tuple[bytes, dict[str, str]] | None = None) -> PushResponse:
        content, headers = prepared or self._push_body(batch)
        parse = PushResponse.model_validate_json
        while True:
            coding = headers.get("Content-Encoding")
            if coding is not None and coding not in self._body_codings:
                content, headers = self._push_body(batch)  # prepared before the server said no
                continue
            try:
                answer: PushResponse = self._call("POST", PUSH_PATH, content=content,
                                                  headers=headers, parse=parse)
                return answer
            except _Refused as refused:
                if coding is None or refused.status not in (400, 415, 422):
                    raise
                # A server from before this encoding cannot read the body: the next one down
                # the list (in the end plain), for this and every later push to this server.
                self._body_codings.remove(coding)

    def _push_batch(self, batch: Sequence[Any], report: SyncReport) -> None:
        """Push one batch and settle its answer (no request ahead: refused halves use it)."""
        try:
            response = self._post_push(batch)
        except _Refused as refused:
            self._refused(batch, refused, report)
            return
        self._settle(batch, response, report)

    def _refused(self, batch: Sequence[Any], refused: _Refused, report: SyncReport) -> None:
        """A whole batch refused (too large, malformed): split it to find the bad entry."""
        if refused.code == ErrorCode.CLOCK_AHEAD:
            raise _ClockAhead(refused.message) from refused
        if len(batch) > 1:
            half = len(batch) // 2
            self._push_batch(batch[:half], report)
            self._push_batch(batch[half:], report)
            return
        self._hold(batch[0], refused.code, refused.message)
        report.rejected += 1

    def _settle(self, batch: Sequence[Any], response: PushResponse, report: SyncReport) -> None:
        """Acknowledge what the server accepted, hold what it refused, take its clock."""
        by_id = {str(p.mutation_id): p for p in batch}
        done: list[str] = []
        clock_ahead = False
        for result in response.results:
            mid = str(result.mutation_id)
            if mid not in by_id:
                continue
            if result.status is MutationStatus.REJECTED and result.code == ErrorCode.CLOCK_AHEAD:
                clock_ahead = True  # not the worker's fault: re-stamped and sent again
                continue
            if result.status is MutationStatus.REJECTED:
                report.rejected += 1
                self._hold(by_id[mid], result.code or ErrorCode.BAD_REQUEST,
                           result.reason or "")
                continue
            if result.status is MutationStatus.CONFLICT:
                report.conflicts += 1
            done.append(mid)
        # One local transaction for the whole batch.
        report.pushed += self.store.acknowledge(done, entries=batch)
        self._receive_clock(response.server_clock)
        if clock_ahead:
            raise _ClockAhead("some changes carry clocks ahead of the server")

    def _hold(self, change: Any, code: str, reason: str) -> None:
        hold(self.store, Attention(str(change.mutation_id), change.record_id, change.kind,
                                   str(code), reason))


@contextmanager
def quiet_gc() -> Iterator[None]:
    """Keep the objects that exist now out of the garbage collector's sight for a while.

    A push decodes and encodes tens of thousands of small containers; every collection they
    trigger would walk the app's whole heap again (the UI, the store's caches). Frozen
    objects are only exempt, not lost: they are handed back afterwards. Left alone when
    something else froze objects already (``gc.unfreeze`` would undo that too).
    """
    if gc.get_freeze_count():
        yield
        return
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def _clock_ahead(response: PushResponse) -> bool:
    return any(r.status is MutationStatus.REJECTED and r.code == ErrorCode.CLOCK_AHEAD
               for r in response.results)


def _raise_from_ahead(ahead: Future[Any] | None, exc: BaseException) -> None:
    """Wait for the request sent ahead; if it failed with what the app must see, raise that."""
    if ahead is None:
        return
    failure = ahead.exception()
    if isinstance(failure, SyncError):  # e.g. the device was revoked (and wiped) meanwhile
        raise failure from exc

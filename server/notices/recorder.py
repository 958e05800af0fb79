"""Writing a batch's answers while its messages are still being sent: one thread records
whatever answers have arrived, many in one transaction (a group commit), and holds on to
them while the database is out of reach.

- A sending thread hands its answer over and waits until it is written before it sends
  another (`depth` answers of its own may wait unwritten; 1 by default). So a process that
  dies leaves at most `depth` accepted-but-unrecorded messages per sending thread.
- When writing fails because the database is out of reach (restarted, a failover), `stop`
  is set — no further message of the batch starts — and the answers already in hand are
  kept in memory and written once the database answers again: nothing WeChat accepted is
  sent a second time. The recorder keeps trying until `deadline` (before the batch's lease
  runs out: after it another worker may claim the rows); past it, it gives up and the rows
  are sent again when their lease runs out.
"""

from __future__ import annotations

import functools
import logging
import threading
import time
from collections.abc import Callable

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from server.notices.answers import Answer, Policy, fast_commits, record_answers

log = logging.getLogger(__name__)

OUT_OF_REACH = (sa.exc.OperationalError, sa.exc.InterfaceError)


def out_of_reach(error: BaseException) -> bool:
    return isinstance(error, OUT_OF_REACH) or (
        isinstance(error, sa.exc.DBAPIError) and error.connection_invalidated)


class Recorder:
    def __init__(self, engine: Engine, worker: str, policy: Policy, deadline: float,
                 depth: int = 1):
        self.engine = engine
        self.worker = worker
        self.policy = policy
        self.deadline = deadline  # time.monotonic()
        self.depth = max(1, depth)
        self.stop = threading.Event()
        self.recorded = 0
        self.outages = 0  # writes that failed because the database was out of reach
        self.held_seconds = 0.0  # how long answers waited for the database to return
        self.writing_seconds = 0.0  # spent writing answers (the outbox's database work)
        self.waited_seconds = 0.0  # sending threads' time waiting for their answer's write
        self._cond = threading.Condition()
        self._queue: list[tuple[int, Answer]] = []
        self._waiting: dict[int, int] = {}  # thread → its answers not yet written
        self._closing = False
        self._error: BaseException | None = None
        self._conn: Connection | None = None
        self._thread = threading.Thread(target=self._run, name="outbox-record", daemon=True)
        self._thread.start()

    # -- the sending threads ------------------------------------------------------------

    def add(self, answer: Answer) -> None:
        """Hand an answer over; return once this thread may send again."""
        me = threading.get_ident()
        with self._cond:
            self._queue.append((me, answer))
            self._waiting[me] = self._waiting.get(me, 0) + 1
            self._cond.notify_all()
            started = time.perf_counter()
            while self._waiting.get(me, 0) >= self.depth and not self.stop.is_set():
                self._cond.wait()
            self.waited_seconds += time.perf_counter() - started

    # -- the recording thread -----------------------------------------------------------

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._queue and not self._closing:
                    self._cond.wait()
                if not self._queue:
                    return
                items = list(self._queue)
            answers = [answer for _, answer in items]
            started = time.perf_counter()
            try:
                self._with_connection(functools.partial(
                    self._record, answers=answers))
            except BaseException as error:  # noqa: BLE001 - handed to close()
                with self._cond:
                    self._error = error
                    self.stop.set()
                    self._cond.notify_all()
                return
            with self._cond:
                self.writing_seconds += time.perf_counter() - started
                del self._queue[:len(items)]
                for me, _ in items:
                    self._waiting[me] -= 1
                self.recorded += len(items)
                self._cond.notify_all()

    def _record(self, conn: Connection, answers: list[Answer]) -> None:
        record_answers(conn, self.worker, answers, self.policy)

    def _with_connection(self, write: Callable[[Connection], None]) -> None:
        """`write(conn)` on the recorder's connection; while the database is out of reach,
        stop the batch and try again (a fresh connection each time) until the deadline."""
        pause, since = 0.2, None
        while True:
            try:
                if self._conn is None:
                    self._conn = self.engine.connect()
                    fast_commits(self._conn, True)
                write(self._conn)
                if since is not None:
                    self.held_seconds += time.monotonic() - since
                    log.warning("database back: answers written after %.1f s",
                                time.monotonic() - since)
                return
            except Exception as error:
                self._drop_connection()
                if not out_of_reach(error):
                    raise
                self.outages += 1
                if since is None:
                    since = time.monotonic()
                    self.stop.set()  # nothing more starts; what is in flight comes back
                    with self._cond:
                        self._cond.notify_all()
                    log.warning("database out of reach while recording answers; the batch "
                                "stops and its answers wait for it: %s", error)
                if time.monotonic() + pause > self.deadline:
                    raise
                time.sleep(pause)
                pause = min(pause * 2, 5.0)

    def _drop_connection(self) -> None:
        if self._conn is not None:
            try:
                self._conn.invalidate()
                self._conn.close()
            except Exception:  # noqa: BLE001 - already broken
                pass
            self._conn = None

    # -- the batch's own thread ---------------------------------------------------------

    def close(self) -> None:
        """Wait until every answer handed over is written (or the recorder gave up: then
        raise its error)."""
        with self._cond:
            self._closing = True
            self._cond.notify_all()
        self._thread.join()
        if self._error is not None:
            self._conn = None
            raise self._error

    def write(self, write: Callable[[Connection], None]) -> None:
        """After close(): one more write with the same patience (releasing rows)."""
        self._with_connection(write)

    def finish(self) -> None:
        """Give the connection back to the pool as it was (or drop it)."""
        if self._conn is not None:
            try:
                fast_commits(self._conn, False)
                self._conn.close()
            except Exception:  # noqa: BLE001 - not returned to the pool then
                self._drop_connection()
            self._conn = None

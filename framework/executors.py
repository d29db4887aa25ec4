"""Executors: run many independent, seeded jobs in this process or on local worker processes.

A job is a picklable top-level function applied to a picklable item. Results come back as they
finish, each with the index of its item, so callers keep their own order and may store results as
they arrive (a sweep writes its database row per result). A job that raises becomes a `Failure`
in its place: one bad run is not the end of many. Workers split the machine's cores between
them (numba's threads), so the same job gives the same bits whichever worker runs it.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import multiprocessing
import os
import re
import signal
import sys
import time
import traceback
import warnings
from collections.abc import Callable, Iterable, Iterator
from typing import Any, Protocol

import attrs

from eosdnn.framework.errors import EosdnnError, EosdnnWarning


@attrs.frozen
class Failure:
    """What a job raised, as text: exceptions need not pickle, and a report only prints them."""

    kind: str
    message: str
    detail: str = ""

    def __str__(self) -> str:
        return f"{self.kind}: {self.message}" if self.message else self.kind


@attrs.frozen
class Outcome:
    """One finished job: its item's index, its return value or `Failure`, and its wall seconds."""

    index: int
    value: Any
    seconds: float

    @property
    def failed(self) -> bool:
        return isinstance(self.value, Failure)


class Executor(Protocol):
    """Runs `function(item)` for every item; yields Outcomes in the order they finish."""

    workers: int

    def run(self, function: Callable[[Any], Any], items: Iterable[Any]) -> Iterator[Outcome]: ...


def cpu_count() -> int:
    """Cores this process may use (the affinity mask where the platform has one)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - macOS, Windows
        return max(1, os.cpu_count() or 1)


def _timed(job: tuple[Callable[[Any], Any], int, Any]) -> Outcome:
    """Run one job, catching what it raises (a worker must survive a bad run)."""
    function, index, item = job
    started = time.perf_counter()
    try:
        value = function(item)
    except Exception as error:  # noqa: BLE001 - reported as the run's failure, not swallowed
        value = Failure(type(error).__name__, str(error), traceback.format_exc(limit=8))
    return Outcome(index, value, time.perf_counter() - started)


@attrs.define
class SerialExecutor:
    """Every job in this process, one after another (`--workers 1`)."""

    workers: int = 1

    def run(self, function: Callable[[Any], Any], items: Iterable[Any]) -> Iterator[Outcome]:
        for index, item in enumerate(items):
            yield _timed((function, index, item))


def _limit_threads(threads: int) -> None:
    """numba gets this process's share of the cores (set before numba starts, where it has not, so
    that it starts no idle threads)."""
    if "numba" not in sys.modules:
        os.environ["NUMBA_NUM_THREADS"] = str(max(1, threads))
    import eosdnn.framework.kernel_cache  # noqa: F401  (numba's cache folder, before numba starts)
    import numba

    numba.set_num_threads(max(1, min(threads, numba.config.NUMBA_NUM_THREADS)))


def _die_with_parent() -> None:
    """On Linux, ask the kernel to send this worker SIGTERM when its coordinator dies, however it
    dies (even by SIGKILL), so that no worker outlives the command."""
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # pragma: no cover - no libc prctl
        pass
    if os.getppid() == 1:  # the coordinator died before the request took effect
        os._exit(1)


_JOBS_OF_THIS_WORKER: list[tuple[Callable[[Any], Any], int, Any]] = []  # a worker's jobs, set by `_start_worker`


def _timed_job(index: int) -> Outcome:
    """In a worker: job `index` of the jobs it was started with."""
    return _timed(_JOBS_OF_THIS_WORKER[index])


def _start_worker(threads: int, jobs: list[tuple[Callable[[Any], Any], int, Any]]) -> None:
    """Worker set-up: the jobs (each worker gets them once, at its start; the pool's task pipe then
    carries only their indices); Ctrl-C is the coordinator's to handle (it stops the workers);
    SIGTERM ends a worker at once; numba gets the worker's share of cores; eosdnn's warnings (a
    renamed solver) are the coordinator's to show, once, not each worker's."""
    _JOBS_OF_THIS_WORKER[:] = jobs
    warnings.filterwarnings("ignore", category=EosdnnWarning)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _die_with_parent()
    _limit_threads(threads)


@attrs.define
class ProcessExecutor:
    """`workers` local processes (spawned: numba's threads do not survive a fork), each with an equal
    share of the cores. Jobs are handed out one at a time, so long runs first keep every worker busy.

    The jobs reach each worker once, when it starts, and the pool's task pipe carries only indices:
    a job larger than the pipe (a scenario is about 63 kB, the pipe 64 kB) blocks the pool's task
    thread, and `Pool.terminate` then waits on that thread forever (CPython gh-78178 and its kin).
    Seen as a Ctrl-C or SIGTERM during `compare --workers 2` that never ended, in 2 of 14 attempts with the
    other core busy."""

    workers: int
    threads_per_worker: int = attrs.field(default=0)

    def __attrs_post_init__(self) -> None:
        if self.threads_per_worker < 1:
            self.threads_per_worker = max(1, cpu_count() // self.workers)

    def run(self, function: Callable[[Any], Any], items: Iterable[Any]) -> Iterator[Outcome]:
        jobs = [(function, index, item) for index, item in enumerate(items)]
        if not jobs:
            return
        context = multiprocessing.get_context("spawn")
        pool = context.Pool(min(self.workers, len(jobs)), initializer=_start_worker,
                            initargs=(self.threads_per_worker, jobs))
        try:
            yield from pool.imap_unordered(_timed_job, range(len(jobs)), chunksize=1)
            pool.close()
        finally:
            pool.terminate()  # on Ctrl-C or an error in the caller: stop the workers now
            pool.join()


def make_executor(workers: int | None, dask: str | None = None) -> Executor:
    """`workers` local processes (None: one per core; one runs in this process), or a Dask cluster."""
    if dask is not None:
        return DaskExecutor(dask, workers or 0)
    count = cpu_count() if workers is None else workers
    if count < 1:
        raise ValueError(f"workers: must be at least 1, got {count}")
    return SerialExecutor() if count == 1 else ProcessExecutor(count)


def _quietly(step: Callable[[], Any]) -> None:
    """Shut-down steps after an interrupt: their own cancellations and errors are not the user's news."""
    try:
        step()
    except (Exception, asyncio.CancelledError, concurrent.futures.CancelledError):  # noqa: BLE001
        pass


@attrs.define
class DaskExecutor:
    """Jobs on a Dask distributed cluster: `address` is a scheduler (`tcp://HOST:PORT`) or `local`, a
    `LocalCluster` of `workers` processes on this machine (to try it out). Results stream back as
    they finish; only this process sees them. Needs the `distributed` package (`eosdnn[dask]`)."""

    address: str = attrs.field()
    workers: int = 0

    @address.validator
    def _check_address(self, _attribute, value: str) -> None:
        if value != "local" and not re.fullmatch(r"(tcp|tls|ucx|ws|wss)://[^\s/:]+:\d{1,5}", value):
            raise EosdnnError(f"dask: expected a scheduler address tcp://HOST:PORT or `local`, got {value!r}")

    def run(self, function: Callable[[Any], Any], items: Iterable[Any]) -> Iterator[Outcome]:
        try:
            from distributed import Client, LocalCluster, as_completed
        except ImportError:
            raise EosdnnError("dask: needs the distributed package (pip install 'eosdnn[dask]')") from None
        jobs = [(function, index, item) for index, item in enumerate(items)]
        if not jobs:
            return
        cluster = None
        try:
            if self.address == "local":
                count = self.workers or cpu_count()
                cluster = LocalCluster(n_workers=count, threads_per_worker=1, processes=True, dashboard_address=None,
                                       silence_logs=logging.CRITICAL)  # a Ctrl-C's cancellations are not news
                client = Client(cluster)
            else:
                client = Client(self.address, timeout="10s")
        except (OSError, TimeoutError) as error:
            if cluster is not None:
                cluster.close()
            raise EosdnnError(f"dask: cannot reach the scheduler {self.address!r} ({error})") from None
        futures: list = []
        try:
            if self.address == "local":
                client.run(_limit_threads, max(1, cpu_count() // (self.workers or cpu_count())))
            futures = client.map(_timed, jobs, pure=False)
            for future in as_completed(futures):
                yield future.result()
        except (asyncio.CancelledError, concurrent.futures.CancelledError):  # not by us: a Ctrl-C is KeyboardInterrupt
            raise EosdnnError(f"dask: the cluster {self.address!r} cancelled the runs") from None
        finally:
            _quietly(lambda: client.cancel(futures) if futures else None)
            _quietly(client.close)
            if cluster is not None:
                _quietly(cluster.close)

"""Scanning off the event loop: a pool of worker processes, each loading the
spaCy pipeline once. A scan that overruns its time limit or a worker that dies
raises ``ScanFailed``; the pool is rebuilt and the caller answers 451."""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import multiprocessing
import os
from collections.abc import Sequence
from concurrent.futures.process import BrokenProcessPool

from detectors.engine import Analysis, Engine
from detectors.settings import DetectorSettings

log = logging.getLogger("dlp_gateway.workers")

_engine: Engine | None = None


class ScanFailed(Exception):
    """The message was not scanned (timeout, dead worker, detector error)."""


def _init(settings: DetectorSettings) -> None:
    global _engine
    # A spawned worker starts with no logging set up: log as the relay does (stderr, no values).
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")  # one worker per core: Tesseract (OCR) keeps to its own
    _engine = Engine(settings)


def _analyze(raw: bytes, envelope: Sequence[str]) -> Analysis | Exception:
    assert _engine is not None, "worker not initialised"
    try:
        result = _engine.analyze_batch([raw], envelope)[0]
    except Exception as exc:
        # Never raise out of the worker: a TimeoutError from a regex would read, in the relay,
        # as the scan's own time-out and rebuild the pool. The message is held instead.
        log.warning("scan raised %s: the message is held as CANNOT_INSPECT", type(exc).__name__)
        return RuntimeError(f"the scan failed ({type(exc).__name__})")
    if isinstance(result, Analysis):
        # The relay needs findings, risk and facts, not the extracted texts: don't ship them back.
        result.pieces = {}
    return result


def _ping() -> int:
    return os.getpid()


class ScanPool:
    def __init__(self, settings: DetectorSettings, workers: int, timeout: float) -> None:
        self.settings = settings
        self.workers = workers or os.cpu_count() or 1
        self.timeout = timeout
        self._executor: concurrent.futures.ProcessPoolExecutor | None = None
        self._lock = asyncio.Lock()

    def start(self) -> None:
        self._executor = self._new_executor()

    def _new_executor(self) -> concurrent.futures.ProcessPoolExecutor:
        executor = concurrent.futures.ProcessPoolExecutor(
            max_workers=self.workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_init,
            initargs=(self.settings,),
        )
        # Load the models now, not on the first message: start-up fails loudly instead.
        for future in [executor.submit(_ping) for _ in range(self.workers)]:
            future.result(timeout=300)
        return executor

    def pids(self) -> list[int]:
        processes = getattr(self._executor, "_processes", None) or {}
        return sorted(processes)

    async def analyze(self, raw: bytes, envelope: Sequence[str]) -> Analysis | Exception:
        if self._executor is None:
            raise ScanFailed("scan pool not started")
        loop = asyncio.get_running_loop()
        executor = self._executor
        try:
            future = loop.run_in_executor(executor, _analyze, raw, list(envelope))
            return await asyncio.wait_for(future, self.timeout)
        except TimeoutError as exc:
            await self._rebuild(executor, "scan timed out")
            raise ScanFailed(f"scan took longer than {self.timeout:g} s") from exc
        except BrokenProcessPool as exc:
            await self._rebuild(executor, "a scan worker died")
            raise ScanFailed("scan worker died") from exc

    async def _rebuild(self, broken: concurrent.futures.ProcessPoolExecutor, why: str) -> None:
        async with self._lock:
            if self._executor is not broken:
                return  # another failed scan rebuilt it already
            log.warning("rebuilding the scan pool: %s", why)
            for process in list((getattr(broken, "_processes", None) or {}).values()):
                process.kill()
            broken.shutdown(wait=False, cancel_futures=True)
            self._executor = await asyncio.to_thread(self._new_executor)

    def shutdown(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None

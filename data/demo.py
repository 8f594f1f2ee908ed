"""Build the demo portfolio database: generate the demo export files, then load every one of
them through the real loaders (the same path a user's upload takes)."""

from __future__ import annotations

import contextlib
import fcntl
import functools
import os
import threading
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path

from loaders.base import Parsed, Refused
from loaders.ingest import IngestReport, parse_in_process, store_parsed
from metrics import evm_points
from store import DEMO_USER, Store

GENERATED = Path(__file__).parent / "generated"
_BUILD_LOCK = threading.Lock()


@dataclass
class DemoSummary:
    stored: int = 0
    duplicates: int = 0
    refused: int = 0
    messages: list[str] = field(default_factory=list)

    def line(self) -> str:
        text = f"demo portfolio: {self.stored} files stored, {self.duplicates} already there, {self.refused} refused"
        return "\n".join([text, *self.messages])


def build_demo(
    store: Store,
    *,
    out_dir: Path = GENERATED,
    progress: Callable[[int, int, str], None] | None = None,
    only_if_missing: bool = False,
) -> DemoSummary:
    """Generate the demo files into ``out_dir`` and ingest them, in order, into a new database
    that replaces ``store.path`` only once it is complete. ``only_if_missing``: do nothing when
    the database appeared while waiting for another session's build (first start)."""
    from data.generate import generate

    target = Path(store.path)
    target.parent.mkdir(parents=True, exist_ok=True)
    with _exclusive(target.with_name(target.name + ".lock")):
        if target.exists() and only_if_missing:
            return DemoSummary(messages=["the database was built meanwhile by another session"])
        building = target.with_name(f"{target.name}.building-{os.getpid()}")
        summary = _build(lambda written: generate(out_dir, written=written), building, progress)
        os.replace(building, target)  # atomic: readers see the old file or the whole new one
    return summary


@contextlib.contextmanager
def _exclusive(lock_path: Path):
    """One demo build at a time, across threads and processes."""
    with _BUILD_LOCK, open(lock_path, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _build(generate_files, building: Path, progress) -> DemoSummary:
    """Generate the files (``generate_files(written)``) and load them into ``building``.

    Parsing is CPU-bound and independent per file: each file goes to a worker process as soon as
    it is written, so parsing runs beside the generation. Storing is in ingest order, in bulk
    (our own files, :meth:`store.Store.bulk`); the plans' EVM points are computed at the end, on
    every core too."""
    for stale in (building, building.with_name(building.name + ".wal")):
        stale.unlink(missing_ok=True)
    summary = DemoSummary()
    with (
        ProcessPoolExecutor(max_workers=os.cpu_count() or 2, mp_context=get_context("spawn")) as pool,
        Store(building).bulk() as scratch,
    ):
        parsing = {}
        files = generate_files(lambda item: parsing.setdefault(item.path, pool.submit(_parse, _job(item))))
        for done, item in enumerate(files, start=1):
            if progress:
                progress(done, len(files), item.path.name)
            result = parsing[item.path].result()
            _count(summary, _store(scratch, item, result))
        evm_points.record_missing(scratch, mapper=functools.partial(pool.map, chunksize=8))
    return summary


def _job(item) -> tuple[str, str]:
    return (str(item.path), item.source)


def _parse(job: tuple[str, str]) -> Parsed | str:
    """Parse one file in a worker process: the parsed file, or the refusal message."""
    path, source = job
    try:
        return parse_in_process(Path(path).read_bytes(), Path(path).name, source)  # our own files: no sandbox
    except Refused as err:
        return str(err)


def _store(store: Store, item, result: Parsed | str) -> IngestReport:
    if isinstance(result, str):
        return IngestReport(item.path.name, "refused", result)
    data = item.path.read_bytes()
    return store_parsed(
        store,
        result,
        data,
        item.path.name,
        project_id=item.project_id,
        as_of=item.as_of,
        uploaded_by=DEMO_USER,
        record_point=False,
    )


def _count(summary: DemoSummary, report: IngestReport) -> None:
    if report.status == "stored":
        summary.stored += 1
    elif report.status == "duplicate":
        summary.duplicates += 1
    else:
        summary.refused += 1
        summary.messages.append(report.message)

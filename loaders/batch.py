"""Ingesting many files at once: parsed in parallel, stored one by one in the order given.

The weekly ingest of a large portfolio is hundreds of files, and parsing is most of its time
(detection, reading, checking each row). Each parse already runs in its own sandboxed child
process (:mod:`loaders.sandbox`), so :func:`ingest_files` starts up to ``jobs`` of them at once
from a few threads; the threads never touch the store. The main thread stores each parsed file
with :func:`loaders.ingest.store_parsed` in the order the files were given, so project and
as-of resolution, duplicate detection and finance supersession see exactly what a one-by-one
ingest would: the reports are the same, in the same order.

A finance file (whose loader takes a column mapping) is parsed ahead too, with no saved mapping,
and its shape is noted; in its turn, when a mapping is saved for that shape (or for the shape its
loader asked about), it is parsed again the one-by-one way. With ``--map`` every finance file goes
the one-by-one way, since each may save a mapping the next one uses. So does a file whose read
fails in an unexpected way, so that its refusal is worded as it always is.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from loaders import finance, precheck, sandbox
from loaders.base import MAX_UPLOAD_BYTES, NeedsMapping, Parsed, Refused
from loaders.finance.ingest import accepts_mapping, ingest_mapped
from loaders.finance.mapping import shape_of
from loaders.ingest import IngestReport, parse_file, store_parsed


@dataclass(frozen=True)
class _Read:
    """What a worker thread found for one file: ``parsed`` (with its bytes) to store, a ``report``
    (refused before anything is stored), or neither: the file goes the one-by-one way. For a finance
    file, ``shape`` is its table's shape and ``needs`` the loader's question when it asked one."""

    parsed: Parsed | None = None
    data: bytes = b""
    report: IngestReport | None = None
    finance: bool = False
    shape: str | None = None
    needs: NeedsMapping | None = None

    def settled(self, store) -> bool:
        """Whether this read stands in its turn: no mapping is saved for the finance file's shape."""
        shapes = (self.shape, self.needs.shape if self.needs else None)
        return not self.finance or not any(s and store.column_mapping(s) for s in shapes)


def default_jobs() -> int:
    """Parses at once: one per core (each runs in its own process)."""
    return os.cpu_count() or 2


def ingest_files(
    store,
    paths: Iterable[str | Path],
    given: dict | None = None,
    *,
    project_id: str | None = None,
    as_of=None,
    source: str | None = None,
    jobs: int | None = None,
) -> Iterator[IngestReport]:
    """One :class:`~loaders.ingest.IngestReport` per file, in the order of ``paths``, each yielded as
    soon as its file is stored. The same reports as :func:`loaders.finance.ingest.ingest_mapped`
    called on each file in turn; ``given`` is the finance column mapping (``--map``). ``jobs`` files
    are parsed at once (default :func:`default_jobs`; 1, or an in-process sandbox, parses one by one);
    at most twice that many parsed files wait in memory for their turn to be stored."""
    paths = [Path(p) for p in paths]
    given = dict(given or {})
    jobs = max(1, jobs or default_jobs()) if sandbox.ISOLATED else 1
    one_by_one = dict(project_id=project_id, as_of=as_of, source=source)
    if jobs == 1 or len(paths) < 2:
        for path in paths:
            yield ingest_mapped(store, path, given, **one_by_one)
        return
    finance_mapping = {"project_id": project_id} if project_id else {}
    with ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="ingest") as pool:
        pending: deque[tuple[Path, Future]] = deque()
        queue = iter(paths)

        def submit(path: Path) -> None:
            pending.append((path, pool.submit(_read, path, given, source, finance_mapping)))

        for path in queue:
            submit(path)
            if len(pending) >= 2 * jobs:
                break
        while pending:
            path, future = pending.popleft()
            read = future.result()
            if (following := next(queue, None)) is not None:
                submit(following)
            if read.report is not None:
                yield read.report
            elif not read.settled(store) or (read.parsed is None and read.needs is None):
                yield ingest_mapped(store, path, given, **one_by_one)
            elif read.needs is not None:
                yield IngestReport(path.name, "refused", str(read.needs))
            else:
                yield store_parsed(store, read.parsed, read.data, path.name, project_id=project_id, as_of=as_of)


def _read(path: Path, given: dict, source: str | None, finance_mapping: dict) -> _Read:
    """In a worker thread: read and parse one file, without the store, as
    :func:`loaders.finance.ingest.ingest_mapped` would. A file that is not readable or too big, a
    finance file when ``--map`` was given, or a read that fails unexpectedly, is left to the
    one-by-one way (``_Read()``), which words its refusal."""
    try:
        if path.stat().st_size > MAX_UPLOAD_BYTES:
            return _Read()
        data = path.read_bytes()
    except OSError:
        return _Read()
    try:
        precheck.check(data, path.name)
        if not sandbox.run(accepts_mapping, data, path.name, source, file_name=path.name):
            if given:
                return _Read()  # --map for a file that is not a finance file: refused in its turn
            return _Read(parsed=parse_file(data, path.name, source), data=data)
        if given:
            return _Read()
    except NeedsMapping:
        return _Read()
    except Refused as err:
        return _Read(report=IngestReport(path.name, "refused", str(err)))
    except Exception:  # worded by the one-by-one way
        return _Read()
    try:
        shape = sandbox.run(shape_of, data, path.name, file_name=path.name)
    except Exception:  # an unreadable file: the parser itself says why
        shape = None
    try:
        parsed = sandbox.run(finance.parse, data, path.name, finance_mapping, file_name=path.name)
    except NeedsMapping as err:
        return _Read(data=data, finance=True, shape=shape, needs=err)
    except Exception:  # a refusal or a reader's error: worded by the one-by-one way
        return _Read()
    return _Read(parsed=parsed, data=data, finance=True, shape=shape)

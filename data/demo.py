"""Build the demo portfolio database: generate the demo export files, then load every one of
them through the real loaders (the same path a user's upload takes)."""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path

from loaders.base import Parsed, Refused
from loaders.ingest import IngestReport, parse_file, store_parsed
from store import Store

GENERATED = Path(__file__).parent / "generated"


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
) -> DemoSummary:
    """Generate the demo files into ``out_dir`` and ingest them, in order, into a new database
    that replaces ``store.path`` only once it is complete."""
    from data.generate import generate

    files = generate(out_dir)
    target = Path(store.path)
    building = target.with_name(target.name + ".building")
    for stale in (building, building.with_name(building.name + ".wal")):
        stale.unlink(missing_ok=True)
    summary = DemoSummary()
    # Parsing is CPU-bound and independent per file: do it on every core; store in order.
    with (
        ProcessPoolExecutor(max_workers=os.cpu_count() or 2, mp_context=get_context("spawn")) as pool,
        Store(building).batch() as scratch,
    ):
        parsed = pool.map(_parse, [(str(item.path), item.source) for item in files], chunksize=4)
        for done, (item, result) in enumerate(zip(files, parsed, strict=True), start=1):
            if progress:
                progress(done, len(files), item.path.name)
            report = _store(scratch, item, result)
            _count(summary, report)
    for old in (target, target.with_name(target.name + ".wal")):
        old.unlink(missing_ok=True)
    os.replace(building, target)
    return summary


def _parse(job: tuple[str, str]) -> Parsed | str:
    """Parse one file in a worker process: the parsed file, or the refusal message."""
    path, source = job
    try:
        return parse_file(Path(path).read_bytes(), Path(path).name, source)
    except Refused as err:
        return str(err)


def _store(store: Store, item, result: Parsed | str) -> IngestReport:
    if isinstance(result, str):
        return IngestReport(item.path.name, "refused", result)
    data = item.path.read_bytes()
    return store_parsed(store, result, data, item.path.name, project_id=item.project_id, as_of=item.as_of)


def _count(summary: DemoSummary, report: IngestReport) -> None:
    if report.status == "stored":
        summary.stored += 1
    elif report.status == "duplicate":
        summary.duplicates += 1
    else:
        summary.refused += 1
        summary.messages.append(report.message)

"""Build the demo portfolio database: generate the demo export files, then load every one of
them through the real loaders (the same path a user's upload takes)."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from loaders.ingest import ingest_path
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
    scratch = Store(building)
    summary = DemoSummary()
    for done, item in enumerate(files, start=1):
        if progress:
            progress(done, len(files), item.path.name)
        report = ingest_path(scratch, item.path, project_id=item.project_id, as_of=item.as_of, source=item.source)
        if report.status == "stored":
            summary.stored += 1
        elif report.status == "duplicate":
            summary.duplicates += 1
        else:
            summary.refused += 1
            summary.messages.append(report.message)
    for old in (target, target.with_name(target.name + ".wal")):
        old.unlink(missing_ok=True)
    os.replace(building, target)
    return summary

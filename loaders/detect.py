"""Format detection from the bytes, never from the file name's extension."""

from __future__ import annotations

import importlib
import re
from types import ModuleType

from loaders.base import Refused, Sample

# Loader modules, asked in order whether a file is theirs. Refusal modules (legacy formats that
# must be refused with guidance) come first so that they win over a lenient sniffer.
LOADER_MODULES = (
    "loaders.refusals",
    "loaders.asana",  # before MS Project: its Name/Start Date/Due Date columns look like a task table
    "loaders.contracts",  # before finance: a PO register with a project and month columns is not a budget
    "loaders.risk",
    "loaders.finance",  # before msproject: a capital register's id/name/start columns look like a task list
    "loaders.msproject",
    "loaders.jira",
    "loaders.resources",
    "loaders.register",
)


def loader_modules() -> list[ModuleType]:
    found = []
    for name in LOADER_MODULES:
        try:
            found.append(importlib.import_module(name))
        except ModuleNotFoundError as err:
            if err.name != name:
                raise
    return found


def detect(data: bytes, file_name: str) -> ModuleType:
    """The loader module for these bytes, or :class:`Refused` naming what was seen."""
    if not data.strip():
        raise Refused(f"{file_name}: the file is empty.")
    sample = Sample(data, file_name)
    for module in loader_modules():
        if module.sniff(sample):
            return module
    hint = (
        " A finance table loads with --source finance --map ROLE=COLUMN." if sample.csv_header or sample.sheets else ""
    )
    raise Refused(
        f"{file_name}: {describe(sample)} Upload an MS Project, Jira, finance or portfolio register export.{hint}"
    )


def describe(sample: Sample) -> str:
    """One sentence on what the bytes look like, for a refusal."""
    if sample.is_zip and sample.sheets:
        sheets = ", ".join(list(sample.sheets)[:5])
        return f"this workbook (sheets: {sheets}) does not match any export format this app reads."
    if sample.is_zip:
        return "this is a zip archive, not a workbook this app reads."
    if sample.is_ole2:
        return "this is an old binary Office file (.xls) that is not an MS Project or Jira export this app reads."
    text = sample.text_head.lstrip()
    if text.startswith("<"):
        root = re.search(
            r"<([A-Za-z_][\w.:-]*)[\s>/]", re.sub(r"<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^>]*>", "", text, flags=re.S)
        )
        name = root.group(1) if root else "?"
        return f"this XML or HTML file (root element <{name}>) is not an MS Project XML plan or a Jira HTML export."
    header = sample.csv_header
    if header and _looks_like_data(header):
        return (
            "the first row holds values, not column names: the file seems to have no header row. Export it again "
            "with column headers included (MS Project: 'Export includes headers' in the Export Wizard)."
        )
    if header:
        shown = ", ".join(h for h in header[:6] if h)
        return f"the columns ({shown}, ...) do not match any export format this app reads."
    return "the file's contents are not a format this app reads."


def _looks_like_data(cells: list[str]) -> bool:
    """True when most non-empty cells of a would-be header are numbers or dates."""
    filled = [c.strip() for c in cells if c.strip()]
    numeric = [c for c in filled if re.fullmatch(r"[\d\s.,:/%$€£-]+", c)]
    return len(filled) >= 2 and len(numeric) >= max(2, len(filled) // 2)

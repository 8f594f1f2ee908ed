"""The CLI's way in for files the finance loader may need a column mapping for.

:func:`ingest_mapped` reads the file; when its format takes a mapping (``ACCEPTS_MAPPING``) it
parses with the saved and given mapping (:func:`loaders.finance.mapping.parse_mapped`, the
upload's ``--project`` filling lines that name none) and stores the result through the shared
:func:`loaders.ingest.store_parsed`; every other file goes the ordinary way (``ingest_path``).
"""

from __future__ import annotations

from pathlib import Path

from loaders import precheck, sandbox
from loaders.base import MAX_UPLOAD_BYTES, LoaderError, Refused
from loaders.detect import detect, loader_modules
from loaders.finance.mapping import parse_mapped
from loaders.ingest import IngestReport, ingest_path, store_parsed


def ingest_mapped(store, path: str | Path, given: dict, *, project_id=None, as_of=None, source=None) -> IngestReport:
    path = Path(path)
    try:
        size = path.stat().st_size
        data = path.read_bytes() if size <= MAX_UPLOAD_BYTES else b""
    except OSError:
        data = b""
    accepts = False
    if data:
        try:
            precheck.check(data, path.name)
            accepts = sandbox.run(accepts_mapping, data, path.name, source, file_name=path.name)
        except Refused as err:
            return IngestReport(path.name, "refused", str(err))
    if not accepts:
        if given:
            return IngestReport(
                path.name, "refused", f"{path.name}: --map applies to finance files only; this file is not one."
            )
        return ingest_path(store, path, project_id=project_id, as_of=as_of, source=source)
    mapping = {**({"project_id": project_id} if project_id else {}), **given}
    try:
        parsed = parse_mapped(store, data, path.name, mapping)
    except LoaderError as err:
        return IngestReport(path.name, "refused", str(err))
    except Exception as err:  # a reader library's own error: one plain sentence, no traceback
        return IngestReport(
            path.name,
            "refused",
            f"{path.name}: the file could not be read as finance data ({type(err).__name__}: {err}).",
        )
    return store_parsed(store, parsed, data, path.name, project_id=project_id, as_of=as_of)


def accepts_mapping(data: bytes, file_name: str, source: str | None) -> bool:
    """Whether the file's loader takes a column mapping (run in the sandbox: detection reads the file)."""
    try:
        if source:
            module = next((m for m in loader_modules() if getattr(m, "SOURCE", None) == source), None)
        else:
            module = detect(data, file_name)
    except Refused:
        return False
    return bool(getattr(module, "ACCEPTS_MAPPING", False))

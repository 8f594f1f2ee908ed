"""A Jira CSV -> the raw table, read by DuckDB: one pass with ``read_csv(all_varchar)`` keeping only
the mapped columns; records whose cell count differs from the header are collected with
``store_rejects`` and reported with their row number (never shifted); a CSV re-saved by Excel in a
``;`` locale is refused with guidance."""

from __future__ import annotations

import bisect
import csv
import dataclasses
import io
import os
import re

import duckdb

from loaders.base import Problem, Refused
from loaders.encoding import decide
from loaders.jira.containers import Raw
from loaders.tabular import decode, sniff_delimiter

EXACT_ROWS_BYTES = 32 << 20  # below this size, empty lines in a CSV are found and counted exactly


@dataclasses.dataclass(frozen=True)
class Limits:
    """The CSV reader's sizes (bytes): one record at most, DuckDB's default buffer, the big buffer."""

    max_line_size: int
    big_csv_bytes: int
    max_csv_buffer: int


def refuse_semicolons(file_name: str) -> Refused:
    return Refused(
        f"{file_name}: this Jira CSV was re-saved by Excel with ';' separators, which broke its rows apart "
        "(the header and the data no longer line up). Export it again from Jira (Export > CSV) and upload "
        "that file without opening it in Excel."
    )


def _check_excel_mangled(text_head: str, header: list[str], delimiter: str, file_name: str) -> None:
    """Refuse the "one cell per row" damage: Excel in a `;` locale wrote a comma CSV back with
    `;` list separators, so the header still has commas but rows are `;`-padded fragments."""
    if delimiter == ";":
        return
    tail = header[-1] if header else ""
    lines = [ln for ln in text_head.splitlines()[1:200] if ln.strip()]
    semi_lines = sum(1 for ln in lines if re.search(r";{2,}\s*$", ln))
    if re.search(r";{2,}\s*$", tail) or (lines and semi_lines >= max(3, len(lines) // 3)):
        raise refuse_semicolons(file_name)


def read_csv(data: bytes, file_name: str, tmpdir: str) -> Raw:
    """The header, encoding and delimiter of a CSV; its bytes (as UTF-8) written to ``tmpdir``."""
    head_text, encoding = decode(data[:65536])
    decided = None
    if encoding not in ("utf-8", "utf-8-sig"):  # cp1252 or UTF-16: the whole file decided and re-encoded
        decided = decide(data)
        text, encoding = decided.text, decided.encoding
        payload = text.encode("utf-8")
    else:
        text = None
        payload = memoryview(data)[3:] if data.startswith(b"\xef\xbb\xbf") else memoryview(data)
        head_text = head_text.lstrip("\ufeff")
    first = next((ln for ln in head_text.splitlines() if ln.strip()), "")
    delimiter = sniff_delimiter(first)
    try:
        header = next(csv.reader(io.StringIO(head_text, newline=""), delimiter=delimiter))
    except (StopIteration, csv.Error):
        raise Refused(f"{file_name}: the file has no header row, so it cannot be read as a Jira CSV export.") from None
    _check_excel_mangled(head_text, header, delimiter, file_name)
    raw = Raw([h.replace("\ufeff", "").strip() for h in header], "csv", encoding, delimiter)
    raw.excel_resave = encoding == "cp1252" or delimiter == ";"
    raw.decoded = decided
    path = os.path.join(tmpdir, "jira.csv")
    with open(path, "wb") as fh:
        fh.write(payload)
    raw.path = path
    raw.payload = payload
    raw.source = (payload, 0) if text is not None else (data, 3 if data.startswith(b"\xef\xbb\xbf") else 0)
    raw.text = text
    return raw


def load_csv(con, raw: Raw, keep: list[int], file_name: str, limits: Limits) -> None:
    """The kept columns of the CSV -> ``raw`` (``rn`` = the record's row number, header = row 1)."""
    attempt = _read_raw0(con, raw, keep, file_name, limits)
    if _repair_stray_quotes(con, raw, attempt):
        attempt = _read_raw0(con, raw, keep, file_name, limits, attempts=(3, 4))
    loaded = con.execute("SELECT count(*) FROM raw0").fetchall()[0][0]
    unique = _rejected_records(con, raw, attempt, file_name)
    source, offset = raw.source
    reject_lines = _reject_all(raw, unique)
    small = len(source) - offset < EXACT_ROWS_BYTES
    blank_lines = small and (source.find(b"\n\n", offset) >= 0 or source.find(b"\n\r\n", offset) >= 0)
    if (unique or blank_lines or raw.warnings) and _number_rows_exactly(con, raw, reject_lines, loaded):
        return
    con.execute("CREATE TEMP VIEW raw AS SELECT (rowid + 2)::INTEGER AS rn, * FROM raw0")
    raw.raw_is_view = True


def _read_raw0(con, raw: Raw, keep: list[int], file_name: str, limits: Limits, attempts=(1, 2)) -> int:
    """``raw0`` from the file, read again as cp1252 when DuckDB finds bytes that are not UTF-8 after
    all (the first 64 KiB were). Returns the attempt whose rejects tables hold the bad records."""
    n = len(raw.header)
    columns = "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(n)) + "}"
    select = ", ".join(f"c{i}" for i in keep) or "NULL AS c_none"
    for attempt in attempts:
        # a file bigger than DuckDB's default buffer (16 x max_line_size) is read as one buffer (up to
        # max_csv_buffer): about 20% less CPU for the parallel, order-preserving read of a 350 MB export
        size = os.path.getsize(raw.path) + 1
        buffer = max(min(size, limits.max_csv_buffer), limits.max_line_size)  # at least one line's room
        buffer = f", buffer_size={buffer}" if size > limits.big_csv_bytes else ""
        sql = (
            f"CREATE OR REPLACE TEMP TABLE raw0 AS SELECT {select} FROM read_csv(?, header=true, auto_detect=false, "
            f"columns={columns}, delim=?, quote='\"', escape='\"', all_varchar=true, store_rejects=true, "
            f"rejects_table='rejects{attempt}', rejects_scan='scans{attempt}', ignore_errors=true, "
            f"max_line_size={limits.max_line_size}{buffer})"
        )
        try:
            con.execute(sql, [raw.path, raw.delimiter])
        except duckdb.Error as err:
            message = str(err).splitlines()[0]
            raise Refused(
                f"{file_name}: the CSV cannot be read ({message}). Export it again from Jira and upload it unchanged."
            ) from None
        bad_bytes = con.execute(
            f"SELECT count(*) FROM rejects{attempt} WHERE error_type = 'INVALID ENCODING'"
        ).fetchall()
        if attempt == attempts[-1] or not bad_bytes[0][0] or raw.decoded is not None:
            return attempt
        # the first 64 KiB were UTF-8 but a later byte is not: decided on the whole file (a few bad bytes
        # in a UTF-8 file are replaced and named; only a file with no UTF-8 characters is cp1252)
        decided = decide(bytes(raw.source[0][raw.source[1] :]))
        text = decided.text
        raw.payload = text.encode("utf-8")
        raw.source, raw.text, raw.encoding, raw.decoded = (raw.payload, 0), text, decided.encoding, decided
        raw.excel_resave = raw.excel_resave or decided.encoding == "cp1252"
        with open(raw.path, "wb") as fh:
            fh.write(raw.payload)
    return attempts[-1]


def _swallows_rows(record: str, n: int, delimiter: str) -> bool:
    """A rejected record whose opening quote never closed swallowed the rows after it: its second
    physical line, read alone, has exactly the header's ``n`` cells."""
    lines = record.lstrip("\r\n").split("\n")
    if len(lines) < 3:
        return False
    try:
        return len(next(csv.reader([lines[1].rstrip("\r")], delimiter=delimiter), [])) == n
    except csv.Error:
        return False


def _repair_stray_quotes(con, raw: Raw, attempt: int) -> bool:
    """Rewrite the lines DuckDB rejected because of a stray quote (``"Story 50 bad`` opens a quoted
    cell that never closes and swallows every later row; ``"Story" x`` closes one too early) when the
    line, read with the quote as a plain character, has exactly the header's cells: the line is written
    back properly quoted and a warning per row says so. Returns True when a line was rewritten (the
    caller reads the file again). Lines that still do not fit stay rejected, row by row."""
    rejects = con.execute(f"SELECT DISTINCT line_byte_position, csv_line FROM rejects{attempt} ORDER BY 1").fetchall()
    if not rejects:
        return False
    source, offset = raw.source
    body = bytes(source[offset:])
    n = len(raw.header)
    pieces, at, line_no, counted = [], 0, 1, 0
    for pos, csv_line in rejects:
        text = csv_line or ""
        lead = len(text) - len(text.lstrip("\r\n"))
        start = body.rfind(b"\n", 0, min(pos + lead, len(body))) + 1  # the physical line holding the record's start
        if start < at:
            continue
        end = body.find(b"\n", start)
        end = len(body) if end < 0 else end
        line = body[start:end].rstrip(b"\r")
        if b'"' not in line:
            continue
        decoded = line.decode("utf-8", errors="replace")
        cells = next(csv.reader([decoded], delimiter=raw.delimiter, quoting=csv.QUOTE_NONE), [])
        if len(cells) != n:
            if _swallows_rows(text, n, raw.delimiter):  # the row stays rejected, alone: its quotes dropped
                pieces += [body[at:start], line.replace(b'"', b"")]
                at = start + len(line)
            continue
        out = io.StringIO()
        csv.writer(out, delimiter=raw.delimiter, lineterminator="").writerow(cells)
        line_no += body.count(b"\n", counted, start)
        counted = start
        pieces += [body[at:start], out.getvalue().encode("utf-8")]
        at = start + len(line)
        columns = [raw.header[i] for i, c in enumerate(cells) if '"' in c]
        raw.warnings.append(
            Problem(
                f'a stray quote (") in {", ".join(columns)} does not follow CSV quoting; it was read as part of the '
                "text and the row was loaded (without this, the rows after it would have been read as one cell). "
                "Check that cell.",
                "warning",
                line_no,
                columns[0] if columns else None,
                decoded[:500],
            )
        )
    if not pieces:
        return False
    pieces.append(body[at:])
    payload = b"".join(pieces)
    raw.payload, raw.source = payload, (payload, 0)
    if raw.text is not None:
        raw.text = payload.decode("utf-8")
    with open(raw.path, "wb") as fh:
        fh.write(payload)
    return True


def _rejected_records(con, raw: Raw, attempt: int, file_name: str) -> list[tuple]:
    """The rejected records, one per record (a record can produce several errors); a file where half
    the records are rejected is refused."""
    loaded = con.execute("SELECT count(*) FROM raw0").fetchall()[0][0]
    rejects = con.execute(
        "SELECT line_byte_position, line, error_type, csv_line, error_message "
        f"FROM rejects{attempt} ORDER BY line_byte_position"
    ).fetchall()
    seen, unique = set(), []
    for rec in rejects:
        if rec[0] not in seen:
            seen.add(rec[0])
            unique.append(rec)
    raw.records = loaded + len(unique)
    if unique and len(unique) * 2 >= raw.records:
        if any(";;" in (r[3] or "") for r in unique[:50]):
            raise refuse_semicolons(file_name)
        raise Refused(
            f"{file_name}: {len(unique)} of {raw.records} rows do not have the {len(raw.header)} cells the header "
            "names, so the columns cannot be trusted. Export the file again from Jira and upload it unchanged."
        )
    return unique


def _reject_all(raw: Raw, records: list[tuple]) -> list[int]:
    """:func:`_reject` for every rejected record, in byte order: the newlines are counted from the
    previous record only, so the cost is one pass over the file however many rows are rejected
    (counting from the start for each record made a file with 45 % bad rows quadratic)."""
    source, offset = raw.source
    lines, at, count = [], offset, 0
    for record in records:  # ordered by byte position
        csv_line = record[3] or ""
        end = max(offset + record[0] + len(csv_line) - len(csv_line.lstrip("\r\n")), at)
        count += source.count(b"\n", at, end)
        at = end
        lines.append(_reject(raw, record, count + 1))
    return lines


def _reject(raw: Raw, record: tuple, line: int) -> int:
    """An error problem for a rejected record at physical ``line`` (added to ``raw.rejected``); returns the line."""
    _pos, _line, _etype, csv_line, _message = record
    try:
        cells = f"{len(next(csv.reader([csv_line or ''], delimiter=raw.delimiter)))} cells"
    except (csv.Error, StopIteration):
        cells = "a different number of cells"
    raw.rejected.append(
        Problem(
            f"row rejected: it has {cells} but the header has {len(raw.header)} columns; nothing from this row "
            "was loaded.",
            "error",
            line,
            None,
            (csv_line or "").strip()[:500],
        )
    )
    return line


def _number_rows_exactly(con, raw: Raw, reject_lines: list[int], loaded: int) -> bool:
    """Exact row numbers (header = row 1) when rows were rejected or empty lines (which the reader
    skips) may shift them: physical lines mapped to records with a second, Python reading. Creates
    ``raw`` and returns True when the records line up with what DuckDB loaded."""
    source, offset = raw.source
    text = raw.text if raw.text is not None else source[offset:].decode("utf-8", errors="replace")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=raw.delimiter)
    starts, prev = [], 0
    for rec in reader:
        starts.append((prev + 1, bool(rec)))
        prev = reader.line_num
    start_lines = [s for s, _ in starts]
    rejected_records = set()
    first_reject = len(raw.rejected) - len(reject_lines)
    for k, line in enumerate(reject_lines):
        idx = bisect.bisect_right(start_lines, line) - 1
        rejected_records.add(idx)
        raw.rejected[first_reject + k] = dataclasses.replace(raw.rejected[first_reject + k], row_number=idx + 1)
    for k, warning in enumerate(raw.warnings):  # repaired quotes: physical line -> the record's row number
        if warning.row_number is not None:
            idx = bisect.bisect_right(start_lines, warning.row_number) - 1
            raw.warnings[k] = dataclasses.replace(warning, row_number=idx + 1)
    good = [i + 1 for i, (_, nonempty) in enumerate(starts) if i > 0 and nonempty and i not in rejected_records]
    raw.blank_lines = sum(1 for i, (_, nonempty) in enumerate(starts) if i > 0 and not nonempty)
    if len(good) != loaded:
        return False
    con.execute(
        "CREATE TEMP TABLE rownums AS SELECT unnest(?::INTEGER[]) AS rn, generate_subscripts(?::INTEGER[], 1) - 1 AS k",
        [good, good],
    )
    con.execute(
        "CREATE TEMP TABLE raw AS SELECT r.rn, raw0.* FROM raw0 POSITIONAL JOIN (SELECT rn FROM rownums ORDER BY k) r"
    )
    return True

"""Which text encoding a file's bytes are in, decided per file from evidence, never silently.

Evidence, in order: a byte-order mark (UTF-8, UTF-16 LE/BE); NUL bytes in every other position
(UTF-16 without a mark); UTF-8 validity. A file that is valid UTF-8 except for a few bytes stays
UTF-8: those bytes become U+FFFD and :attr:`Decoded.bad_lines` names the lines that held them. A file
with no UTF-8 multi-byte character at all, or more invalid bytes than valid multi-byte characters,
is a legacy Windows file and is read as cp1252 (its five unassigned bytes as Latin-1), with a note.
Reading cp1252 bytes as UTF-8 (or UTF-8 as cp1252) would store mojibake; this module does neither.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

_SURROGATE = re.compile("[\udc80-\udcff]")
MAX_LINES_NAMED = 20


def _latin1_fallback(err: UnicodeDecodeError):
    return "".join(chr(b) for b in err.object[err.start : err.end]), err.end


codecs.register_error("pmo-latin1", _latin1_fallback)


@dataclass(frozen=True)
class Decoded:
    """``text`` and the ``encoding`` it was read with; ``bad_bytes`` bytes that were not valid in it
    (replaced by U+FFFD) on the physical lines ``bad_lines`` (1-based, at most :data:`MAX_LINES_NAMED`);
    ``reason`` says how the encoding was decided (for a note or warning)."""

    text: str
    encoding: str
    bad_bytes: int = 0
    bad_lines: tuple[int, ...] = ()
    reason: str = ""


def is_valid_utf8(data: bytes, chunk: int = 8 << 20) -> bool:
    """Whether ``data`` is valid UTF-8, checked in chunks (no full-size copy of a big file)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    view = memoryview(data)
    try:
        for start in range(0, len(data), chunk):
            decoder.decode(view[start : start + chunk], final=start + chunk >= len(data))
    except UnicodeDecodeError:
        return False
    return True


def utf16_without_bom(data: bytes) -> str | None:
    """``utf-16-le``/``utf-16-be`` when NUL bytes fill one of the two byte positions of most
    characters (ASCII text saved as UTF-16 with no byte-order mark), else ``None``."""
    head = data[:4096]
    pairs = len(head) // 2
    if pairs < 2:
        return None
    even, odd = head[0 : pairs * 2 : 2].count(0), head[1 : pairs * 2 : 2].count(0)
    if odd >= 0.4 * pairs and even <= 0.05 * pairs:
        return "utf-16-le"
    if even >= 0.4 * pairs and odd <= 0.05 * pairs:
        return "utf-16-be"
    return None


def decide(data: bytes, *, sample: bool = False) -> Decoded:
    """Bytes -> :class:`Decoded`. ``sample``: ``data`` is the start of a longer file, so an
    incomplete UTF-8 character in its last three bytes is a cut, not an error."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        usable = data[: len(data) - (len(data) % 2)]
        return Decoded(usable.decode("utf-16", errors="replace"), "utf-16", reason="a UTF-16 byte-order mark")
    if (utf16 := utf16_without_bom(data)) is not None:
        usable = data[: len(data) - (len(data) % 2)]
        return Decoded(
            usable.decode(utf16, errors="replace"), utf16, reason="NUL bytes in every other position (UTF-16, no mark)"
        )
    bom = data.startswith(b"\xef\xbb\xbf")
    body = data[3:] if bom else data
    name = "utf-8-sig" if bom else "utf-8"
    try:
        return Decoded(body.decode("utf-8"), name, reason="valid UTF-8")
    except UnicodeDecodeError as err:
        if sample and err.start >= len(body) - 3:
            try:
                return Decoded(body[: err.start].decode("utf-8"), name, reason="valid UTF-8")
            except UnicodeDecodeError:
                pass
    text = body.decode("utf-8", errors="surrogateescape")
    bad = [m.start() for m in _SURROGATE.finditer(text)]
    if sample and bad and bad[0] >= len(text) - 3 and len(body) - bad[0] <= 3:
        text, bad = text[: bad[0]], []
        return Decoded(text, name, reason="valid UTF-8")
    # each valid multi-byte character is 2-4 bytes read as one character; bad bytes stay 1:1
    multibyte_bytes = len(body) - len(text)
    lines = _lines_of(text, bad)
    if bom or (multibyte_bytes and len(bad) <= multibyte_bytes):
        why = "a UTF-8 byte-order mark" if bom else f"{multibyte_bytes:,} bytes of valid UTF-8 characters"
        return Decoded(_SURROGATE.sub("\ufffd", text), name, len(bad), lines, why)
    legacy = data.decode("cp1252", errors="pmo-latin1")
    why = (
        "no UTF-8 multi-byte character occurs"
        if not multibyte_bytes
        else f"{len(bad):,} bytes are not UTF-8, more than the {multibyte_bytes:,} bytes of UTF-8 characters"
    )
    return Decoded(legacy, "cp1252", 0, lines, why)


def _lines_of(text: str, positions: list[int]) -> tuple[int, ...]:
    """1-based line numbers of character positions (ascending), the first MAX_LINES_NAMED distinct."""
    out: list[int] = []
    line, at = 1, 0
    for pos in positions:
        line += text.count("\n", at, pos)
        at = pos
        if not out or out[-1] != line:
            out.append(line)
            if len(out) >= MAX_LINES_NAMED:
                break
    return tuple(out)


def describe(decoded: Decoded, file_name: str) -> tuple[str, str] | None:
    """(severity, sentence) for an encoding decision a user should know about, else ``None``:
    a warning for replaced bytes, a note for a legacy cp1252 file."""
    lines = ", ".join(str(n) for n in decoded.bad_lines)
    more = " and later lines" if len(decoded.bad_lines) >= MAX_LINES_NAMED else ""
    if decoded.bad_bytes:
        return (
            "warning",
            f"{file_name} is UTF-8 ({decoded.reason}) but {decoded.bad_bytes:,} byte(s) on line(s) {lines}{more} are "
            "not; they were replaced by \ufffd. Check those cells, or export the file again as UTF-8.",
        )
    if decoded.encoding == "cp1252":
        where = f" (the first such byte is on line {decoded.bad_lines[0]})" if decoded.bad_lines else ""
        return (
            "info",
            f"{file_name} is not UTF-8{where}: {decoded.reason}, so it was read as Windows-1252 (Western European), "
            "as Excel on Windows writes it. If accented letters look wrong, export the file again as UTF-8.",
        )
    return None

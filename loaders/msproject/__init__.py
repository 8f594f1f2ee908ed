"""MS Project exports -> dated task snapshots.

Three formats, told apart from the bytes:

* **MSPDI XML** ("Save As XML"): streamed with lxml ``iterparse`` (entities and network off,
  each ``Task``/``Resource``/``Assignment`` cleared once read, so memory stays bounded). Money is
  in hundredths, durations are ISO-8601 working time, ``StatusDate`` is the as-of date,
  ``Baseline`` 0 fills the task's baseline columns and every baseline goes to ``task_baselines``;
  task time-phased baseline work/cost goes to ``timephased_baseline``.
* **Native .mpp** through MPXJ, converted in memory to MSPDI (:mod:`loaders.msproject.mpp`).
* **Project Excel Template** (.xlsx with ``Task_Table``/``Resource_Table``/``Assignment_Table``,
  headers with spaces, every cell text in the Windows locale, no Summary column).
* **Selected Data** maps (.xlsx, often sheet ``Task_Table1``, or .csv): headers with underscores
  (``Start_Date``) or display names (``% Complete``), ``NA`` for an empty date, optional
  interleaved assignment rows.

Every text cell goes through the grammars in :mod:`loaders.values`; a cell that cannot be read
is stored empty with a ``warning`` problem naming its row, column and raw text. A date order
(month-first or day-first) is decided per column from the values that can only be read one way
and reported in ``Parsed.meta["date_orders"]``.

Modules: ``fields`` (canonical columns, codes), ``aliases`` (header names -> columns),
``sniffing`` (is it ours?), ``cells`` (text cells -> typed columns), ``table`` (header mapping and
raw frames), ``date_order``, ``tabular_tasks`` / ``tasks`` / ``tabular`` (Excel and CSV exports),
``mspdi_stream`` / ``xml_cells`` / ``mspdi_tables`` / ``timephased`` / ``calendars`` / ``mspdi`` (MSPDI XML),
``mpp`` (.mpp through MPXJ), ``consistency`` (warnings on third-party files).
"""

from __future__ import annotations

from loaders.base import Parsed
from loaders.msproject.fields import SOURCE
from loaders.msproject.mpp import parse_mpp
from loaders.msproject.mspdi import parse_mspdi
from loaders.msproject.sniffing import ole2_kind, sniff, xml_head
from loaders.msproject.tabular import parse_delimited, parse_workbook

__all__ = ["SOURCE", "parse", "parse_mspdi", "sniff"]


def parse(data: bytes, file_name: str) -> Parsed:
    kind = ole2_kind(data)
    if kind == "mpp":
        return parse_mpp(data, file_name)
    if data[:4] == b"PK\x03\x04" or kind == "xls":
        return parse_workbook(data, file_name)
    if xml_head(data).lstrip("\ufeff \t\r\n").startswith("<"):
        return parse_mspdi(data, file_name)
    return parse_delimited(data, file_name)

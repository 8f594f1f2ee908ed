"""MS Project exports -> dated task snapshots.

Three formats, told apart from the bytes:

* **MSPDI XML** ("Save As XML"): streamed with lxml ``iterparse`` (entities and network off,
  each ``Task``/``Resource``/``Assignment`` cleared once read, so memory stays bounded). Money is
  in hundredths, durations are ISO-8601 working time, ``StatusDate`` is the as-of date,
  ``Baseline`` 0 fills the task's baseline columns and every baseline goes to ``task_baselines``;
  task time-phased baseline work/cost goes to ``timephased_baseline``.
* **Project Excel Template** (.xlsx with ``Task_Table``/``Resource_Table``/``Assignment_Table``,
  headers with spaces, every cell text in the Windows locale, no Summary column).
* **Selected Data** maps (.xlsx, often sheet ``Task_Table1``, or .csv): headers with underscores
  (``Start_Date``) or display names (``% Complete``), ``NA`` for an empty date, optional
  interleaved assignment rows.

Every text cell goes through the grammars in :mod:`loaders.values`; a cell that cannot be read
is stored empty with a ``warning`` problem naming its row, column and raw text. A date order
(month-first or day-first) is decided per column from the values that can only be read one way
and reported in ``Parsed.meta["date_orders"]``.
"""

from __future__ import annotations

import io
import re
from operator import itemgetter

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from loaders.base import Parsed, Problem, Refused, Sample
from loaders.values import (
    EMPTY,
    NO,
    YES,
    decide_date_order,
    is_empty,
    normalize_header,
    parse_date_column,
    parse_duration_value,
    parse_iso_duration,
    parse_number,
)

SOURCE = "msproject"
NS = "http://schemas.microsoft.com/project"

TASK_COLUMNS = (
    "row_number", "task_uid", "task_id", "wbs", "outline_number", "name", "outline_level", "is_summary",
    "is_milestone", "start", "finish", "actual_start", "actual_finish", "baseline_start", "baseline_finish",
    "deadline", "duration_hours", "baseline_duration_hours", "work_hours", "baseline_work_hours",
    "percent_complete", "physical_percent_complete", "cost", "baseline_cost", "actual_cost", "remaining_cost",
    "fixed_cost", "fixed_cost_accrual", "bcws", "bcwp", "acwp", "earned_value_method", "resource_names",
    "predecessors", "notes",
)  # fmt: skip
BASELINE_COLUMNS = (
    "task_uid",
    "baseline_number",
    "start",
    "finish",
    "duration_hours",
    "work_hours",
    "cost",
    "bcws",
    "bcwp",
)
TIMEPHASED_COLUMNS = ("task_uid", "baseline_number", "start", "finish", "cost", "work_hours")
RESOURCE_COLUMNS = (
    "resource_uid", "resource_id", "name", "type", "initials", "group", "max_units", "standard_rate",
    "overtime_rate", "cost_per_use", "cost", "baseline_cost", "actual_cost", "work_hours",
)  # fmt: skip
ASSIGNMENT_COLUMNS = (
    "task_uid", "task_name", "resource_uid", "resource_name", "units", "work_hours", "baseline_work_hours",
    "actual_work_hours", "cost", "baseline_cost", "actual_cost", "start", "finish",
)  # fmt: skip

DATE_FIELDS = {"start", "finish", "actual_start", "actual_finish", "baseline_start", "baseline_finish", "deadline"}
MONEY_FIELDS = {"cost", "baseline_cost", "actual_cost", "remaining_cost", "fixed_cost", "bcws", "bcwp", "acwp",
                "standard_rate", "overtime_rate", "cost_per_use"}  # fmt: skip
PERCENT_FIELDS = {"percent_complete", "physical_percent_complete", "max_units", "units"}
DURATION_FIELDS = {
    "duration_hours",
    "baseline_duration_hours",
    "work_hours",
    "baseline_work_hours",
    "actual_work_hours",
}
INT_FIELDS = {"task_uid", "task_id", "outline_level", "resource_uid", "resource_id"}
BOOL_FIELDS = {"is_summary", "is_milestone"}

# Normalised header (see values.normalize_header) -> canonical task column. Underscored field
# names (Selected Data maps), display names (built-in tables) and the template's spaced names.
TASK_ALIASES = {
    **dict.fromkeys(["id", "task id"], "task_id"),
    **dict.fromkeys(["unique id", "uid", "task unique id", "unique_id", "task uid"], "task_uid"),
    **dict.fromkeys(["name", "task name", "task"], "name"),
    **dict.fromkeys(["wbs", "wbs code"], "wbs"),
    "outline number": "outline_number",
    **dict.fromkeys(["outline level", "level"], "outline_level"),
    **dict.fromkeys(["summary", "is summary"], "is_summary"),
    **dict.fromkeys(["milestone", "is milestone"], "is_milestone"),
    **dict.fromkeys(["start", "start date", "scheduled start", "task start"], "start"),
    **dict.fromkeys(["finish", "finish date", "scheduled finish", "end", "end date", "task finish"], "finish"),
    **dict.fromkeys(["actual start", "actual start date"], "actual_start"),
    **dict.fromkeys(["actual finish", "actual finish date"], "actual_finish"),
    **dict.fromkeys(["baseline start", "baseline start date", "baseline0 start", "baseline 0 start"], "baseline_start"),
    **dict.fromkeys(
        ["baseline finish", "baseline finish date", "baseline0 finish", "baseline 0 finish"], "baseline_finish"
    ),
    **dict.fromkeys(["deadline", "deadline date"], "deadline"),
    **dict.fromkeys(["duration", "scheduled duration"], "duration_hours"),
    **dict.fromkeys(["baseline duration", "baseline0 duration", "baseline 0 duration"], "baseline_duration_hours"),
    "work": "work_hours",
    **dict.fromkeys(["baseline work", "baseline0 work", "baseline 0 work"], "baseline_work_hours"),
    **dict.fromkeys(["% complete", "percent complete", "%complete", "pct complete", "complete"], "percent_complete"),
    **dict.fromkeys(
        ["physical % complete", "physical percent complete", "physical %complete"], "physical_percent_complete"
    ),
    **dict.fromkeys(["cost", "total cost"], "cost"),
    **dict.fromkeys(
        ["baseline cost", "baseline0 cost", "baseline 0 cost", "budget at completion", "bac"], "baseline_cost"
    ),
    "actual cost": "actual_cost",
    "remaining cost": "remaining_cost",
    "fixed cost": "fixed_cost",
    "fixed cost accrual": "fixed_cost_accrual",
    **dict.fromkeys(["bcws", "planned value", "planned value pv", "pv", "bcws (planned value)"], "bcws"),
    **dict.fromkeys(["bcwp", "earned value", "earned value ev", "ev", "bcwp (earned value)"], "bcwp"),
    **dict.fromkeys(["acwp", "actual cost of work performed", "acwp (actual cost)"], "acwp"),
    **dict.fromkeys(["earned value method", "ev method"], "earned_value_method"),
    **dict.fromkeys(["resource names", "resources", "resource name"], "resource_names"),
    **dict.fromkeys(["predecessors", "predecessor"], "predecessors"),
    **dict.fromkeys(["notes", "note"], "notes"),
}
# Localised display names. German: the task field names MS Project itself writes (the MPX header
# of ../shared/fixtures/msproject/mpxj_sample.de.mpx). French and Spanish: common display names
# (unverified against a real export) plus the field names in MPXJ's locale tables
# (joniles/mpxj src/main/java/org/mpxj/mpx/LocaleData_fr/_es/_de.java): French "Début Planifié" /
# "Fin Planifiée" / "Coût Planifié" / "Durée Planifiée" are the Baseline fields and "ID Unique" the
# Unique ID. French "Début prévu" / "Fin prévue" are the Scheduled Start/Finish of Project 2010+
# (manually scheduled tasks), i.e. Start/Finish, not the baseline.
TASK_ALIASES.update({
    # de
    "nr.": "task_id", "nr": "task_id", "einmalige nr.": "task_uid", "einmalige nr": "task_uid", "vorgangsname": "name",
    "dauer": "duration_hours", "gliederungsebene": "outline_level", "gliederungsnummer": "outline_number",
    "geplante dauer": "baseline_duration_hours", "vorgänger": "predecessors", "anfang": "start", "ende": "finish",
    "% abgeschlossen": "percent_complete", "aktueller anfang": "actual_start", "aktuelles ende": "actual_finish",
    "geplanter anfang": "baseline_start", "geplantes ende": "baseline_finish", "arbeit": "work_hours",
    "geplante arbeit": "baseline_work_hours", "kosten": "cost", "feste kosten": "fixed_cost",
    "geplante kosten": "baseline_cost", "aktuelle kosten": "actual_cost", "verbleibende kosten": "remaining_cost",
    "psp code": "wbs", "meilenstein": "is_milestone", "sammelvorgang": "is_summary", "ressourcennamen": "resource_names",
    "stichtag": "deadline", "notizen": "notes",
    # fr
    "n°": "task_id", "nom de la tâche": "name", "nom": "name", "durée": "duration_hours", "début": "start", "fin": "finish",
    "prédécesseurs": "predecessors", "noms ressources": "resource_names", "noms des ressources": "resource_names",
    "% achevé": "percent_complete", "niveau hiérarchique": "outline_level", "jalon": "is_milestone",
    "récapitulatif": "is_summary", "sommaire": "is_summary", "début prévu": "start", "fin prévue": "finish",
    "début planifié": "baseline_start", "fin planifiée": "baseline_finish", "coût planifié": "baseline_cost",
    "durée planifiée": "baseline_duration_hours", "travail": "work_hours", "travail normal": "baseline_work_hours",
    "travail planifié": "baseline_work_hours", "coût réel": "actual_cost", "coût": "cost", "coût fixe": "fixed_cost",
    "coût restant": "remaining_cost", "début réel": "actual_start", "fin réelle": "actual_finish", "edt": "wbs",
    "n° unique": "task_uid", "id unique": "task_uid", "numéro unique": "task_uid",
    # es
    "nombre de tarea": "name", "nombre": "name", "duración": "duration_hours", "comienzo": "start",
    "predecesoras": "predecessors", "nombres de los recursos": "resource_names", "% completado": "percent_complete",
    "nivel de esquema": "outline_level", "hito": "is_milestone", "resumen": "is_summary",
    "comienzo previsto": "baseline_start", "fin previsto": "baseline_finish", "costo previsto": "baseline_cost",
    "costo real": "actual_cost", "costo": "cost", "coste previsto": "baseline_cost", "coste real": "actual_cost",
    "coste": "cost", "comienzo real": "actual_start", "fin real": "actual_finish", "id único": "task_uid",
    "nombres de recursos": "resource_names", "número de esquema": "outline_number", "trabajo": "work_hours",
    "costo fijo": "fixed_cost", "costo restante": "remaining_cost", "notas": "notes",
    "línea de base de comienzo": "baseline_start", "línea de base de fin": "baseline_finish",
    "línea de base de costo": "baseline_cost", "línea base de duración": "baseline_duration_hours",
    "línea de base de trabajo": "baseline_work_hours",
    # de (MPXJ spelling)
    "ressourcenamen": "resource_names",
})  # fmt: skip
RESOURCE_ALIASES = {
    **dict.fromkeys(["unique id", "uid", "resource unique id"], "resource_uid"),
    **dict.fromkeys(["id", "resource id"], "resource_id"),
    **dict.fromkeys(["name", "resource name"], "name"),
    "type": "type",
    "initials": "initials",
    "group": "group",
    "max units": "max_units",
    "standard rate": "standard_rate",
    "overtime rate": "overtime_rate",
    "cost per use": "cost_per_use",
    "cost": "cost",
    "baseline cost": "baseline_cost",
    "actual cost": "actual_cost",
    "work": "work_hours",
}
ASSIGNMENT_ALIASES = {
    **dict.fromkeys(["task unique id", "task uid", "task unique_id"], "task_uid"),
    "task name": "task_name",
    **dict.fromkeys(["resource unique id", "resource uid"], "resource_uid"),
    "resource name": "resource_name",
    **dict.fromkeys(["units", "assignment units"], "units"),
    "work": "work_hours",
    "baseline work": "baseline_work_hours",
    "actual work": "actual_work_hours",
    "cost": "cost",
    "baseline cost": "baseline_cost",
    "actual cost": "actual_cost",
    **dict.fromkeys(["start", "start date"], "start"),
    **dict.fromkeys(["finish", "finish date"], "finish"),
    "% work complete": "percent_work_complete",
}
_BASELINE_N = re.compile(r"^baseline ?(\d{1,2}) (start|finish|duration|work|cost|bcws|bcwp)(?: date)?$")
_BASELINE_FIELD = {"start": "start", "finish": "finish", "duration": "duration_hours", "work": "work_hours",
                   "cost": "cost", "bcws": "bcws", "bcwp": "bcwp"}  # fmt: skip
ACCRUALS = {"1": "start", "2": "end", "3": "prorated", "start": "start", "end": "end", "prorated": "prorated"}
EV_METHODS = {"0": "percent_complete", "1": "physical_percent_complete", "% complete": "percent_complete",
              "physical % complete": "physical_percent_complete"}  # fmt: skip
MISSING_BASELINE_XML = (
    "the plan has no saved baseline, so earned value cannot be computed; set one in MS Project "
    "(Project > Set Baseline) and save as XML again."
)
MISSING_BASELINE = (
    "the file has no baseline columns, so earned value cannot be computed; add Baseline Start, "
    "Baseline Finish, Baseline Cost, % Complete and Actual Cost to the export map."
)


# -- detection -----------------------------------------------------------------------------------


def _task_header_score(header: list[str]) -> int:
    """How many task fields a header row names; 0 unless it has a name and start/finish."""
    found = {TASK_ALIASES.get(normalize_header(h)) for h in header if str(h).strip()}
    if "name" not in found or not ({"start", "finish", "duration_hours"} & found):
        return 0
    extra = found & {"task_id", "task_uid", "outline_level", "wbs", "duration_hours", "percent_complete",
                     "baseline_start", "baseline_cost", "predecessors", "resource_names", "is_summary", "is_milestone"}  # fmt: skip
    return len(found) if extra else 0


_PROLOG = re.compile(r"(?:\s+|<\?.*?\?>|<!--.*?-->)*", re.S)
_DOCTYPE = re.compile(r"<!DOCTYPE\s+(?:[A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)[^\[>]*(?:\[.*?\]\s*)?>", re.S)
_ROOT = re.compile(r"<(?:([A-Za-z_][\w.-]*):)?([A-Za-z_][\w.-]*)(\s[^>]*)?/?>", re.S)
_XMLNS = re.compile(r"\bxmlns(?::([A-Za-z_][\w.-]*))?\s*=\s*[\"']([^\"']*)[\"']")
# elements only MSPDI's <Project> has near its top: a root <Project> without a namespace (hand-made
# files, other writers) counts as MSPDI when one of them follows
_MSPDI_CHILDREN = re.compile(r"<(?:[A-Za-z_][\w.-]*:)?(?:SaveVersion|Tasks|Calendars|MinutesPerDay|StatusDate)\b")


def _is_mspdi(text: str) -> bool:
    """True when the root element is ``Project`` in MSPDI's namespace (default or any prefix,
    ``<p:Project xmlns:p="...">``), or ``Project`` without a namespace followed by MSPDI's own
    elements. Reads only the prolog and the root's start tag, so a KB or two is enough."""
    text = text.lstrip("\ufeff")
    pos = _PROLOG.match(text).end()
    if text.startswith("<!DOCTYPE", pos):
        doctype = _DOCTYPE.match(text, pos)
        if doctype is None:  # an internal subset longer than the window: judge by its name
            name = re.match(r"<!DOCTYPE\s+(?:[A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)", text[pos:])
            return bool(name) and name.group(1) == "Project"
        pos = _PROLOG.match(text, doctype.end()).end()
    root = _ROOT.match(text, pos)
    if root is None or root.group(2) != "Project":
        return False
    prefix, attrs = root.group(1), root.group(3) or ""
    namespaces = {p: uri for p, uri in _XMLNS.findall(attrs)}
    uri = namespaces.get(prefix or "")
    if uri == NS:
        return True
    return uri is None and prefix is None and bool(_MSPDI_CHILDREN.search(text, root.end()))


_SHEET_NAME = re.compile(rb"<(?:\w+:)?sheet\b[^>]*?\bname=\"([^\"]*)\"")


def _workbook_sheet_names(data: bytes) -> list[str]:
    """Sheet names from the workbook's own index (xl/workbook.xml), without loading any sheet."""
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            info = zf.getinfo("xl/workbook.xml")
            if info.file_size > 5_000_000:
                return []
            index = zf.read(info)
    except (KeyError, zipfile.BadZipFile, OSError):
        return []
    from html import unescape

    return [unescape(m.decode("utf-8", "replace")) for m in _SHEET_NAME.findall(index)]


def sniff(sample: Sample) -> bool:
    if sample.is_zip:
        if any(name.startswith("Task_Table") for name in _workbook_sheet_names(sample.data)):
            return True  # MS Project's own sheet names: no need to load a sheet to know
        sheets = sample.sheets
        if any(name.startswith("Task_Table") for name in sheets):
            return True
        return any(_task_header_score(row) >= 3 for row in sheets.values())
    text = sample.text_head
    if not text:
        return False
    if _is_mspdi(text[:4096]) or (text.lstrip().startswith("<") and _is_mspdi(text)):
        return True
    return bool(sample.csv_header) and _task_header_score(sample.csv_header) >= 3


def _xml_head(data: bytes, size: int = 65536) -> str:
    """The first bytes as text: UTF-16 (with a BOM, or ``<`` followed by a NUL byte) or UTF-8."""
    head = data[:size]
    if head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        encoding = "utf-16"
    elif head[:2] == b"<\x00":
        encoding = "utf-16-le"
    elif head[:2] == b"\x00<":
        encoding = "utf-16-be"
    else:
        encoding = "utf-8"
    if encoding != "utf-8":
        head = head[: len(head) // 2 * 2]
    return head.decode(encoding, errors="replace")


def parse(data: bytes, file_name: str) -> Parsed:
    if data[:4] == b"PK\x03\x04":
        return _parse_workbook(data, file_name)
    if _xml_head(data).lstrip("\ufeff \t\r\n").startswith("<"):
        return parse_mspdi(data, file_name)
    return _parse_delimited(data, file_name)


# -- cell conversion (vectorised where it matters) -------------------------------------------------

_EMPTY_TEXT = sorted(EMPTY)


class _Cells:
    """Converts raw columns of a table to typed columns, collecting problems."""

    def __init__(self, rows: pd.Series, problems: list[Problem], calendar: dict | None = None):
        self.rows = rows  # row numbers aligned with the frame
        self.problems = problems
        self.calendar = calendar or {}
        self.date_orders: dict[str, str] = {}
        self.date_reasons: dict[str, str] = {}

    def _bad(self, mask: np.ndarray, raw: pd.Series, column: str, message: str) -> None:
        for i in np.flatnonzero(mask):
            self.problems.append(Problem(message, "warning", int(self.rows.iloc[i]), column, str(raw.iloc[i])))

    @staticmethod
    def empty_mask(raw: pd.Series) -> np.ndarray:
        try:  # all text: Arrow
            arr = pc.utf8_lower(pc.utf8_trim_whitespace(pa.array(raw.to_numpy(object), type=pa.string())))
            flags = pc.fill_null(pc.is_in(arr, value_set=pa.array(_EMPTY_TEXT)), True)
            return np.array(flags.to_numpy(zero_copy_only=False), dtype=bool)
        except (pa.ArrowTypeError, pa.ArrowInvalid):
            codes, uniques = pd.factorize(raw, use_na_sentinel=True)
            flags = np.array([is_empty(u) for u in uniques] + [True], dtype=bool)
            return flags[np.where(codes < 0, len(uniques), codes)]

    def number(self, raw: pd.Series, column: str, *, kind: str = "number") -> pd.Series:
        """Money and plain numbers: each distinct text read once, vectorised (one decimal mark
        per column), with a per-cell grammar fallback and a problem for each unreadable cell."""
        if pd.api.types.is_numeric_dtype(raw.dtype) and not pd.api.types.is_bool_dtype(raw.dtype):
            return pd.to_numeric(raw, errors="coerce").astype("float64")
        head = raw.iloc[:1000]
        if len(raw) > 2000 and head.nunique() > 0.5 * len(head):  # mostly distinct (money): no factorising
            codes, distinct = np.arange(len(raw)), raw.astype("object").reset_index(drop=True)
        else:
            codes, uniques = pd.factorize(raw, use_na_sentinel=True)
            distinct = pd.Series(np.asarray(uniques, dtype=object), dtype="object")
        values, errors = _read_numbers(distinct)
        taken = np.append(values, np.nan)[np.where(codes < 0, len(values), codes)]
        if errors:
            for i in np.flatnonzero(np.isin(codes, list(errors))):
                self.problems.append(Problem(f"not a {kind}: {errors[int(codes[i])]}; left empty.", "warning",
                                             int(self.rows.iloc[i]), column, str(raw.iloc[i])))  # fmt: skip
        return pd.Series(taken, index=raw.index, dtype="float64")

    def percent(self, raw: pd.Series, column: str, allow_over_100: bool = False) -> pd.Series:
        values = self.number(raw, column, kind="percentage")
        codes, uniques = pd.factorize(raw, use_na_sentinel=True)
        signs = np.array([isinstance(u, str) and "%" in u for u in uniques] + [False], dtype=bool)
        has_sign = signs[np.where(codes < 0, len(uniques), codes)]
        valid = values.notna().to_numpy()
        if valid.any() and not has_sign[valid].any() and (values[valid] <= 1).all() and (values[valid] % 1 != 0).any():
            # a fraction written without a percent sign (Excel-formatted or MS Project's raw
            # "0.56999999999999995"): the whole column is fractions
            values = values * 100
            self.problems.append(Problem("every value is a fraction of 1 without a % sign; read as fractions (0.45 = 45%).",
                                         "info", None, column))  # fmt: skip
        bad = (values < 0).to_numpy(bool, copy=True)
        if not allow_over_100:
            bad |= (values > 100).to_numpy(bool, copy=True)
        if bad.any():
            self._bad(bad, raw, column, "a percentage must be between 0 and 100; left empty.")
            values[bad] = np.nan
        return values

    def integer(self, raw: pd.Series, column: str) -> pd.Series:
        values = self.number(raw, column)
        frac = (values % 1 != 0).to_numpy() & values.notna().to_numpy()
        if frac.any():
            self._bad(frac, raw, column, "not a whole number; left empty.")
            values[frac] = np.nan
        return values.round().astype("Int64")

    def boolean(self, raw: pd.Series, column: str) -> pd.Series:
        if pd.api.types.is_bool_dtype(raw.dtype):
            return raw.astype("boolean")
        codes, uniques = pd.factorize(raw, use_na_sentinel=True)
        keys = [str(u).strip().casefold() for u in uniques]
        at = np.where(codes < 0, len(keys), codes)
        empty = np.array([is_empty(u) for u in uniques] + [True], dtype=bool)[at]
        yes = np.array([k in YES for k in keys] + [False], dtype=bool)[at]
        no = np.array([k in NO for k in keys] + [False], dtype=bool)[at]
        bad = ~empty & ~yes & ~no
        self._bad(bad, raw, column, "not yes or no; left empty.")
        out = pd.Series(pd.array([None] * len(raw), dtype="boolean"), index=raw.index)
        out[yes] = True
        out[no] = False
        return out

    def date(self, raw: pd.Series, column: str, fallback: str | None = None, fallback_reason: str | None = None
             ) -> pd.Series:  # fmt: skip
        result = parse_date_column(raw, fallback=fallback, fallback_reason=fallback_reason)
        if result.order:
            self.date_orders[column] = result.order
            self.date_reasons[column] = result.order_reason
        for i, reason in result.errors.items():
            self.problems.append(Problem(f"the date could not be read ({reason}); left empty.", "warning",
                                         int(self.rows.iloc[i]), column, str(raw.iloc[i])))  # fmt: skip
        return pd.Series(result.array, index=raw.index)

    def duration(self, raw: pd.Series, column: str, estimated: list | None = None) -> pd.Series:
        if pd.api.types.is_numeric_dtype(raw.dtype) and not pd.api.types.is_bool_dtype(raw.dtype):
            return raw.astype("float64") * self.calendar.get("minutes_per_day", 480) / 60
        cache: dict = {}
        out = np.full(len(raw), np.nan)
        for i, cell in enumerate(raw.tolist()):
            key = cell if isinstance(cell, str) else repr(cell)
            if key in cache:
                value = cache[key]
            else:
                try:
                    value = parse_duration_value(cell, **self.calendar)
                except ValueError as err:
                    value = err
                cache[key] = value
            if isinstance(value, ValueError):
                self.problems.append(Problem(f"the duration could not be read ({value}); left empty.", "warning",
                                             int(self.rows.iloc[i]), column, str(cell)))  # fmt: skip
            elif value is not None:
                out[i] = value.hours
                if estimated is not None and value.estimated:
                    estimated.append(i)
        return pd.Series(out, index=raw.index)


_STR = pd.StringDtype("pyarrow", na_value=np.nan)


def _read_numbers(distinct: pd.Series) -> tuple[np.ndarray, dict[int, str]]:
    """Cell values (object) -> (floats, position -> reason for the unreadable ones).

    Vectorised in Arrow: one decimal mark for the column (see :func:`_decimal_mark`), currency
    symbols, codes, units and grouping stripped, ``(1,234)`` negatives; cells the fast path cannot
    vouch for (``/``, ``:``, digits split by spaces, no digits at all) go through
    :func:`loaders.values.parse_number` one by one."""
    if distinct.empty:
        return np.array([], dtype="float64"), {}
    try:  # plain numbers ("12", "0.5", 3.0) everywhere: pandas' C parser
        return pd.to_numeric(distinct).to_numpy("float64", copy=True), {}
    except (ValueError, TypeError):
        pass
    arr = pc.utf8_trim_whitespace(pa.array(distinct.astype(_STR).array))
    empty = pc.fill_null(pc.is_in(pc.utf8_lower(arr), value_set=pa.array(_EMPTY_TEXT)), True)
    empty = np.array(pc.or_(empty, pc.is_null(arr)).to_numpy(zero_copy_only=False), dtype=bool)
    decimal = _decimal_mark(pd.Series(arr.to_pandas(types_mapper={pa.string(): _STR}.get))[~empty])
    cleaned = pc.replace_substring_regex(arr, r"[^0-9.,()\-]", "")
    if decimal == ",":
        cleaned = pc.replace_substring(pc.replace_substring(cleaned, ".", ""), ",", ".")
    elif decimal == ".":
        cleaned = pc.replace_substring(cleaned, ",", "")
    negative = np.array(pc.fill_null(pc.match_substring_regex(cleaned, r"^\(.*\)$"), False).to_numpy(zero_copy_only=False),
                        dtype=bool)  # fmt: skip
    cleaned = pc.utf8_trim(cleaned, "()")
    cleaned = pc.if_else(pc.equal(cleaned, ""), pa.scalar(None, pa.string()), cleaned)
    try:
        values = np.array(pc.cast(cleaned, pa.float64()).to_numpy(zero_copy_only=False), dtype="float64")
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        values = pd.to_numeric(pd.Series(cleaned.to_pylist(), dtype="object"), errors="coerce").to_numpy(
            "float64", copy=True
        )
    values[negative] = -values[negative]
    suspicious = np.array(
        pc.fill_null(pc.match_substring_regex(arr, r"[/:]|\d\s+\d"), False).to_numpy(zero_copy_only=False), dtype=bool
    )
    if decimal is None:
        suspicious |= np.array(pc.fill_null(pc.match_substring_regex(cleaned, r"[.,]"), False).to_numpy(zero_copy_only=False),
                               dtype=bool)  # fmt: skip
    values[empty] = np.nan
    errors: dict[int, str] = {}
    for i in np.flatnonzero(~empty & (np.isnan(values) | suspicious)):
        try:
            value = parse_number(distinct.iloc[i], decimal=decimal)
        except ValueError as err:
            errors[int(i)] = str(err)
            value = None
        values[i] = np.nan if value is None else value
    return values, errors


def _contains(series: pd.Series, pattern: str) -> np.ndarray:
    """Regex search over a string column in Arrow (RE2), as a writable bool array."""
    arr = pa.array(series.astype(_STR).array)
    return np.array(
        pc.fill_null(pc.match_substring_regex(arr, pattern), False).to_numpy(zero_copy_only=False), dtype=bool
    )


def _decimal_mark(text: pd.Series) -> str | None:
    """The decimal mark a column of numbers uses, from the values that show it unambiguously."""
    if text.empty:
        return None
    sample = text if len(text) <= 5000 else text.sample(5000, random_state=0)
    stripped = sample.str.replace(r"[^\d.,]", "", regex=True)
    dot_last = stripped.str.contains(r",\d*\.\d*$|^\d*\.\d{1,2}$|^\d*\.\d{4,}$|\.\d*\.", regex=True)
    comma_last = stripped.str.contains(r"\.\d*,\d*$|^\d*,\d{1,2}$|^\d*,\d{4,}$|,\d*,", regex=True)
    # a repeated mark is grouping: "1,000,000" says the decimal is "."
    dots = int(dot_last.sum())
    commas = int(comma_last.sum())
    if dots and not commas:
        return "."
    if commas and not dots:
        return ","
    if dots or commas:
        return "." if dots >= commas else ","
    return None


# -- tabular exports (Excel template, Selected Data .xlsx / .csv) ---------------------------------


def _header_index(rows: list[list]) -> int:
    for i, row in enumerate(rows[:50]):
        if any(str(c).strip() for c in row):
            return i
    return 0


def _map_header(
    header: list[str], aliases: dict[str, str]
) -> tuple[dict[str, int], dict[tuple[int, str], int], list[str]]:
    """-> (canonical -> column index, (baseline n, field) -> index, unmapped header names)."""
    mapped: dict[str, int] = {}
    baselines: dict[tuple[int, str], int] = {}
    unmapped = []
    for i, name in enumerate(header):
        key = normalize_header(name)
        if not key:
            continue
        canon = aliases.get(key)
        if canon is None and aliases is TASK_ALIASES:
            m = _BASELINE_N.match(key)
            if m and 0 <= int(m.group(1)) <= 10:
                n, field = int(m.group(1)), _BASELINE_FIELD[m.group(2)]
                if n == 0:
                    canon = {"start": "baseline_start", "finish": "baseline_finish", "cost": "baseline_cost",
                             "duration_hours": "baseline_duration_hours", "work_hours": "baseline_work_hours"}.get(field)  # fmt: skip
                else:
                    baselines[(n, field)] = i
                    continue
        if canon is None:
            unmapped.append(str(name))
        elif canon not in mapped:
            mapped[canon] = i
    return mapped, baselines, unmapped


def _frame(rows: list[list], start: int, width: int) -> tuple[pd.DataFrame, pd.Series]:
    """Rows after the header -> frame of raw cells, blank rows dropped, and the row numbers.

    A column whose cells are all text (what MS Project writes) becomes an Arrow string column so
    the cell grammars run vectorised; a column with typed cells (a workbook re-saved by Excel)
    stays ``object`` and is read cell by cell."""
    body = rows[start:]
    numbers = pd.Series(np.arange(start + 1, start + 1 + len(body)))
    if not body or not width:
        return pd.DataFrame(columns=range(width)), numbers.iloc[:0]
    if any(len(r) != width for r in body):
        body = [list(r[:width]) + [""] * (width - len(r)) for r in body]
    grid = np.empty((len(body), width), dtype=object)
    grid[:] = body
    columns = {}
    maybe_blank = np.ones(len(body), dtype=bool)
    for j in range(width):
        series = pd.Series(grid[:, j], dtype="object")
        if j < 3:
            maybe_blank &= series.isin(["", None]).to_numpy(bool)
        columns[j] = series
    # a row is blank when every cell is empty or spaces: check the rows whose first cells are empty
    blank = np.zeros(len(body), dtype=bool)
    for i in np.flatnonzero(maybe_blank):
        blank[i] = all(c is None or (isinstance(c, str) and not c.strip()) for c in body[i])
    frame = pd.DataFrame(columns)
    keep = ~blank
    return frame[keep].reset_index(drop=True), numbers[keep].reset_index(drop=True)


def _convert(cells: _Cells, frame: pd.DataFrame, mapped: dict[str, int], header: list[str], columns, *,
             date_fallback: str | None = None, estimated: list | None = None,
             date_fallback_reason: str | None = None) -> pd.DataFrame:  # fmt: skip
    out = {}
    for canon in columns:
        if canon not in mapped:
            continue
        raw = frame[mapped[canon]]
        name = str(header[mapped[canon]])
        if canon in DATE_FIELDS:
            out[canon] = cells.date(raw, name, date_fallback, date_fallback_reason)
        elif canon in INT_FIELDS:
            out[canon] = cells.integer(raw, name)
        elif canon in BOOL_FIELDS:
            out[canon] = cells.boolean(raw, name)
        elif canon in PERCENT_FIELDS:
            out[canon] = cells.percent(raw, name, canon in ("max_units", "units"))
        elif canon in DURATION_FIELDS:
            out[canon] = cells.duration(raw, name, estimated if canon == "duration_hours" else None)
        elif canon in MONEY_FIELDS:
            out[canon] = cells.number(raw, name, kind="money amount")
        elif canon == "fixed_cost_accrual":
            text = raw.astype("str").str.strip().str.casefold()
            out[canon] = text.map(ACCRUALS)
        elif canon == "earned_value_method":
            text = raw.astype("str").str.strip().str.casefold()
            out[canon] = text.map(EV_METHODS)
        else:
            out[canon] = _clean_text(raw)
    return pd.DataFrame(out, index=frame.index)


def _clean_text(raw: pd.Series) -> pd.Series:

    def conv(c):
        if c is None or (isinstance(c, float) and c != c):
            return None
        if isinstance(c, float) and c.is_integer():
            c = int(c)
        text = str(c).strip()
        return text or None

    return pd.Series([(c.strip() or None) if type(c) is str else conv(c) for c in raw.tolist()], index=raw.index,
                     dtype="object")  # fmt: skip


def _report_unmapped(unmapped: list[str], problems: list[Problem], sheet: str | None = None) -> None:
    """One info problem naming the columns that were not read, so a user sees what was ignored."""
    names = [n for n in unmapped if n.strip()]
    if not names:
        return
    shown = ", ".join(names[:30]) + (f" and {len(names) - 30} more" if len(names) > 30 else "")
    where = f" of sheet {sheet}" if sheet and sheet != "csv" else ""
    problems.append(Problem(f"{len(names)} column(s){where} are not MS Project fields this app reads and were "
                            f"ignored: {shown}.", "info", None, None, shown))  # fmt: skip


_ORDER_WORDS = {"MDY": "month-first", "DMY": "day-first"}
_DAY_FIRST_MONEY = {"£", "€", "GBP", "EUR"}


def _guess_date_order(
    frame: pd.DataFrame, mapped: dict[str, int], rows: list[list]
) -> tuple[str | None, str | None, bool]:
    """When no date in the file proves the order: -> (order, reason, weak).

    Durations first: the order under which Finish − Start (working days, Mon–Fri) agrees with the
    Duration column in more rows wins (strong). Else the money's currency: £/€ make day-first more
    likely than $ (weak, reported as a warning). Else ``(None, None, True)``: month-first."""
    by_duration = _order_from_durations(frame, mapped)
    if by_duration:
        order, agree = by_duration
        return order, f"Finish − Start matches the Duration column in {agree} row(s) only when read that way", False
    currency = _currency_symbol(rows)
    if currency in _DAY_FIRST_MONEY:
        return "DMY", f"assumed from the {currency} currency, where day-first dates are usual", True
    if currency in ("$", "USD"):  # the en-US default and the money agree: reported as info
        return "MDY", f"MS Project's en-US default, consistent with the {currency} currency", False
    return None, None, True


def _order_from_durations(frame: pd.DataFrame, mapped: dict[str, int]) -> tuple[str, int] | None:
    if not {"start", "finish", "duration_hours"} <= mapped.keys() or frame.empty:
        return None
    head = frame.iloc[:500].reset_index(drop=True)
    hours = _Cells(pd.Series(np.arange(len(head))), []).duration(head[mapped["duration_hours"]], "duration")
    days = hours.to_numpy("float64") / 8
    errors = {}
    for order in ("MDY", "DMY"):
        start = parse_date_column(head[mapped["start"]], order=order).array.astype("datetime64[D]")
        finish = parse_date_column(head[mapped["finish"]], order=order).array.astype("datetime64[D]")
        err = np.full(len(head), np.inf)
        ok = ~np.isnat(start) & ~np.isnat(finish) & ~np.isnan(days)
        ok[ok] &= finish[ok] >= start[ok]
        if ok.any():
            worked = np.busday_count(start[ok], finish[ok] + np.timedelta64(1, "D"))
            err[ok] = np.abs(worked - days[ok])
        errors[order] = err
    dmy = int((errors["DMY"] + 0.5 < errors["MDY"]).sum())
    mdy = int((errors["MDY"] + 0.5 < errors["DMY"]).sum())
    if dmy == mdy:
        return None
    return ("DMY", dmy) if dmy > mdy else ("MDY", mdy)


def _file_date_order(cells_by_column: dict[str, str]) -> str | None:
    proven = [o for o in cells_by_column.values() if o in ("MDY", "DMY")]
    return max(set(proven), key=proven.count) if proven else None


def _tasks_from_rows(rows: list[list], file_name: str, problems: list[Problem], sheet: str | None = None):
    """Task rows of a template or Selected Data table -> (tasks, task_baselines, assignments, meta)."""
    hi = _header_index(rows)
    header = [str(c).strip() for c in rows[hi]] if rows else []
    mapped, baseline_cols, unmapped = _map_header(header, TASK_ALIASES)
    if "name" not in mapped:
        where = f"sheet {sheet}" if sheet else "the file"
        raise Refused(f"{file_name}: {where} has no Name column, so it is not an MS Project task export; "
                      "export with headers (\"Export includes headers\") and include the Name field.")  # fmt: skip
    frame, numbers = _frame(rows, hi + 1, len(header))
    cells = _Cells(numbers + 0, problems)
    # Interleaved assignment rows ("Include assignment rows in output"): no ID / Unique ID of their own.
    assignment_rows = pd.Series(False, index=frame.index)
    id_col = mapped.get("task_uid", mapped.get("task_id"))
    if id_col is not None and not frame.empty:
        no_id = pd.Series(cells.empty_mask(frame[id_col]), index=frame.index)
        has_name = ~pd.Series(cells.empty_mask(frame[mapped["name"]]), index=frame.index)
        assignment_rows = no_id & has_name & (frame.index > 0)
    assign_frame, assign_numbers = frame[assignment_rows], numbers[assignment_rows]
    # each assignment row belongs to the task row above it: its position among the task rows,
    # which is the index of the task frame built below (after the assignment rows are removed)
    owner_index = pd.Series(np.cumsum(~assignment_rows.to_numpy(bool)) - 1, index=frame.index)
    frame, numbers = frame[~assignment_rows].reset_index(drop=True), numbers[~assignment_rows].reset_index(drop=True)
    cells.rows = numbers
    # dates first: decide one order for the file where columns disagree on nothing
    date_fields = [c for c in TASK_COLUMNS if c in DATE_FIELDS and c in mapped]
    orders = {}
    numeric_date_columns = 0
    for c in date_fields:
        sample = frame[mapped[c]].iloc[:500].astype("str")
        if not sample.str.contains(r"\d{1,4}[./-]\d{1,2}[./-]\d{1,4}", regex=True).any():
            continue  # no numeric dates in the first rows: nothing for this column to prove
        numeric_date_columns += 1
        order, reason = decide_date_order(pd.unique(frame[mapped[c]]).tolist())
        if order in ("MDY", "DMY") and "ambiguous" not in reason:  # weekday names or a day above 12
            orders[c] = order
    fallback = _file_date_order(orders)
    fallback_reason, weak_order = None, False
    if fallback is None and numeric_date_columns:
        fallback, fallback_reason, weak_order = _guess_date_order(frame, mapped, rows)
    estimated: list[int] = []
    tasks = _convert(cells, frame, mapped, header, TASK_COLUMNS, date_fallback=fallback, estimated=estimated,
                     date_fallback_reason=fallback_reason)  # fmt: skip
    tasks.insert(0, "row_number", numbers.astype("Int64"))
    # task_baselines from "Baseline1 Start"... columns
    baselines = pd.DataFrame(columns=BASELINE_COLUMNS)
    if baseline_cols:
        parts = []
        for n in sorted({n for n, _ in baseline_cols}):
            sub_map = {f: i for (m, f), i in baseline_cols.items() if m == n}
            conv = {}
            for field, idx in sub_map.items():
                raw = frame[idx]
                if field in ("start", "finish"):
                    conv[field] = cells.date(raw, header[idx], fallback, fallback_reason)
                elif field in ("duration_hours", "work_hours"):
                    conv[field] = cells.duration(raw, header[idx])
                else:
                    conv[field] = cells.number(raw, header[idx], kind="money amount")
            part = pd.DataFrame(conv, index=frame.index)
            part["baseline_number"] = n
            part["_row"] = frame.index
            parts.append(part)
        baselines = pd.concat(parts, ignore_index=True)
    _report_unmapped(unmapped, problems, sheet)
    guessed = [column for column, reason in cells.date_reasons.items() if "ambiguous" in reason]
    if guessed and (weak_order or fallback is None):
        order = cells.date_orders[guessed[0]]
        why = fallback_reason or "MS Project's en-US default"
        problems.append(Problem(
            f"every date in {', '.join(guessed)} is ambiguous (day and month both 12 or less) and nothing in the file "
            f"shows the order: read {_ORDER_WORDS[order]} ({why}), e.g. "
            f"{'03/04 = 3 April' if order == 'DMY' else '03/04 = 4 March'}. Check a few dates; to make them "
            "unambiguous, set MS Project's date format (File > Options > General > Date format) to one with the "
            "weekday or the month name, or include a task whose day is above 12, and export again.",
            "warning", None, ", ".join(guessed), order))  # fmt: skip
    else:
        for column in guessed:
            problems.append(Problem(f"dates are ambiguous (day and month both 12 or less); read as "
                                    f"{cells.date_reasons[column]}.", "info", None, column))  # fmt: skip
    meta = {"date_orders": cells.date_orders, "date_order_reasons": cells.date_reasons,
            "columns_ignored": unmapped[:50], "estimated_durations": len(estimated)}  # fmt: skip
    assignments = None
    if len(assign_frame):
        a_rows = assign_frame.assign(_owner=owner_index[assignment_rows].astype(int).to_numpy())
        assignments = (a_rows, assign_numbers, mapped, header)
    return tasks, baselines, assignments, meta


def _finish_tasks(tasks: pd.DataFrame, problems: list[Problem], parsed_meta: dict) -> tuple[pd.DataFrame, str | None]:
    """Drop the project summary row and blank rows, infer summary/milestone flags, fill task_uid."""
    project_name = None
    if tasks.empty:
        return tasks, None
    tid = tasks["task_id"] if "task_id" in tasks else pd.Series(pd.NA, index=tasks.index, dtype="Int64")
    uid = tasks["task_uid"] if "task_uid" in tasks else pd.Series(pd.NA, index=tasks.index, dtype="Int64")
    level = tasks["outline_level"] if "outline_level" in tasks else pd.Series(pd.NA, index=tasks.index, dtype="Int64")
    is_project = ((tid == 0) | (uid == 0) | (level == 0)).fillna(False).to_numpy(bool, copy=True)
    if is_project.any():
        names = tasks.loc[is_project, "name"].dropna()
        project_name = names.iloc[0] if len(names) else None
    tasks = tasks[~is_project]
    blank = tasks["name"].isna()
    for col in ("start", "finish"):
        if col in tasks:
            blank &= tasks[col].isna()
    if blank.any():
        problems.append(Problem(f"{int(blank.sum())} blank task row(s) were skipped.", "info"))
        tasks = tasks[~blank]
    tasks = tasks.reset_index(drop=True)
    for col in TASK_COLUMNS:
        if col not in tasks:
            tasks[col] = _empty_column(col, len(tasks))
    if tasks["task_uid"].isna().all() and tasks["task_id"].notna().any():
        tasks["task_uid"] = tasks["task_id"]
        parsed_meta["task_uid_from"] = "ID (the export has no Unique ID column)"
    if tasks["outline_level"].isna().all() and tasks["outline_number"].notna().any():
        numbers = tasks["outline_number"].astype("object").where(tasks["outline_number"].notna(), None)
        tasks["outline_level"] = pd.array(
            [None if n is None else str(n).count(".") + 1 for n in numbers], dtype="Int64"
        )
        parsed_meta["outline_level_from"] = "Outline Number (1.2.3 = level 3)"
    if tasks["is_summary"].isna().all():
        lv = pd.to_numeric(tasks["outline_level"], errors="coerce")
        if lv.notna().any():
            tasks["is_summary"] = (lv.shift(-1) > lv).fillna(False).astype("boolean")
            parsed_meta["summary_from"] = "Outline Level (a row is a summary when the next row is deeper)"
        else:
            tasks["is_summary"] = pd.array([False] * len(tasks), dtype="boolean")
            parsed_meta["summary_from"] = "none (no Summary or Outline Level column: every task is a leaf)"
    if tasks["is_milestone"].isna().all():
        dur = pd.to_numeric(tasks["duration_hours"], errors="coerce")
        tasks["is_milestone"] = ((dur == 0) & ~tasks["is_summary"].fillna(False)).fillna(False).astype("boolean")
        parsed_meta["milestone_from"] = "Duration (0 days = milestone)"
    tasks["is_summary"] = tasks["is_summary"].astype("boolean").fillna(False)
    tasks["is_milestone"] = tasks["is_milestone"].astype("boolean").fillna(False)
    return tasks, project_name


def _empty_column(col: str, n: int):
    """An all-missing task column already in its final dtype."""
    if col in ("row_number", "task_uid", "task_id", "outline_level"):
        return pd.array([pd.NA] * n, dtype="Int64")
    if col in BOOL_FIELDS:
        return pd.array([pd.NA] * n, dtype="boolean")
    if col in DATE_FIELDS:
        return np.full(n, np.datetime64("NaT"), dtype="datetime64[us]")
    if col in DURATION_FIELDS or col in MONEY_FIELDS or col in PERCENT_FIELDS:
        return np.full(n, np.nan)
    return np.full(n, None, dtype=object)


def _typed_tasks(tasks: pd.DataFrame) -> pd.DataFrame:
    tasks = tasks[list(TASK_COLUMNS)].copy()
    for c in ("row_number", "task_uid", "task_id", "outline_level"):
        if tasks[c].dtype != "Int64":
            tasks[c] = pd.to_numeric(tasks[c], errors="coerce").astype("Int64")
    for c in BOOL_FIELDS:
        if tasks[c].dtype != "boolean":
            tasks[c] = tasks[c].astype("boolean")
    for c in DATE_FIELDS:
        if tasks[c].dtype != "datetime64[us]":
            tasks[c] = pd.to_datetime(tasks[c], errors="coerce").astype("datetime64[us]")
    for c in ("duration_hours", "baseline_duration_hours", "work_hours", "baseline_work_hours", "percent_complete",
              "physical_percent_complete", "cost", "baseline_cost", "actual_cost", "remaining_cost", "fixed_cost",
              "bcws", "bcwp", "acwp"):  # fmt: skip
        if tasks[c].dtype != "float64":
            tasks[c] = pd.to_numeric(tasks[c], errors="coerce").astype("float64")
    for c in ("wbs", "outline_number", "name", "fixed_cost_accrual", "earned_value_method", "resource_names",
              "predecessors", "notes"):  # fmt: skip
        if tasks[c].dtype != object or tasks[c].isna().any():
            tasks[c] = tasks[c].astype("object").where(tasks[c].notna(), None)
    return tasks


def _baseline_notice(tasks: pd.DataFrame, problems: list[Problem], had_baseline_columns: bool) -> None:
    if not had_baseline_columns:
        problems.append(Problem(MISSING_BASELINE, "info"))


def _side_table(rows: list[list], aliases, columns, problems: list[Problem], sheet: str) -> pd.DataFrame:
    hi = _header_index(rows)
    header = [str(c).strip() for c in rows[hi]] if rows else []
    mapped, _, unmapped = _map_header(header, aliases)
    _report_unmapped(unmapped, problems, sheet)
    frame, numbers = _frame(rows, hi + 1, len(header))
    cells = _Cells(numbers, problems)
    out = _convert(cells, frame, mapped, [f"{sheet}: {h}" for h in header], [*columns, "percent_work_complete"])
    for col in columns:
        if col not in out:
            out[col] = None
    return out


def _resources(rows, problems) -> pd.DataFrame:
    out = _side_table(rows, RESOURCE_ALIASES, RESOURCE_COLUMNS, problems, "Resource_Table")
    out = out[list(RESOURCE_COLUMNS)]
    if out["resource_uid"].isna().all():
        out["resource_uid"] = out["resource_id"]
    return out[out["name"].notna()].reset_index(drop=True)


def _assignments(rows, problems, tasks: pd.DataFrame) -> pd.DataFrame:
    out = _side_table(rows, ASSIGNMENT_ALIASES, ASSIGNMENT_COLUMNS, problems, "Assignment_Table")
    out = out[list(ASSIGNMENT_COLUMNS)]
    if out["task_uid"].isna().all() and out["task_name"].notna().any() and not tasks.empty:
        names = tasks.dropna(subset=["name"]).drop_duplicates("name", keep=False).set_index("name")["task_uid"]
        out["task_uid"] = out["task_name"].map(names).astype("Int64")
    return out[out["task_name"].notna() | out["task_uid"].notna()].reset_index(drop=True)


def _interleaved_assignments(spec, tasks_raw: pd.DataFrame, problems: list[Problem]) -> pd.DataFrame:
    frame, numbers, mapped, header = spec
    cells = _Cells(numbers.reset_index(drop=True), problems)
    frame = frame.reset_index(drop=True)
    conv = _convert(cells, frame, mapped, header, ("name", "work_hours", "cost", "baseline_cost", "actual_cost",
                                                   "start", "finish", "baseline_work_hours"))  # fmt: skip
    owners = frame["_owner"].to_numpy()
    out = pd.DataFrame({
        "task_uid": tasks_raw["task_uid"].reindex(owners).to_numpy() if "task_uid" in tasks_raw else None,
        "task_name": tasks_raw["name"].reindex(owners).to_numpy(),
        "resource_uid": None,
        "resource_name": conv.get("name"),
    })  # fmt: skip
    for col in ASSIGNMENT_COLUMNS:
        if col not in out:
            out[col] = conv.get(col)
    return out[list(ASSIGNMENT_COLUMNS)]


def _tabular(tables_rows: dict[str, list[list]], file_name: str, fmt: str, task_sheet: str | None) -> Parsed:
    problems: list[Problem] = []
    rows = tables_rows[task_sheet] if task_sheet else next(iter(tables_rows.values()))
    tasks_raw, baselines, interleaved, meta = _tasks_from_rows(rows, file_name, problems, task_sheet)
    keep_for_assign = tasks_raw.copy()
    tasks, project_name = _finish_tasks(tasks_raw, problems, meta)
    tasks = _typed_tasks(tasks)
    had_baseline = any(c in tasks_raw for c in ("baseline_start", "baseline_finish", "baseline_cost"))
    _baseline_notice(tasks, problems, had_baseline or not baselines.empty)
    tables = {"tasks": tasks}
    if not baselines.empty:
        uid_source = keep_for_assign["task_uid"] if "task_uid" in keep_for_assign else keep_for_assign.get("task_id")
        baselines["task_uid"] = uid_source.reindex(baselines.pop("_row")).to_numpy() if uid_source is not None else None
        kept = set(tasks["task_uid"].dropna())
        baselines = baselines[baselines["task_uid"].isin(kept)]
        for col in BASELINE_COLUMNS:
            if col not in baselines:
                baselines[col] = None
        tables["task_baselines"] = baselines[list(BASELINE_COLUMNS)].reset_index(drop=True)
    assignments = []
    if interleaved is not None:
        if "task_uid" not in keep_for_assign and "task_id" in keep_for_assign:
            keep_for_assign["task_uid"] = keep_for_assign["task_id"]
        assignments.append(_interleaved_assignments(interleaved, keep_for_assign, problems))
    for name, sheet_rows in tables_rows.items():
        base = name.rstrip("0123456789").casefold()
        if base == "resource_table" and sheet_rows:
            tables["resources"] = _resources(sheet_rows, problems)
        elif base == "assignment_table" and sheet_rows:
            assignments.append(_assignments(sheet_rows, problems, tasks))
    if assignments:
        tables["assignments"] = pd.concat([a for a in assignments if not a.empty] or assignments, ignore_index=True)
    currency = _currency_symbol(rows)
    if currency:
        meta["currency_symbol"] = currency
    meta["task_sheet"] = task_sheet
    meta["status_date"] = None
    # a tabular export carries no calendar or earned-value options: MS Project's defaults
    meta.update(minutes_per_day=480, minutes_per_week=2400, days_per_month=20, baseline_for_earned_value=0,
                earned_value_method="percent_complete", project_options="MS Project defaults (not in the export)")  # fmt: skip
    return Parsed(SOURCE, fmt, tables, problems, as_of=None, project_id=None, project_name=project_name, meta=meta)


_CURRENCY = re.compile(r"[$€£¥₫₹₽₩₺₪฿]|\b(?:USD|EUR|GBP|VND|CHF|JPY|AUD|CAD|zł|kr|R\$)\b")


def _currency_symbol(rows: list[list]) -> str | None:
    for row in rows[1:200]:
        for cell in row:
            if isinstance(cell, str) and any(ch.isdigit() for ch in cell):
                m = _CURRENCY.search(cell)
                if m:
                    return m.group(0)
    return None


def _parse_workbook(data: bytes, file_name: str) -> Parsed:
    from loaders.tabular import read_workbook

    sheets = read_workbook(data, file_name)
    task_sheet = None
    best = 0
    for name, rows in sheets.items():
        if not rows:
            continue
        header = [str(c) for c in rows[_header_index(rows)]]
        score = _task_header_score(header) + (100 if name.casefold().startswith("task_table") else 0)
        if score > best and _task_header_score(header):
            task_sheet, best = name, score
    if task_sheet is None:
        raise Refused(
            f"{file_name}: no sheet has MS Project task columns (Name plus Start/Finish or Duration); "
            'export with the Export Wizard\'s "Selected Data" map or as XML.'
        )
    names = {n.casefold() for n in sheets}
    template = {"task_table", "resource_table", "assignment_table"} <= names and task_sheet == "Task_Table"
    fmt = "MS Project Excel template" if template else "MS Project Selected Data (xlsx)"
    return _tabular(sheets, file_name, fmt, task_sheet)


def _parse_delimited(data: bytes, file_name: str) -> Parsed:
    from loaders.tabular import read_delimited

    rows, encoding, delimiter = read_delimited(data)
    parsed = _tabular({"csv": rows}, file_name, "MS Project Selected Data (csv)", None)
    parsed.meta.update(encoding=encoding, delimiter=delimiter)
    return parsed


# -- MSPDI XML -----------------------------------------------------------------------------------

_SCALAR = object()
_ISO_DUR = r"^(-)?PT(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?$"


def _local(tag) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


# a leaf as lxml serialises it: an open tag without attributes, its text, then the next tag (a
# look-ahead, so "<Task><UID>1</UID>" of a namespace-less file still yields UID)
_LEAF = re.compile(r"<([A-Za-z_][\w.-]*)>([^<]*)(?=<)")
_LEAF_PREFIXED = re.compile(r"<(?:[A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)>([^<]*)(?=<)")
_NESTED_NAMES = ("ExtendedAttribute", "Baseline", "PredecessorLink", "TimephasedData")


def _leaves(text: str, pattern: re.Pattern = _LEAF) -> dict[str, str]:
    """``<Name>text</Name>`` leaves of serialised XML (nested blocks already cut out) -> dict,
    XML escapes decoded."""
    fields = dict(pattern.findall(text))
    if "&" in text:
        from html import unescape

        fields = {k: unescape(v) if "&" in v else v for k, v in fields.items()}
    return fields


def _cut_blocks(text: str, prefix: str, names=_NESTED_NAMES) -> tuple[str, list[tuple[str, str]]]:
    """Cut ``<Name>...</Name>`` blocks out of serialised XML -> (rest, [(name, body)])."""
    found = []
    for name in names:
        opening, closing = f"<{prefix}{name}>", f"</{prefix}{name}>"
        if opening not in text:
            continue
        out, pos = [], 0
        while True:
            i = text.find(opening, pos)
            j = text.find(closing, i) if i >= 0 else -1
            if j < 0:
                break
            found.append((name, text[i + len(opening) : j]))
            out.append(text[pos:i])
            pos = j + len(closing)
        out.append(text[pos:])
        text = "".join(out)
    return text, found


def _iter_mspdi(data: bytes, file_name: str):
    """Stream an MSPDI file: yields ``(kind, fields, baselines, links, timephased)`` for each
    ``Task``/``Resource``/``Assignment`` and finally ``("Project", fields, [], [], [])``.

    lxml ``iterparse`` (entities and network off) stops only at record elements; each record is
    serialised by lxml and its leaves read with one regular expression (C speed, no Python object
    per child element), then cleared and detached, so memory stays bounded by one record.
    """
    from lxml import etree

    try:
        context = etree.iterparse(
            io.BytesIO(data), events=("end",), tag=("{*}Task", "{*}Resource", "{*}Assignment"),
            resolve_entities=False, no_network=True, load_dtd=False, huge_tree=True, remove_comments=True,
            remove_pis=True,
        )  # fmt: skip
        for _event, el in context:
            parent = el.getparent()
            if parent is None or _local(parent.tag) not in ("Tasks", "Resources", "Assignments"):
                continue
            text = etree.tostring(el, encoding="unicode", with_tail=False)
            prefix = f"{el.prefix}:" if el.prefix else ""
            pattern = _LEAF_PREFIXED if prefix else _LEAF
            el.clear(keep_tail=False)
            parent.remove(el)
            baselines, links, phased = [], [], []
            text, nested = _cut_blocks(text, prefix)
            for name, body in nested:
                if name == "Baseline":
                    body, inner = _cut_blocks(body, prefix, ("TimephasedData",))
                    phased.extend(_leaves(b, pattern) for _n, b in inner)
                    baselines.append(_leaves(body, pattern))
                elif name == "PredecessorLink":
                    links.append(_leaves(body, pattern))
                elif name == "TimephasedData":
                    phased.append(_leaves(body, pattern))
            yield _local(el.tag), _leaves(text, pattern), baselines, links, phased
        root = context.root
    except etree.XMLSyntaxError as err:
        if re.search(r"<!(?:DOCTYPE|ENTITY)\b", _xml_head(data)):
            raise Refused(
                f"{file_name}: the file contains a DOCTYPE with entity declarations, which are not accepted for "
                "safety (MS Project never writes them); save the plan as XML from MS Project again."
            ) from None
        raise Refused(
            f"{file_name}: the XML is damaged ({err.msg}, line {err.lineno}); save the plan as XML again."
        ) from None
    if root is None or _local(root.tag) != "Project":
        raise Refused(f"{file_name}: the XML root is not <Project>; save the plan from MS Project as XML (MSPDI).")
    project = {_local(c.tag): c.text for c in root if isinstance(c.tag, str) and len(c) == 0}
    yield "Project", project, [], [], []


_TASK_KEYS = (
    "UID", "ID", "Name", "IsNull", "WBS", "OutlineNumber", "OutlineLevel", "Summary", "Milestone", "Start", "Finish",
    "ActualStart", "ActualFinish", "Deadline", "Duration", "Work", "PercentComplete", "PhysicalPercentComplete",
    "Cost", "ActualCost", "RemainingCost", "FixedCost", "FixedCostAccrual", "BCWS", "BCWP", "ACWP",
    "EarnedValueMethod", "Notes", "_pos",
)  # fmt: skip


def _columns(records: list[dict], keys=None) -> pd.DataFrame:
    """Records -> frame of raw text columns (object dtype), only ``keys`` when given."""
    if not records:
        return pd.DataFrame()
    if keys is None:
        keys = list(dict.fromkeys(k for r in records[:1000] for k in r))
        keys += [k for k in {k for r in records for k in r} if k not in keys]
    keys = list(keys)
    defaults = dict.fromkeys(keys)
    getter = itemgetter(*keys) if len(keys) > 1 else (lambda r: (r[keys[0]],))

    def pick(record):
        try:
            return getter(record)  # C-level: one tuple per record
        except KeyError:
            return getter({**defaults, **record})

    rows = list(map(pick, records))
    data = {}
    for k, column in zip(keys, zip(*rows, strict=True), strict=True):
        if any(x is not None for x in column):
            data[k] = np.array(column, dtype=object)
    return pd.DataFrame(data, dtype="object")


def parse_mspdi(data: bytes, file_name: str) -> Parsed:
    """MSPDI XML -> Parsed (see the module docstring)."""
    head = _xml_head(data)[:4096]
    if NS not in head and "<Project" not in head:
        raise Refused(f"{file_name}: this XML is not an MS Project (MSPDI) file; save the plan from MS Project as XML.")
    problems: list[Problem] = []
    tasks, resources, assignments = [], [], []
    baselines, links, phased, assignment_phased = [], [], [], []
    project: dict[str, str | None] = {}
    task_pos = 0
    for kind, fields, b, p, t in _iter_mspdi(data, file_name):
        if kind == "Task":
            task_pos += 1
            fields["_pos"] = task_pos
            tasks.append(fields)
            if b or p or t:
                uid = fields.get("UID")
                baselines.extend({**x, "_uid": uid} for x in b)
                links.extend({**x, "_uid": uid} for x in p)
                phased.extend({**x, "_uid": uid} for x in t)
        elif kind == "Resource":
            resources.append(fields)
        elif kind == "Assignment":
            assignments.append(fields)
            tuid = fields.get("TaskUID")
            assignment_phased.extend({**x, "_uid": tuid} for x in t if x.get("Type") in _ASSIGNMENT_BASELINE_TYPES)
        else:
            project = fields

    def num(key, default):
        try:
            return float(project.get(key)) if project.get(key) not in (None, "") else default
        except ValueError:
            return default

    calendar = {"minutes_per_day": num("MinutesPerDay", 480), "minutes_per_week": num("MinutesPerWeek", 2400),
                "days_per_month": num("DaysPerMonth", 20)}  # fmt: skip
    status = pd.to_datetime(project.get("StatusDate"), errors="coerce") if project.get("StatusDate") else None
    as_of = None if status is None or pd.isna(status) else status.date()
    ev_default = EV_METHODS.get(
        str(project.get("DefaultTaskEVMethod", project.get("EarnedValueMethod", "0"))), "percent_complete"
    )
    bfev = int(num("BaselineForEarnedValue", 0))
    meta = {
        "status_date": as_of.isoformat() if as_of else None,
        "current_date": project.get("CurrentDate"),
        **calendar,
        "baseline_for_earned_value": bfev,
        "earned_value_method": ev_default,
        "default_fixed_cost_accrual": ACCRUALS.get(str(project.get("DefaultFixedCostAccrual"))),
        "currency_symbol": project.get("CurrencySymbol"),
        "currency_code": project.get("CurrencyCode"),
        "save_version": project.get("SaveVersion"),
        "date_orders": {},
    }
    frame = _columns(tasks, _TASK_KEYS)
    del tasks
    out, project_name = _mspdi_tasks(frame, calendar, problems, ev_default)
    title = (project.get("Title") or "").strip() or None
    name = (project.get("Name") or "").strip() or None
    if name and re.search(r"\.(xml|mpp)$", name, re.I):
        name = None
    project_name = title or name or project_name
    tables = {"tasks": out}
    id_of = dict(zip(frame.get("UID", []), frame.get("ID", []), strict=False)) if not frame.empty else {}
    if links:
        out["predecessors"] = out["task_uid"].map(_predecessor_text(links, id_of, calendar))
    res = _mspdi_resources(_columns(resources), calendar, problems)
    tables["resources"] = res
    asg = _mspdi_assignments(_columns(assignments), calendar, problems, res)
    tables["assignments"] = asg
    if not asg.empty and out["resource_names"].isna().all():
        names = asg.dropna(subset=["resource_name"]).groupby("task_uid")["resource_name"].agg(", ".join)
        out["resource_names"] = out["task_uid"].map(names)
    kept = set(out["task_uid"].dropna().astype(int))
    tb = _mspdi_baselines(_columns(baselines), calendar, problems, kept)
    tables["task_baselines"] = tb
    base0 = tb[tb["baseline_number"] == 0].drop_duplicates("task_uid").set_index("task_uid")
    for src, dst in (("start", "baseline_start"), ("finish", "baseline_finish"), ("duration_hours", "baseline_duration_hours"),
                     ("work_hours", "baseline_work_hours"), ("cost", "baseline_cost")):  # fmt: skip
        out[dst] = out["task_uid"].map(base0[src]) if not base0.empty else out[dst]
    tp = _mspdi_timephased(_columns(phased), _columns(assignment_phased), kept, tb, meta)
    if not tp.empty:
        tables["timephased_baseline"] = tp
    if tb.empty:
        problems.append(Problem(MISSING_BASELINE_XML, "info"))
    tables["tasks"] = _typed_tasks(out)
    meta["baselines"] = sorted(int(n) for n in tb["baseline_number"].dropna().unique()) if not tb.empty else []
    return Parsed(
        SOURCE, "MSPDI XML", tables, problems, as_of=as_of, project_id=None, project_name=project_name, meta=meta
    )


_ASSIGNMENT_BASELINE_TYPES = {"4", "5", *(str(16 + 6 * (n - 1) + k) for n in range(1, 11) for k in (0, 1))}


def _col(frame: pd.DataFrame, key: str) -> pd.Series:
    if key in frame:
        return frame[key]
    return pd.Series([None] * len(frame), index=frame.index, dtype="object")


class _XmlCells:
    """Vectorised conversion of MSPDI text columns with a problem per unreadable value."""

    def __init__(self, frame: pd.DataFrame, problems: list[Problem], calendar: dict, rows: pd.Series | None = None,
                 label: str = "Task"):  # fmt: skip
        self.frame = frame
        self.problems = problems
        self.calendar = calendar
        self.rows = rows
        self.label = label

    def _report(self, raw: pd.Series, bad: np.ndarray, key: str, what: str) -> None:
        for i in np.flatnonzero(bad):
            row = None if self.rows is None else int(self.rows.iloc[i])
            self.problems.append(Problem(f"{self.label} {key} is not {what}; left empty.", "warning", row, key,
                                         str(raw.iloc[i])))  # fmt: skip

    def number(self, key: str, scale: float = 1.0) -> pd.Series:
        raw = _col(self.frame, key)
        values = _fast_float(raw)
        bad = (values.isna() & raw.notna()).to_numpy(bool, copy=True)
        if bad.any():
            bad &= (raw.astype("str").str.strip() != "").to_numpy(bool)
            self._report(raw, bad, key, "a number")
        return values.astype("float64") / scale

    def integer(self, key: str) -> pd.Series:
        return self.number(key).round().astype("Int64")

    def flag(self, key: str) -> pd.Series:
        raw = _col(self.frame, key).astype("str").str.strip().str.lower()
        out = raw.map({"1": True, "0": False, "true": True, "false": False})
        return out.astype("boolean")

    def date(self, key: str) -> pd.Series:
        raw = _col(self.frame, key)
        values = pd.to_datetime(raw, format="ISO8601", errors="coerce")
        bad = (values.isna() & raw.notna() & (raw.astype("str").str.strip() != "")).to_numpy(bool, copy=True)
        if bad.any():
            values = values.astype("object")
            for i in np.flatnonzero(bad):
                try:  # a hand-made file may write other date forms
                    from loaders.values import parse_date

                    values.iloc[i] = parse_date(raw.iloc[i])
                    bad[i] = False
                except ValueError:
                    pass
            values = pd.to_datetime(values, errors="coerce")
        self._report(raw, bad, key, "a date")
        if getattr(values.dt, "tz", None) is not None:
            values = values.dt.tz_localize(None)
        return values.astype("datetime64[us]")

    def duration(self, key: str) -> pd.Series:
        raw = _col(self.frame, key)
        return _iso_hours(raw, self, key)


def _fast_float(raw: pd.Series) -> pd.Series:
    """Text numbers -> float64 through one Arrow cast; pandas' parser (NaN for junk) otherwise."""
    try:
        arr = pc.utf8_trim_whitespace(pa.array(raw.to_numpy(object), type=pa.string()))
        arr = pc.if_else(pc.equal(arr, ""), pa.scalar(None, pa.string()), arr)
        return pd.Series(pc.cast(arr, pa.float64()).to_numpy(zero_copy_only=False), index=raw.index, dtype="float64")
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
        return pd.to_numeric(raw, errors="coerce").astype("float64")


def _iso_hours(raw: pd.Series, cells: _XmlCells | None, key: str) -> pd.Series:
    """ISO-8601 ``PT40H0M0S`` text -> hours, vectorised (pyarrow RE2); other forms per cell."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if raw.empty:
        return pd.Series([], index=raw.index, dtype="float64")
    arr = pa.array(raw.where(raw.notna(), None).astype("object").tolist(), type=pa.string())
    arr = pc.utf8_trim_whitespace(arr)
    parts = pc.extract_regex(
        arr, r"^(?P<neg>-?)PT(?:(?P<h>\d+(?:\.\d+)?)H)?(?:(?P<m>\d+(?:\.\d+)?)M)?(?:(?P<s>\d+(?:\.\d+)?)S)?$"
    )

    def field(name):
        values = pc.struct_field(parts, name)
        values = pc.if_else(pc.equal(values, ""), None, values)
        return pd.Series(pc.cast(values, pa.float64()).to_numpy(zero_copy_only=False), index=raw.index).fillna(0.0)

    matched = pd.Series(pc.is_valid(parts).to_numpy(zero_copy_only=False), index=raw.index)
    hours = field("h") + field("m") / 60 + field("s") / 3600
    negative = pd.Series(pc.fill_null(pc.equal(pc.struct_field(parts, "neg"), "-"), False).to_numpy(zero_copy_only=False),
                         index=raw.index)  # fmt: skip
    hours = hours.where(~negative, -hours).where(matched, np.nan).astype("float64")
    present = pd.Series(
        pc.fill_null(pc.greater(pc.utf8_length(arr), 0), False).to_numpy(zero_copy_only=False), index=raw.index
    )
    for i in np.flatnonzero((present & ~matched).to_numpy(bool, copy=True)):
        try:
            hours.iloc[i] = parse_iso_duration(raw.iloc[i])
        except ValueError:
            try:
                hours.iloc[i] = float(raw.iloc[i]) / 600  # a bare number: tenths of a minute, as LinkLag
            except ValueError:
                if cells is not None:
                    cells._report(raw.iloc[i : i + 1], np.array([True]), key, "an ISO-8601 duration")
    return hours


def _mspdi_tasks(frame: pd.DataFrame, calendar: dict, problems: list[Problem], ev_default: str):
    if frame.empty:
        return pd.DataFrame(columns=TASK_COLUMNS), None
    rows = frame["_pos"]
    c = _XmlCells(frame, problems, calendar, rows)
    uid = c.integer("UID")
    is_null = c.flag("IsNull").fillna(False).to_numpy(bool, copy=True)
    project_row = (uid == 0).fillna(False).to_numpy(bool, copy=True)
    project_name = None
    if project_row.any():
        project_name = _col(frame, "Name")[project_row].dropna()
        project_name = project_name.iloc[0] if len(project_name) else None
    out = pd.DataFrame({
        "row_number": rows.astype("Int64"),
        "task_uid": uid,
        "task_id": c.integer("ID"),
        "wbs": _col(frame, "WBS"),
        "outline_number": _col(frame, "OutlineNumber"),
        "name": _col(frame, "Name"),
        "outline_level": c.integer("OutlineLevel"),
        "is_summary": c.flag("Summary"),
        "is_milestone": c.flag("Milestone"),
        "start": c.date("Start"),
        "finish": c.date("Finish"),
        "actual_start": c.date("ActualStart"),
        "actual_finish": c.date("ActualFinish"),
        "baseline_start": pd.NaT,
        "baseline_finish": pd.NaT,
        "deadline": c.date("Deadline"),
        "duration_hours": c.duration("Duration"),
        "baseline_duration_hours": np.nan,
        "work_hours": c.duration("Work"),
        "baseline_work_hours": np.nan,
        "percent_complete": c.number("PercentComplete"),
        "physical_percent_complete": c.number("PhysicalPercentComplete"),
        "cost": c.number("Cost", 100),
        "baseline_cost": np.nan,
        "actual_cost": c.number("ActualCost", 100),
        "remaining_cost": c.number("RemainingCost", 100),
        "fixed_cost": c.number("FixedCost", 100),
        "fixed_cost_accrual": _col(frame, "FixedCostAccrual").map(ACCRUALS),
        "bcws": c.number("BCWS", 100),
        "bcwp": c.number("BCWP", 100),
        "acwp": c.number("ACWP", 100),
        "earned_value_method": _col(frame, "EarnedValueMethod").map(EV_METHODS).fillna(ev_default),
        "resource_names": None,
        "predecessors": None,
        "notes": _col(frame, "Notes").str.strip() if "Notes" in frame else None,
    })  # fmt: skip
    if is_null.any():
        problems.append(Problem(f"{int(is_null.sum())} blank (IsNull) task row(s) were skipped.", "info"))
    out = out[~is_null & ~project_row].reset_index(drop=True)
    if out["is_summary"].isna().all():
        lv = out["outline_level"].astype("float64")
        out["is_summary"] = (lv.shift(-1) > lv).fillna(False).astype("boolean")
    out["is_summary"] = out["is_summary"].fillna(False)
    out["is_milestone"] = out["is_milestone"].fillna(False)
    return out, project_name


def _predecessor_text(links: list[dict], id_of: dict, calendar: dict) -> pd.Series:
    """Predecessor links -> MS Project's own notation by task ID: ``3``, ``5SS``, ``7FS+2d``."""
    types = {"0": "FF", "1": "FS", "2": "SF", "3": "SS"}
    hours_per_day = calendar["minutes_per_day"] / 60
    per_task: dict[str, list[str]] = {}
    for link in links:
        pred = link.get("PredecessorUID")
        if pred is None:
            continue
        ref = id_of.get(pred, pred)
        kind = types.get(str(link.get("Type", "1")), "FS")
        text = f"{ref}{'' if kind == 'FS' else kind}"
        try:
            lag_hours = float(link.get("LinkLag") or 0) / 600
        except ValueError:
            lag_hours = 0.0
        if lag_hours:
            days = lag_hours / hours_per_day
            text = f"{ref}{kind}{'+' if days > 0 else ''}{days:g}d"
        per_task.setdefault(link["_uid"], []).append(text)
    return pd.Series({int(k): ",".join(v) for k, v in per_task.items() if k is not None and k.lstrip("-").isdigit()})


def _mspdi_resources(frame: pd.DataFrame, calendar: dict, problems: list[Problem]) -> pd.DataFrame:
    if frame.empty:
        return pd.DataFrame(columns=RESOURCE_COLUMNS)
    c = _XmlCells(frame, problems, calendar, None, "Resource")
    types = {"0": "Material", "1": "Work", "2": "Cost"}
    out = pd.DataFrame({
        "resource_uid": c.integer("UID"), "resource_id": c.integer("ID"), "name": _col(frame, "Name"),
        "type": _col(frame, "Type").map(types), "initials": _col(frame, "Initials"), "group": _col(frame, "Group"),
        "max_units": c.number("MaxUnits") * 100, "standard_rate": c.number("StandardRate"),
        "overtime_rate": c.number("OvertimeRate"), "cost_per_use": c.number("CostPerUse", 100),
        "cost": c.number("Cost", 100), "baseline_cost": c.number("BaselineCost", 100),
        "actual_cost": c.number("ActualCost", 100), "work_hours": c.duration("Work"),
    })  # fmt: skip
    keep = ~c.flag("IsNull").fillna(False).to_numpy(bool, copy=True) & (out["resource_uid"] != 0).fillna(True).to_numpy(
        bool, copy=True
    )
    return out[keep].reset_index(drop=True)


def _mspdi_assignments(
    frame: pd.DataFrame, calendar: dict, problems: list[Problem], resources: pd.DataFrame
) -> pd.DataFrame:
    if frame.empty:
        return pd.DataFrame(columns=ASSIGNMENT_COLUMNS)
    c = _XmlCells(frame, problems, calendar, None, "Assignment")
    out = pd.DataFrame({
        "task_uid": c.integer("TaskUID"), "task_name": None, "resource_uid": c.integer("ResourceUID"),
        "resource_name": None, "units": c.number("Units") * 100, "work_hours": c.duration("Work"),
        "baseline_work_hours": c.duration("BaselineWork"), "actual_work_hours": c.duration("ActualWork"),
        "cost": c.number("Cost", 100), "baseline_cost": c.number("BaselineCost", 100),
        "actual_cost": c.number("ActualCost", 100), "start": c.date("Start"), "finish": c.date("Finish"),
    })  # fmt: skip
    if not resources.empty:
        names = resources.dropna(subset=["resource_uid"]).set_index("resource_uid")["name"]
        out["resource_name"] = out["resource_uid"].map(names)
    # ResourceUID -65535 = "unassigned" placeholder
    return out[(out["resource_uid"] != -65535).fillna(True).to_numpy(bool, copy=True)].reset_index(drop=True)


def _mspdi_baselines(frame: pd.DataFrame, calendar: dict, problems: list[Problem], kept: set) -> pd.DataFrame:
    if frame.empty:
        return pd.DataFrame(columns=BASELINE_COLUMNS)
    c = _XmlCells(frame, problems, calendar, None, "Baseline")
    out = pd.DataFrame({
        "task_uid": pd.to_numeric(frame["_uid"], errors="coerce").astype("Int64"),
        "baseline_number": c.integer("Number").fillna(0),
        "start": c.date("Start"), "finish": c.date("Finish"), "duration_hours": c.duration("Duration"),
        "work_hours": c.duration("Work"), "cost": c.number("Cost", 100), "bcws": c.number("BCWS", 100),
        "bcwp": c.number("BCWP", 100),
    })  # fmt: skip
    if "Interim" in frame:
        out = out[
            _col(frame, "Interim").fillna("0").astype("str").str.strip().isin(["0", "false"]).to_numpy(bool, copy=True)
        ]
    return out[out["task_uid"].isin(kept)].reset_index(drop=True)


def _timephased_kind(type_code: int) -> tuple[int, str, str] | None:
    """TimephasedData Type -> (baseline number, 'task'|'assignment', 'work'|'cost')."""
    if type_code == 9:
        return 0, "task", "work"
    if type_code == 10:
        return 0, "task", "cost"
    if type_code == 4:
        return 0, "assignment", "work"
    if type_code == 5:
        return 0, "assignment", "cost"
    if 16 <= type_code <= 75:
        n, k = divmod(type_code - 16, 6)
        owner = ("assignment", "assignment", "task", "task", "resource", "resource")[k]
        return n + 1, owner, ("work", "cost")[k % 2]
    return None


def _mspdi_timephased(task_tp: pd.DataFrame, asg_tp: pd.DataFrame, kept: set, baselines: pd.DataFrame, meta: dict):
    """Task time-phased baseline cost/work (types 9/10, 18+6k/19+6k); when a task has none,
    its assignments' baseline cost/work (types 4/5, 16+6k/17+6k) summed per period."""
    frames = []
    for source, frame in (("task", task_tp), ("assignment", asg_tp)):
        if frame.empty or "Type" not in frame:
            continue
        kinds = pd.to_numeric(frame["Type"], errors="coerce").map(
            lambda t: _timephased_kind(int(t)) if t == t else None
        )  # fmt: skip
        ok = kinds.map(lambda k, owner=source: k is not None and k[1] == owner).to_numpy(bool, copy=True)
        if not ok.any():
            continue
        sub = frame[ok]
        kinds = kinds[ok]
        value = _col(sub, "Value")
        part = pd.DataFrame({
            "task_uid": pd.to_numeric(sub["_uid"], errors="coerce").astype("Int64"),
            "baseline_number": kinds.map(lambda k: k[0]).astype("int64"),
            "start": pd.to_datetime(_col(sub, "Start"), format="ISO8601", errors="coerce"),
            "finish": pd.to_datetime(_col(sub, "Finish"), format="ISO8601", errors="coerce"),
            "measure": kinds.map(lambda k: k[2]),
            "source": source,
        })  # fmt: skip
        is_work = (part["measure"] == "work").to_numpy(bool, copy=True)
        part["work_hours"] = np.where(is_work, _iso_hours(value, None, "Value"), np.nan)
        part["cost"] = np.where(~is_work, pd.to_numeric(value, errors="coerce"), np.nan)
        frames.append(part)
    if not frames:
        return pd.DataFrame(columns=TIMEPHASED_COLUMNS)
    tp = pd.concat(frames, ignore_index=True)
    tp = tp[tp["task_uid"].isin(kept) & (tp["cost"].notna() | tp["work_hours"].notna()).to_numpy(bool)]
    task_keys = set(
        zip(tp.loc[tp.source == "task", "task_uid"], tp.loc[tp.source == "task", "baseline_number"], strict=False)
    )
    from_asg = tp.source == "assignment"
    if from_asg.any():
        dup = [
            k in task_keys for k in zip(tp.loc[from_asg, "task_uid"], tp.loc[from_asg, "baseline_number"], strict=False)
        ]
        tp = tp.drop(tp.index[from_asg][dup])
    if tp.empty:
        return pd.DataFrame(columns=TIMEPHASED_COLUMNS)
    grouped = tp.groupby(["task_uid", "baseline_number", "start", "finish"], as_index=False, dropna=False).agg(
        cost=("cost", lambda s: s.sum(min_count=1)), work_hours=("work_hours", lambda s: s.sum(min_count=1))
    )  # fmt: skip
    # Time-phased cost values: MSPDI writes money in hundredths elsewhere; calibrate against the
    # baseline totals where both exist, else assume hundredths like every other money field.
    scale = 100.0
    if not baselines.empty and grouped["cost"].notna().any():
        totals = grouped.groupby(["task_uid", "baseline_number"])["cost"].sum()
        base = baselines.set_index(["task_uid", "baseline_number"])["cost"]
        both = totals.index.intersection(base.index)
        if len(both):
            ratio = totals.loc[both].sum() / max(base.loc[both].sum(), 1e-9)
            if 0.5 < ratio < 2:
                scale = 1.0
    grouped["cost"] = grouped["cost"] / scale
    meta["timephased_cost_scale"] = "hundredths" if scale == 100 else "currency units"
    grouped["start"] = grouped["start"].astype("datetime64[us]")
    grouped["finish"] = grouped["finish"].astype("datetime64[us]")
    return grouped[list(TIMEPHASED_COLUMNS)]

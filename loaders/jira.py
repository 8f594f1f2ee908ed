"""Jira exports -> dated issue snapshots (``issues`` and ``issue_sprints``).

Reads, detected from the bytes (never the extension):

* CSV "all fields" (starts ``Summary,Issue key,…``) and "current fields" (starts ``Issue Type,…``,
  may lack ``Issue key``), UTF-8 with or without BOM or cp1252 (Excel), delimiter sniffed;
* the old "Excel" export: an HTML table named ``.xls``;
* a CSV opened and re-saved by Excel as ``.csv`` (cp1252, ``dd/mm/yyyy HH:MM`` dates, ``;``
  separators) or as ``.xlsx`` (dates as serial numbers).

Headers are read **positionally** and repeated headers are grouped (Sprint ×N, Labels ×N, …; values
left-packed, the last Sprint = the latest). Header names go through :data:`HEADER_ALIASES` (English
old and new names, Spanish, German, French, Polish, Portuguese, whose gendered labels such as
``Atualizado(a)`` lose their ``(a)``/``(o)`` suffix); ``Custom field (…)`` prefixes in
any of those languages are stripped before matching. Story points: several candidate columns can each
be filled for some issues (one export spanning company- and team-managed projects: ``Story Points``
and ``Story point estimate``); per row the most filled column wins, else the next one holding a value,
and rows where the columns disagree are counted in one warning.

The heavy lifting is DuckDB: the CSV is read once with ``read_csv(all_varchar)`` keeping only the
columns this loader maps (rows whose cell count differs from the header are collected with
``store_rejects`` and reported as errors with their row number, never shifted); every conversion is
vectorised SQL over that table — dates through the grammar in :func:`_setup_macros` (a fast
``%d/%b/%y %I:%M %p`` path, then localized month names in en/es/de/fr/pl/pt, 24-hour, AM/PM,
Excel day-first or month-first numbers, ISO, Excel serials), numbers with ``.`` or ``,``, seconds ->
hours, status categories, parent ids -> keys, epic names -> keys, sprint lists. Statuses and issue
types are classified per *distinct* value in Python; the result rows come back as one Arrow table.

Public API: ``SOURCE``, :func:`sniff`, :func:`parse`, :data:`STATUS_CATEGORY_DEFAULTS` (editable
status-name -> category defaults used when the file has no ``Status Category`` column),
:data:`HEADER_ALIASES`, :data:`CATEGORY_VALUES`, :func:`type_kind`.
"""

from __future__ import annotations

import bisect
import csv
import dataclasses
import io
import os
import re
import tempfile
from collections import Counter

import duckdb
import pandas as pd

from loaders.base import Parsed, Problem, Refused, Sample
from loaders.generated_at import footer_text, generated_at, use_generated_as_of, without_footer
from loaders.tabular import decode, read_workbook, sniff_delimiter
from loaders.values import normalize_header

SOURCE = "jira"

TRUNCATION_ROWS = 1000
EXACT_ROWS_BYTES = 32 << 20  # below this size, empty lines in a CSV are found and counted exactly
MAX_LINE_SIZE = 8_000_000  # bytes in one CSV record (long descriptions and comments)
MAX_CSV_BUFFER = 1 << 30  # the CSV reader's buffer for big files: the whole file up to this size
BIG_CSV_BYTES = 16 * MAX_LINE_SIZE  # DuckDB's default buffer; bigger files get MAX_CSV_BUFFER
SMALL_ROWS = 100_000  # below this many rows the typed cells are materialised once (query binding dominates)
MAX_CELL_PROBLEMS = 200  # per column and kind; the rest are summarised in one problem

# --------------------------------------------------------------------------------------------------
# Header aliases

_CUSTOM_FIELD = re.compile(
    r"^(custom field|campo personalizado|benutzerdefiniertes feld|champ personnalisé|champ personnalise|"
    r"pole niestandardowe|campo customizado|campo personalizável)\s*\((.*)\)$"
)

# fmt: off
#: canonical field -> header names (any case; ``_``/``-``/spaces folded), most preferred first.
HEADER_ALIASES: dict[str, list[str]] = {
    "summary": ["Summary", "Resumen", "Zusammenfassung", "Résumé", "Podsumowanie", "Resumo"],
    "issue_key": [
        "Issue key", "Key", "Clave de incidencia", "Clave", "Vorgangsschlüssel", "Schlüssel", "Clé de ticket",
        "Clé du ticket", "Clé", "Klucz zgłoszenia", "Klucz", "Chave do item", "Chave da item", "Chave da issue",
        "Chave do ticket", "Chave",
    ],
    "issue_id": [
        "Issue id", "ID de la incidencia", "Vorgangs-ID", "Vorgangs ID", "ID de ticket", "ID du ticket",
        "Id. zgłoszenia", "Id zgłoszenia", "ID do item", "ID da item", "ID da issue",
    ],
    "issue_type": [
        "Issue Type", "Type", "Tipo de Incidencia", "Vorgangstyp", "Type de ticket", "Typ zgłoszenia",
        "Tipo de item", "Tipo de issue", "Tipo de ticket",
    ],
    "status": ["Status", "Estado", "État", "Statut", "Situação"],
    "status_category": [
        "Status Category", "Categoría de estado", "Statuskategorie", "Catégorie d'état", "Catégorie de statut",
        "Kategoria statusu", "Categoria de status", "Categoria do status",
    ],
    "project_key": [
        "Project key", "Clave del proyecto", "Projektschlüssel", "Clé de projet", "Clé du projet", "Klucz projektu",
        "Chave do projeto",
    ],
    "project_name": [
        "Project name", "Nombre del proyecto", "Projektname", "Nom du projet", "Nazwa projektu", "Nome do projeto",
        "Project", "Proyecto", "Projekt", "Projet", "Projeto",
    ],
    "priority": ["Priority", "Prioridad", "Priorität", "Priorité", "Priorytet", "Prioridade"],
    "resolution": ["Resolution", "Resolución", "Lösung", "Résolution", "Rozwiązanie", "Resolução"],
    "assignee": [
        "Assignee", "Persona asignada", "Responsable", "Zugewiesene Person", "Bearbeiter", "Osoba przypisana",
        "Responsável",
    ],
    "reporter": ["Reporter", "Informador", "Autor", "Melder", "Rapporteur", "Osoba zgłaszająca", "Relator"],
    "created": ["Created", "Creada", "Creado", "Erstellt", "Création", "Créé", "Utworzono", "Criado", "Criada"],
    "updated": [
        "Updated", "Actualizada", "Actualizado", "Aktualisiert", "Mise à jour", "Mis à jour", "Zaktualizowano",
        "Atualizado", "Atualizada",
    ],
    "resolved": [
        "Resolved", "Resuelta", "Resuelto", "Erledigt", "Gelöst", "Résolu", "Résolue", "Rozwiązane", "Resolvido",
        "Resolvida",
    ],
    "due": [
        "Due date", "Fecha de vencimiento", "Fälligkeitsdatum", "Date d'échéance", "Échéance", "Termin",
        "Data de vencimento", "Data limite",
    ],
    "original_estimate": [
        "Original estimate", "Estimación original", "Ursprüngliche Schätzung", "Estimation originale",
        "Estimation d'origine", "Pierwotne oszacowanie", "Estimativa original",
    ],
    "remaining_estimate": [
        "Remaining Estimate", "Trabajo restante estimado", "Estimación restante", "Verbleibende Schätzung",
        "Estimation restante", "Temps restant estimé", "Pozostały koszt", "Pozostałe oszacowanie",
        "Estimativa restante",
    ],
    "time_spent": [
        "Time Spent", "Tiempo Trabajado", "Tiempo empleado", "Benötigte Zeit", "Erfasste Zeit", "Temps consacré",
        "Temps passé", "Czas poświęcony", "Tempo gasto",
    ],
    # numeric Issue id of the parent (Cloud `Parent`, legacy `Parent id`) or a key
    "parent_ref": [
        "Parent id", "Parent", "Principal", "Padre", "Übergeordnet", "Übergeordneter Vorgang", "Élément parent",
        "Nadrzędne", "Element nadrzędny", "Pai",
    ],
    "parent_key": [
        "Parent key", "Clave principal", "Clave del padre", "Übergeordneter Schlüssel", "Clé parente",
        "Clé du parent", "Klucz nadrzędny", "Klucz elementu nadrzędnego", "Chave pai", "Chave principal",
    ],
    "epic_link": [
        "Epic Link", "Enlace de épica", "Enlace a épica", "Epic-Verknüpfung", "Lien de l'epic", "Lien epic",
        "Link do epiku", "Epik", "Link do épico", "Vínculo do épico",
    ],
    "epic_name": ["Epic Name", "Nombre de épica", "Epic-Name", "Nom de l'epic", "Nazwa epiku", "Nome do épico"],
    "team": ["Team Name", "Team", "Equipo", "Équipe", "Zespół", "Equipe"],
    # multi-valued (repeated headers)
    "sprint": ["Sprint"],
    "labels": ["Labels", "Etiquetas", "Stichwörter", "Étiquettes", "Etykiety", "Rótulos"],
    "fix_versions": [
        "Fix versions", "Fix Version/s", "Versiones de corrección", "Versión de corrección", "Lösungsversion(en)",
        "Lösungsversionen", "Korrekturversionen", "Versions corrigées", "Version(s) corrigée(s)", "Wersje poprawek",
        "Poprawka w wersji", "Versões de correção", "Versão de correção",
    ],
    "components": [
        "Components", "Component/s", "Componentes", "Komponente(n)", "Komponenten", "Composants", "Composant(s)",
        "Komponenty",
    ],
}

MULTI_FIELDS = ("sprint", "labels", "fix_versions", "components")

#: story-point candidate headers (after stripping a ``Custom field (…)`` prefix)
STORY_POINT_ALIASES = [
    "Story Points", "Story point estimate", "Story points", "${field_Story_Points}", "Story-Punkte", "Story Point",
    "Puntos de historia", "Estimación de puntos de historia", "Points d'histoire", "Estimation en points de story",
    "Punkty historyjki", "Story pointy", "Pontos de história", "Estimativa de pontos de história",
]

# fmt: on
#: Portuguese (pt-BR) labels written for either gender: ``Atualizado(a)``, ``Criado(a)``, ``Resolvido(a)``,
#: ``Relator(a)``… The ``(a)``/``(o)`` (and plural ``(as)``/``(os)``) suffix after a word is dropped
#: before matching, so every alias above also matches its gendered form. Plural suffixes of other
#: languages (``Composant(s)``, ``Komponente(n)``) are not touched.
_GENDER_SUFFIX = re.compile(r"(?<=[^\W\d_])\s*\((?:a|o|as|os)\)$")


def _header_key(name: str) -> str:
    """A header cell -> the key the alias tables are matched on (:func:`normalize_header`, minus a
    Portuguese gender suffix)."""
    return _GENDER_SUFFIX.sub("", normalize_header(name))


_ALIAS_INDEX: dict[str, str] = {}
for _field, _names in HEADER_ALIASES.items():
    for _name in _names:
        _ALIAS_INDEX.setdefault(_header_key(_name), _field)
_STORY_POINTS = {_header_key(n) for n in STORY_POINT_ALIASES}
_SPECIFIC_TYPE = {_header_key(n) for n in HEADER_ALIASES["issue_type"]} - {"type"}
_SPECIFIC_KEY = {_header_key(n) for n in HEADER_ALIASES["issue_key"]} - {
    "key",
    "clave",
    "schlüssel",
    "clé",
    "klucz",
    "chave",
}

# --------------------------------------------------------------------------------------------------
# Values: status categories, sub-task and epic types, months

_TODO, _PROGRESS, _DONE = "To Do", "In Progress", "Done"

# fmt: off
#: Localized values of Jira's ``Status Category`` column -> canonical category.
CATEGORY_VALUES: dict[str, str] = {
    **dict.fromkeys(
        [
            "to do", "todo", "por hacer", "tareas por hacer", "zu erledigen", "à faire", "a faire", "do zrobienia",
            "itens pendentes", "a fazer", "pendente", "new",
        ],
        _TODO,
    ),
    **dict.fromkeys(
        [
            "in progress", "en curso", "en progreso", "in arbeit", "en cours", "w toku", "w trakcie", "em andamento",
            "em progresso", "indeterminate",
        ],
        _PROGRESS,
    ),
    **dict.fromkeys(
        [
            "done", "listo", "hecho", "finalizado", "terminado", "fertig", "erledigt", "terminé", "terminée", "fait",
            "gotowe", "zrobione", "concluído", "concluido", "itens concluídos", "complete",
        ],
        _DONE,
    ),
}

#: Editable defaults: status name (case-insensitive) -> category, used only when the file has no
#: ``Status Category`` column. Statuses not listed are Done when the issue has a resolution or a
#: Resolved date, else In Progress, and each such status is reported as an info problem.
STATUS_CATEGORY_DEFAULTS: dict[str, str] = {
    **CATEGORY_VALUES,
    **dict.fromkeys(
        [
            "open", "backlog", "selected for development", "reopened", "new", "to do", "aufgaben", "offen", "neu",
            "geöffnet", "wieder geöffnet", "abierto", "abierta", "nuevo", "nueva", "reabierto", "pendiente",
            "ouvert", "ouverte", "nouveau", "réouvert", "otwarte", "nowe", "ponownie otwarte", "aberto", "aberta",
            "novo", "reaberto", "ready", "ready for development", "ready to code", "triage", "pending",
            "waiting for support", "on hold",
        ],
        _TODO,
    ),
    **dict.fromkeys(
        [
            "in progress", "in review", "in code review", "code review", "review", "in testing", "testing",
            "in test", "qa", "in qa", "blocked", "ready to validate", "validation", "in development", "development",
            "in uat", "uat", "en revisión", "en pruebas", "bloqueado", "in prüfung", "in bearbeitung", "blockiert",
            "en revue", "bloqué", "w przeglądzie", "zablokowane", "em revisão", "bloqueado", "em teste",
        ],
        _PROGRESS,
    ),
    **dict.fromkeys(
        [
            "done", "closed", "resolved", "complete", "completed", "fixed", "cancelled", "canceled", "won't do",
            "won't fix", "duplicate", "rejected", "released", "fertig", "erledigt", "geschlossen", "gelöst",
            "abgeschlossen", "cerrado", "cerrada", "resuelto", "resuelta", "listo", "hecho", "finalizado",
            "finalizada", "terminé", "fermé", "fermée", "résolu", "résolue", "zamknięte", "rozwiązane", "gotowe",
            "concluído", "concluido", "fechado", "resolvido", "cancelado",
        ],
        _DONE,
    ),
}

#: Resolution values that mean "not resolved" (stored as empty, with an info problem).
UNRESOLVED = [
    "unresolved", "sin resolver", "no resuelta", "nicht erledigt", "ungelöst", "non résolu", "non résolue",
    "nierozwiązane", "não resolvido", "none",
]
#: Assignee values that mean "nobody".
UNASSIGNED = [
    "unassigned", "sin asignar", "nicht zugewiesen", "non attribué", "non assigné", "nieprzypisane", "não atribuído",
]

SUBTASK_TYPES = [
    "sub task", "subtask", "subtarea", "sub tarea", "unteraufgabe", "sous tâche", "sous tache", "podzadanie",
    "subtarefa", "sub tarefa", "sub bug", "technical sub task",
]
EPIC_TYPES = ["epic", "épica", "epica", "epik", "épico", "epico", "epos", "épique"]
ABOVE_EPIC_TYPES = ["initiative", "iniciativa", "initiative", "inicjatywa", "theme", "tema", "thème", "legend"]

# fmt: on
_SUBTASK_NORM = {normalize_header(t) for t in SUBTASK_TYPES}
_EPIC_NORM = {normalize_header(t) for t in EPIC_TYPES}
_TOP_NORM = {normalize_header(t) for t in ABOVE_EPIC_TYPES}

MONTHS: dict[str, int] = {}
for _number, _names in enumerate(
    [
        "jan january ene enero jän jänner januar janv janvier sty styczeń stycznia janeiro",
        "feb february febrero februar févr fév février lut luty lutego fev fevereiro",
        "mar march marzo mär mrz märz mars marzec marca março",
        "apr april abr abril avr avril kwi kwiecień kwietnia",
        "may mayo mai maj maja maio",
        "jun june junio juni juin cze czerwiec czerwca junho",
        "jul july julio juli juil juillet lip lipiec lipca julho",
        "aug august ago agosto aoû août aout sie sierpień sierpnia",
        "sep sept september septiembre set septembre wrz wrzesień września setembro",
        "oct october octubre okt oktober octobre paź paz październik października out outubro",
        "nov november noviembre novembre lis listopad listopada novembro",
        "dec december dic diciembre dez dezember déc dec décembre gru grudzień grudnia dezembro",
    ],
    start=1,
):
    for _name in _names.split():
        MONTHS.setdefault(_name, _number)

_DATE_RE = (
    r"^(\d{1,2})[/.\- ]([^\d/.\- ][^/\- ]*?|\d{1,2})\.?[/.\- ](\d{2}|\d{4})"
    r"(?:[ T,]+(\d{1,2})[:.](\d{2})(?:[:.](\d{2}))?(?:\s*([AaPp])\.?\s*[Mm]\.?)?)?$"
)
_ISO_FORMATS = ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d", "%Y-%m-%d %H:%M:%S.%f"]
DATE_FIELDS = ("created", "updated", "resolved", "due")


def _sql_str(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _sql_list(values) -> str:
    return ", ".join(_sql_str(v) for v in values)


def _setup_macros(con: duckdb.DuckDBPyConnection) -> None:
    # a list lookup, not a MAP literal: binding a 150-entry MAP in each of the four date columns cost
    # more than parsing a small file
    month_names, month_numbers = _sql_list(MONTHS), ", ".join(str(v) for v in MONTHS.values())
    con.execute(f"""
        CREATE TEMP MACRO jira_parts(s) AS regexp_extract(s, {_sql_str(_DATE_RE)}, ['d','mo','y','h','mi','se','ap']);
        CREATE TEMP MACRO jira_month(tok) AS [{month_numbers}][list_position([{month_names}], lower(tok))];
        CREATE TEMP MACRO jira_from_parts(p, dayfirst) AS CASE WHEN p.d <> '' THEN try(make_timestamp(
            CASE WHEN length(p.y) = 2 THEN CASE WHEN p.y::INT < 70 THEN 2000 ELSE 1900 END + p.y::INT ELSE p.y::INT END,
            CASE WHEN regexp_full_match(p.mo, '\\d+') THEN CASE WHEN dayfirst THEN p.mo::INT ELSE p.d::INT END
                 ELSE jira_month(p.mo) END,
            CASE WHEN regexp_full_match(p.mo, '\\d+') AND NOT dayfirst THEN p.mo::INT ELSE p.d::INT END,
            CASE WHEN p.h = '' THEN 0
                 WHEN lower(p.ap) = 'p' AND p.h::INT < 12 THEN p.h::INT + 12
                 WHEN lower(p.ap) = 'a' AND p.h::INT = 12 THEN 0 ELSE p.h::INT END,
            CASE WHEN p.mi = '' THEN 0 ELSE p.mi::INT END,
            CASE WHEN p.se = '' THEN 0 ELSE p.se::DOUBLE END)) END;
        CREATE TEMP MACRO jira_other_ts(s) AS CASE WHEN s IS NULL THEN NULL ELSE coalesce(
            try_strptime(s, [{_sql_list(_ISO_FORMATS)}]),
            CASE WHEN regexp_full_match(s, '\\d{{4,5}}(\\.\\d+)?') AND TRY_CAST(s AS DOUBLE) BETWEEN 1000 AND 99999
                 THEN TIMESTAMP '1899-12-30' + to_microseconds(round(TRY_CAST(s AS DOUBLE) * 86400000000)::BIGINT) END) END;
        CREATE TEMP MACRO jira_num(s) AS CASE WHEN regexp_full_match(s, '[+-]?(?:\\d+|\\d*[.,]\\d+)')
            THEN TRY_CAST(replace(s, ',', '.') AS DOUBLE) END;
    """)


# --------------------------------------------------------------------------------------------------
# Sniffing


def _header_fields(header: list[str]) -> list[str | None]:
    """Each header cell -> canonical field name (``story_points`` for candidates), else None."""
    out: list[str | None] = []
    for name in header:
        key = _header_key(name)
        match = _CUSTOM_FIELD.match(key)
        inner = _header_key(match.group(2)) if match else key
        if inner in _STORY_POINTS:
            out.append("story_points")
        elif match:  # only a few custom fields are ours
            field = _ALIAS_INDEX.get(inner)
            out.append(field if field in ("epic_link", "epic_name", "team", "sprint") else None)
        else:
            out.append(_ALIAS_INDEX.get(key))
    return out


def _looks_like_jira(header: list[str]) -> bool:
    """Jira's own column names: a specific issue-key header (``Issue key``, ``Clave de incidencia``…),
    or a specific issue-type header (not a bare ``Type``) beside a summary, status or id column."""
    keys = {_header_key(h) for h in header}
    if keys & _SPECIFIC_KEY:
        return True
    fields = set(_header_fields(header))
    return bool(keys & _SPECIFIC_TYPE) and len(fields & {"summary", "status", "issue_key", "issue_id"}) >= 1


def _html_table_head(text: str) -> bool:
    low = text[:65536].lower()
    return "<table" in low and ("issuetable" in low or 'data-id="issuekey"' in low or "jira" in low)


def sniff(sample: Sample) -> bool:
    """Jira CSV (any language), Jira HTML "Excel" export, or a workbook whose first row has Jira headers."""
    if sample.is_zip:
        return any(_looks_like_jira(row) for row in sample.sheets.values())
    if sample.is_ole2:
        return False
    text = sample.text_head
    if not text:
        return False
    if text.lstrip()[:1] == "<":
        return (
            _html_table_head(text)
            and bool(re.search(r"<th[^>]*>", text[:65536], re.IGNORECASE))
            and (_looks_like_jira(_html_headers_from_text(text)) or "issuetable" in text[:65536].lower())
        )
    header = sample.csv_header
    return bool(header) and _looks_like_jira(header)


def _html_headers_from_text(text: str) -> list[str]:
    return [" ".join(re.sub(r"<[^>]+>", " ", h).split()) for h in re.findall(r"<th[^>]*>(.*?)</th>", text, re.S | re.I)]


# --------------------------------------------------------------------------------------------------
# Reading the three containers into one raw table (rn, c0..cN)


class _Raw:
    """What a container reader hands to the common pipeline."""

    def __init__(self, header: list[str], kind: str, encoding: str | None = None, delimiter: str | None = None):
        self.header = header
        self.kind = kind
        self.encoding = encoding
        self.delimiter = delimiter
        self.rejected: list[Problem] = []
        self.records = 0  # data records seen (loaded + rejected), blank ones included
        self.excel_resave = False
        self.blank_lines = 0  # empty lines in a CSV (skipped by the reader; counted when known)
        self.path: str | None = None
        self.payload: memoryview | bytes = b""
        self.source: tuple[bytes, int] = (b"", 0)
        self.text: str | None = None
        self.raw_is_view = False  # ``raw`` is a view over ``raw0`` (else a table of its own)


def _refuse_semicolons(file_name: str) -> Refused:
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
        raise _refuse_semicolons(file_name)


def _read_csv(con, data: bytes, file_name: str, tmpdir: str) -> _Raw:
    head_text, encoding = decode(data[:65536])
    if encoding == "cp1252":
        text = data.decode("cp1252", errors="replace")
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
    raw = _Raw([h.replace("\ufeff", "").strip() for h in header], "csv", encoding, delimiter)
    raw.excel_resave = encoding == "cp1252" or delimiter == ";"
    path = os.path.join(tmpdir, "jira.csv")
    with open(path, "wb") as fh:
        fh.write(payload)
    raw.path = path
    raw.payload = payload
    raw.source = (payload, 0) if text is not None else (data, 3 if data.startswith(b"\xef\xbb\xbf") else 0)
    raw.text = text
    return raw


def _load_csv(con, raw: _Raw, keep: list[int], file_name: str) -> None:
    n = len(raw.header)
    columns = "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(n)) + "}"
    select = ", ".join(f"c{i}" for i in keep) or "NULL AS c_none"
    for attempt in (1, 2):
        # a file bigger than DuckDB's default buffer (16 x max_line_size) is read as one buffer (up to
        # MAX_CSV_BUFFER): about 20% less CPU for the parallel, order-preserving read of a 350 MB export
        size = os.path.getsize(raw.path) + 1
        buffer = max(min(size, MAX_CSV_BUFFER), MAX_LINE_SIZE)  # DuckDB wants at least one line's room
        buffer = f", buffer_size={buffer}" if size > BIG_CSV_BYTES else ""
        sql = (
            f"CREATE OR REPLACE TEMP TABLE raw0 AS SELECT {select} FROM read_csv(?, header=true, auto_detect=false, "
            f"columns={columns}, delim=?, quote='\"', escape='\"', all_varchar=true, store_rejects=true, "
            f"rejects_table='rejects{attempt}', rejects_scan='scans{attempt}', ignore_errors=true, "
            f"max_line_size={MAX_LINE_SIZE}{buffer})"
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
        if attempt == 2 or not bad_bytes[0][0] or raw.encoding == "cp1252":
            break
        # not UTF-8 after all (the first 64 KiB were): Excel's cp1252, transcoded and read again
        text = raw.source[0][raw.source[1] :].decode("cp1252", errors="replace")
        raw.payload = text.encode("utf-8")
        raw.source, raw.text, raw.encoding, raw.excel_resave = (raw.payload, 0), text, "cp1252", True
        with open(raw.path, "wb") as fh:
            fh.write(raw.payload)
    loaded = con.execute("SELECT count(*) FROM raw0").fetchall()[0][0]
    rejects = con.execute(
        "SELECT line_byte_position, line, error_type, csv_line, error_message "
        f"FROM rejects{attempt} ORDER BY line_byte_position"
    ).fetchall()
    # one record can produce several errors; keep one per record
    seen, unique = set(), []
    for rec in rejects:
        if rec[0] not in seen:
            seen.add(rec[0])
            unique.append(rec)
    raw.records = loaded + len(unique)
    if unique and len(unique) * 2 >= raw.records:
        if any(";;" in (r[3] or "") for r in unique[:50]):
            raise _refuse_semicolons(file_name)
        raise Refused(
            f"{file_name}: {len(unique)} of {raw.records} rows do not have the {n} cells the header names, so the "
            "columns cannot be trusted. Export the file again from Jira and upload it unchanged."
        )
    source, offset = raw.source
    reject_lines = []
    for pos, _line, _etype, csv_line, _message in unique:
        lead = len(csv_line or "") - len((csv_line or "").lstrip("\r\n"))
        line = source.count(b"\n", offset, offset + pos + lead) + 1
        reject_lines.append(line)
        try:
            cells = f"{len(next(csv.reader([csv_line or ''], delimiter=raw.delimiter)))} cells"
        except (csv.Error, StopIteration):
            cells = "a different number of cells"
        raw.rejected.append(
            Problem(
                f"row rejected: it has {cells} but the header has {n} columns; nothing from this row was loaded.",
                "error",
                line,
                None,
                (csv_line or "").strip()[:500],
            )
        )
    rn_sql = "rowid + 2"
    small = len(source) - offset < EXACT_ROWS_BYTES
    if unique or (small and (source.find(b"\n\n", offset) >= 0 or source.find(b"\n\r\n", offset) >= 0)):
        # exact row numbers (header = row 1) when rows were rejected or empty lines (which the reader
        # skips) may shift them: map physical lines to records with a second, Python reading
        text = raw.text if raw.text is not None else source[offset:].decode("utf-8", errors="replace")
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=raw.delimiter)
        starts, prev = [], 0
        for rec in reader:
            starts.append((prev + 1, bool(rec)))
            prev = reader.line_num
        start_lines = [s for s, _ in starts]
        rejected_records = set()
        for k, line in enumerate(reject_lines):
            idx = bisect.bisect_right(start_lines, line) - 1
            rejected_records.add(idx)
            raw.rejected[k] = dataclasses.replace(raw.rejected[k], row_number=idx + 1)
        good = [i + 1 for i, (_, nonempty) in enumerate(starts) if i > 0 and nonempty and i not in rejected_records]
        raw.blank_lines = sum(1 for i, (_, nonempty) in enumerate(starts) if i > 0 and not nonempty)
        if len(good) == loaded:
            con.execute(
                "CREATE TEMP TABLE rownums AS SELECT unnest(?::INTEGER[]) AS rn, generate_subscripts(?::INTEGER[], 1) - 1 AS k",
                [good, good],
            )
            con.execute(
                "CREATE TEMP TABLE raw AS SELECT r.rn, raw0.* FROM raw0 POSITIONAL JOIN (SELECT rn FROM rownums ORDER BY k) r"
            )
            return
    con.execute(f"CREATE TEMP VIEW raw AS SELECT ({rn_sql})::INTEGER AS rn, * FROM raw0")
    raw.raw_is_view = True


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if value != value:
            return ""
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if hasattr(value, "isoformat"):
        return value.isoformat(sep=" ") if hasattr(value, "hour") else value.isoformat()
    return str(value)


def _rows_to_raw(con, raw: _Raw, rows: list[list[str]], first_row_number: int, keep: list[int]) -> None:
    """Rows of cells (HTML, workbook) -> raw table; rows with a wrong cell count are rejected."""
    n = len(raw.header)
    good, numbers = [], []
    for offset, row in enumerate(rows):
        number = first_row_number + offset
        cells = [str(c) for c in row]
        if len(cells) > n and not any(c.strip() for c in cells[n:]):
            cells = cells[:n]  # empty cells right of the header
        raw.records += 1
        if len(cells) != n and any(c.strip() for c in cells):
            raw.rejected.append(Problem(
                f"row rejected: it has {len(cells)} cells but the header has {n} columns; nothing from this row "
                "was loaded.", "error", number, None, " | ".join(cells)[:500]))  # fmt: skip
            continue
        cells += [""] * (n - len(cells))
        good.append([cells[i].strip() for i in keep])
        numbers.append(number)
    frame = pd.DataFrame(good, columns=[f"c{i}" for i in keep], dtype=object)
    frame.insert(0, "rn", pd.array(numbers, dtype="int32"))
    if not keep:
        frame["c_none"] = None
    con.register("rows_in", frame)
    cols = ", ".join(f"CAST(c{i} AS VARCHAR) AS c{i}" for i in keep) or "NULL::VARCHAR AS c_none"
    con.execute(f"CREATE TEMP TABLE raw AS SELECT rn::INTEGER AS rn, {cols} FROM rows_in")
    con.unregister("rows_in")


def _html_rows(data: bytes, file_name: str) -> tuple[list[str], list[list[str]], int]:
    import lxml.html

    parser = lxml.html.HTMLParser(no_network=True, remove_comments=True, encoding="utf-8")
    try:
        doc = lxml.html.document_fromstring(data, parser=parser)
    except Exception:
        raise Refused(f'{file_name}: this HTML file cannot be read as a Jira "Excel" export.') from None
    tables = doc.xpath("//table[@id='issuetable']") or sorted(
        doc.xpath("//table[.//th]"), key=lambda t: len(t.xpath(".//tr")), reverse=True
    )
    if not tables:
        raise Refused(f"{file_name}: no issue table was found in this HTML file. Export CSV (all fields) from Jira.")
    table = tables[0]

    def text_of(cell) -> str:
        for br in cell.iter("br"):
            br.tail = "\n" + (br.tail or "")
        lines = [" ".join(part.split()) for part in cell.text_content().split("\n")]
        return "\n".join(ln for ln in lines if ln)

    header_cells = table.xpath(".//tr[th][1]/th")
    header = [text_of(th) for th in header_cells]
    body = [tr for tr in table.xpath(".//tr[td]")]
    rows = [[text_of(td) for td in tr.xpath("./td")] for tr in body]
    return header, rows, 2


def _split_html_multi(header: list[str], rows: list[list[str]]) -> tuple[list[str], list[list[str]]]:
    """The HTML export writes a multi-value field in one cell (`A, B` or one per line): spread
    Sprint values into repeated columns so that the common path sees the CSV shape."""
    fields = _header_fields(header)
    if "sprint" not in fields:
        return header, rows
    i = fields.index("sprint")
    split = [[v.strip() for v in re.split(r"\n|, ", row[i]) if v.strip()] if i < len(row) else [] for row in rows]
    width = max([len(s) for s in split] + [1])
    new_header = header[:i] + [header[i]] * width + header[i + 1 :]
    new_rows = []
    for row, values in zip(rows, split):
        if len(row) != len(header):
            new_rows.append(row)
            continue
        new_rows.append(row[:i] + values + [""] * (width - len(values)) + row[i + 1 :])
    return new_header, new_rows


def _workbook_rows(data: bytes, file_name: str) -> tuple[list[str], list[list[str]], int, str]:
    sheets = read_workbook(data, file_name)
    for name, rows in sheets.items():
        for index, row in enumerate(rows[:30]):  # a title or a filter line may sit above the header
            cells = [_cell_text(c).strip() for c in row]
            if not any(cells):
                continue
            if _looks_like_jira(cells):
                while cells and not cells[-1]:
                    cells.pop()
                body = [[_cell_text(c) for c in r] for r in rows[index + 1 :]]
                body = [r[: len(cells)] if not any(str(c).strip() for c in r[len(cells) :]) else r for r in body]
                return cells, body, index + 2, name
    raise Refused(
        f"{file_name}: no sheet in this workbook starts with Jira column headers (Issue key, Issue Type, Summary…). "
        "Export CSV (all fields) from Jira and upload it unchanged."
    )


# --------------------------------------------------------------------------------------------------
# The common pipeline


def _scratch_dir(size: int) -> str | None:
    """Where DuckDB reads the bytes from: RAM-backed /dev/shm when it has room (no disk write-back
    on a busy machine), else the system temp folder."""
    try:
        stats = os.statvfs("/dev/shm")
    except (OSError, AttributeError):
        return None
    return "/dev/shm" if stats.f_bavail * stats.f_frsize > 4 * size + (256 << 20) else None


def parse(data: bytes, file_name: str) -> Parsed:
    """Read a Jira export (CSV, HTML .xls, Excel re-save) into ``issues`` and ``issue_sprints``."""
    sample = Sample(data, file_name)
    with tempfile.TemporaryDirectory(prefix="jira-", dir=_scratch_dir(len(data))) as tmpdir:
        con = duckdb.connect(config={"temp_directory": tmpdir})
        con.execute("SET enable_progress_bar = false; SET arrow_large_buffer_size = true")
        try:
            return _parse(con, sample, file_name, tmpdir)
        finally:
            con.close()


def _parse(con, sample: Sample, file_name: str, tmpdir: str) -> Parsed:
    data = sample.data
    meta: dict = {}
    if sample.is_zip:
        header, rows, first_row, sheet = _workbook_rows(data, file_name)
        rows, meta["generated_at"] = without_footer(rows)
        raw = _Raw(header, "xlsx")
        raw.excel_resave = True
        meta["sheet"] = sheet
        fmt = "Jira CSV re-saved by Excel (.xlsx)"
    elif sample.is_ole2:
        raise Refused(
            f"{file_name}: this is a binary Excel file. Export CSV (all fields) from Jira and upload it unchanged."
        )
    else:
        head = sample.text_head
        if head.lstrip()[:1] == "<":
            header, rows, first_row = _html_rows(data, file_name)
            header, rows = _split_html_multi(header, rows)
            raw = _Raw(header, "html", "utf-8")
            fmt = "Jira HTML .xls"
            meta["generated_at"] = generated_at(footer_text(data))
        else:
            raw = _read_csv(con, data, file_name, tmpdir)
            rows = None
            fmt = None
    header = raw.header
    fields = _header_fields(header)
    groups: dict[str, list[int]] = {}
    for i, f in enumerate(fields):
        if f:
            groups.setdefault(f, []).append(i)
    # single-valued fields: order the candidate columns by alias preference
    for f, idxs in groups.items():
        if f not in MULTI_FIELDS and f != "story_points":
            prefs = {_header_key(a): k for k, a in enumerate(HEADER_ALIASES[f])}
            idxs.sort(key=lambda i: (prefs.get(_inner_key(header[i]), 99), i))
    keep = sorted({i for idxs in groups.values() for i in idxs})
    if raw.kind == "csv":
        _load_csv(con, raw, keep, file_name)
    else:
        _rows_to_raw(con, raw, rows, first_row, keep)
    _setup_macros(con)
    return use_generated_as_of(_build(con, raw, groups, fmt, meta, file_name))


def _inner_key(name: str) -> str:
    key = _header_key(name)
    match = _CUSTOM_FIELD.match(key)
    return _header_key(match.group(2)) if match else key


def _cell(i: int) -> str:
    return f"nullif(c{i}, '')"


def _single(groups, field) -> str:
    idxs = groups.get(field, [])
    if not idxs:
        return "NULL::VARCHAR"
    if len(idxs) == 1:
        return _cell(idxs[0])
    return "coalesce(" + ", ".join(_cell(i) for i in idxs) + ")"


def _multi(groups, field) -> str:
    """Repeated columns: Sprint -> each value (``_sprint_k``), the last one and the count; the
    others -> their values joined with ', ' (empty cells skipped)."""
    idxs = groups.get(field, [])
    if field == "sprint":
        if not idxs:
            return "NULL::VARCHAR AS sprint, 0 AS sprint_count"
        cells = [_cell(i) for i in idxs]
        values = ", ".join(f"{c} AS _sprint_{k}" for k, c in enumerate(cells, start=1))
        last = "coalesce(" + ", ".join(reversed(cells)) + ")" if len(cells) > 1 else cells[0]
        count = " + ".join(f"({c} IS NOT NULL)::INTEGER" for c in cells)
        return f"{values}, {last} AS sprint, ({count})::INTEGER AS sprint_count"
    if not idxs:
        return f"NULL::VARCHAR AS {field}"
    return f"nullif(concat_ws(', ', {', '.join(_cell(i) for i in idxs)}), '') AS {field}"


ISSUE_COLUMNS = (
    "issue_key, issue_id, project_key, issue_type, is_subtask, summary, status, status_category, "
    "resolution, priority, assignee, reporter, created, updated, resolved, due, story_points, "
    "original_estimate_hours, remaining_estimate_hours, time_spent_hours, parent_key, epic_key, team, "
    "sprint, fix_versions, labels, components, sprint_count, row_number"
)


def _cell_problems(con, problems, table, cond, value_col, total, column, reason, rn="rn") -> None:
    """One warning per cell (up to MAX_CELL_PROBLEMS), then one summarising the rest."""
    rows = con.execute(
        f"SELECT {rn}, {value_col} FROM {table} WHERE {cond} ORDER BY {rn} LIMIT {MAX_CELL_PROBLEMS}"
    ).fetchall()
    problems.extend(Problem(f"{column}: {reason}.", "warning", r, column, v) for r, v in rows)
    if total > len(rows):
        problems.append(
            Problem(f"{column}: {total - len(rows)} more cells like these were left empty.", "warning", None, column)
        )


def _release(con, raw: _Raw, typed_kind: str) -> None:
    con.execute(
        f"DROP VIEW IF EXISTS base; DROP {typed_kind} IF EXISTS typed; DROP {'VIEW' if raw.raw_is_view else 'TABLE'} "
        "IF EXISTS raw; DROP TABLE IF EXISTS raw0"
    )


def _sp_differs(a: str, b: str) -> str:
    """Two story-point cells hold different values (``2`` and ``2.0`` are the same)."""
    return (f"CASE WHEN jira_num({a}) IS NOT NULL AND jira_num({b}) IS NOT NULL THEN jira_num({a}) <> jira_num({b}) "
            f"ELSE trim({a}) <> trim({b}) END")  # fmt: skip


def _story_point_sources(con, problems, header, used: list[int], keep_sql: str) -> list[str]:
    """Several filled story-point columns (read in ``used`` order, the first holding a value wins): an
    info naming the rows taken from each fallback column, one warning counting the rows where the
    columns disagree. Returns the columns that supplied at least one value, preferred first."""
    cells = [_cell(i) for i in used]
    fallback = [
        " AND ".join([*(f"{c} IS NULL" for c in cells[:k]), f"{cells[k]} IS NOT NULL"]) for k in range(1, len(cells))
    ]
    clash = " OR ".join(
        f"({cells[k]} IS NOT NULL AND coalesce({', '.join(cells[:k])}) IS NOT NULL "
        f"AND {_sp_differs(cells[k], 'coalesce(' + ', '.join(cells[:k]) + ')')})"
        for k in range(1, len(cells))
    )
    pairs = [(j, k) for k in range(1, len(cells)) for j in range(k)]  # column j's value kept over column k's
    clash_cols = [
        "count(*) FILTER ("
        + " AND ".join([*(f"{c} IS NULL" for c in cells[:j]), f"{cells[j]} IS NOT NULL", f"{cells[k]} IS NOT NULL",
                        _sp_differs(cells[k], cells[j])])
        + ")"
        for j, k in pairs
    ]  # fmt: skip
    counts = con.execute(
        "SELECT " + ", ".join(f"count(*) FILTER ({c})" for c in fallback) + f", count(*) FILTER ({clash}), "
        + ", ".join(clash_cols) + f" FROM raw WHERE {keep_sql}"
    ).fetchall()[0]  # fmt: skip
    from_fallback, n_clash, per_col = counts[: len(fallback)], counts[len(fallback)], counts[len(fallback) + 1 :]
    names = [header[i] for i in used]
    taken = [names[0]] + [names[k] for k in range(1, len(names)) if from_fallback[k - 1]]
    if len(taken) > 1:
        rest = ", ".join(
            f"'{names[k]}' ({from_fallback[k - 1]} {'rows' if from_fallback[k - 1] > 1 else 'row'})"
            for k in range(1, len(names))
            if from_fallback[k - 1]
        )
        problems.append(Problem(
            f"story points read from '{names[0]}' (the most filled story-point column) and, where it is empty, "
            f"from {rest}.", "info"))  # fmt: skip
    if n_clash:
        first = con.execute(f"SELECT rn FROM raw WHERE ({clash}) AND {keep_sql} ORDER BY rn LIMIT 5").fetchall()
        rows = ", ".join(str(r[0]) for r in first) + (", …" if n_clash > len(first) else "")
        involved = [names[i] for i in sorted({i for (j, k), n in zip(pairs, per_col) if n for i in (j, k)})]
        quoted = ", ".join(f"'{n}'" for n in involved[:-1]) + f" and '{involved[-1]}'"
        problems.append(Problem(
            f"{n_clash} {'rows' if n_clash > 1 else 'row'} ({'rows' if len(first) > 1 else 'row'} {rows}) hold different story points in the columns "
            f"{quoted}; the value from the most filled of these columns was kept.",
            "warning", None, involved[0]))  # fmt: skip
    return taken


def _story_point_cell_problems(con, problems, header, used: list[int], keep_sql: str, reason: str) -> None:
    """Story points that are not numbers, each named with the candidate column it was read from."""
    cells = [_cell(i) for i in used]
    for k, cell in enumerate(cells):
        cond = " AND ".join([*(f"{c} IS NULL" for c in cells[:k]), f"{cell} IS NOT NULL",
                             f"jira_num({cell}) IS NULL", keep_sql])  # fmt: skip
        total = con.execute(f"SELECT count(*) FROM raw WHERE {cond}").fetchall()[0][0]
        if total:
            _cell_problems(con, problems, "raw", cond, cell, total, header[used[k]], reason)


def _sprint_rows(con, n_cols: int, keep_sql: str) -> pd.DataFrame:
    """issue_sprints from the repeated Sprint cells of the kept rows of ``typed``: one row per value,
    position 1..n among the issue's non-empty cells in file order (Jira left-packs them)."""
    if not n_cols:
        return pd.DataFrame({"issue_key": pd.Series(dtype="str"), "sprint": pd.Series(dtype="str"),
                             "position": pd.Series(dtype="int32")})  # fmt: skip
    cells = [f"_sprint_{k}" for k in range(1, n_cols + 1)]
    positions = [" + ".join(f"({c} IS NOT NULL)::INTEGER" for c in cells[:k]) for k in range(1, n_cols + 1)]
    return (
        con.sql(
            f"""SELECT issue_key, sprint, position::INTEGER AS position FROM (
                SELECT issue_key, unnest([{", ".join(cells)}]) AS sprint, unnest([{", ".join(positions)}]) AS position
                FROM typed WHERE sprint_count > 0 AND {keep_sql}) WHERE sprint IS NOT NULL"""
        )
        .to_arrow_table()
        .to_pandas()
    )


def _build(con, raw: _Raw, groups: dict[str, list[int]], fmt: str | None, meta: dict, file_name: str) -> Parsed:
    header = raw.header
    problems: list[Problem] = list(raw.rejected)
    sp_idxs = groups.get("story_points", [])
    date_cols = [f for f in DATE_FIELDS if f in groups]
    mapped = sorted({i for idxs in groups.values() for i in idxs})

    # 1. one pass over the raw cells: rows, blank rows, story-point candidates
    blank_raw = " AND ".join(f"{_cell(i)} IS NULL" for i in mapped) or "true"
    key_expr = _single(groups, "issue_key")
    # rows whose parent is given only as an Issue id (no usable Parent key beside it)
    parent_ids_sql = (
        f"count(*) FILTER ({_single(groups, 'parent_ref')} IS NOT NULL AND NOT coalesce(regexp_full_match("
        f"{_single(groups, 'parent_key')}, '^[A-Za-z][A-Za-z0-9_]*-\\d+$'), false))"
    )
    # grouped by the (few) distinct statuses, categories and issue types, classified in Python below;
    # no DISTINCT aggregate here: DuckDB would materialise the whole scan for it
    groups_facts = con.execute(
        f"SELECT {_single(groups, 'status')}, lower({_single(groups, 'status_category')}), "
        f"{_single(groups, 'issue_type')}, count(*), "
        + parent_ids_sql
        + "".join(f", count({_cell(i)})" for i in sp_idxs)
        + " FROM raw GROUP BY 1, 2, 3"
    ).fetchall()
    total_rows, parent_ids = (sum(r[k] for r in groups_facts) for k in (3, 4))
    sp_filled = [sum(r[5 + k] for r in groups_facts) for k in range(len(sp_idxs))]
    # blank rows: a WHERE (a filter in the scan, which skips the other columns where the first is filled)
    blanks = con.execute(f"SELECT count(*) FROM raw WHERE {blank_raw}").fetchall()[0][0]
    # the blank rows are all in the all-empty group: leave it out when they are all it holds
    distinct = [r[:3] for r in groups_facts if r[:3] != (None, None, None) or r[3] > blanks]
    duplicate_keys = 0
    if "issue_key" in groups:
        duplicate_keys = con.execute(
            f"SELECT count(k) - count(DISTINCT k) FROM (SELECT {key_expr} AS k FROM raw)"
        ).fetchall()[0][0]
    n_rows = total_rows - blanks
    blanks += raw.blank_lines
    if n_rows == 0 and not raw.rejected:
        raise Refused(
            f"{file_name}: this Jira export has its column headers but no issue rows, so there is nothing to store. "
            "Check the search used for the export and export it again."
        )
    if blanks:
        problems.append(
            Problem(f"{blanks} blank rows (no value in any column this loader reads) were skipped.", "info")
        )

    # 2. story points: per row, the most filled candidate column, else the next one holding a value
    #    (one export can span company-managed 'Story Points' and team-managed 'Story point estimate')
    sp_counts = [{"column": header[i], "filled": int(n)} for i, n in zip(sp_idxs, sp_filled)]
    sp_order = sorted((k for k in range(len(sp_idxs)) if sp_filled[k]), key=lambda k: (-sp_filled[k], k))
    sp_used = [sp_idxs[k] for k in sp_order]  # raw column indexes, preferred first
    sp_choice = sp_order[0] if sp_order else None
    meta["story_points_column"] = [header[i] for i in sp_used]
    meta["story_point_candidates"] = sp_counts
    sp_expr = ("coalesce(" + ", ".join(_cell(i) for i in sp_used) + ")" if len(sp_used) > 1
               else _cell(sp_used[0]) if sp_used else "NULL::VARCHAR")  # fmt: skip

    # 3. the date grammar in use: named months or numbers, day-first or month-first (Excel re-saves)
    dayfirst, date_format = True, None
    if date_cols:
        parts = " UNION ALL ".join(
            f"SELECT jira_parts(trim(v)) AS p FROM (SELECT {_single(groups, f)} AS v FROM raw) WHERE v IS NOT NULL"
            for f in date_cols
        )
        named, numeric, day_gt12, month_gt12, h24, ampm = con.execute(
            f"""SELECT count(*) FILTER (p.d <> '' AND NOT regexp_full_match(p.mo, '\\d+')),
                       count(*) FILTER (regexp_full_match(p.mo, '\\d+')),
                       count(*) FILTER (regexp_full_match(p.mo, '\\d+') AND TRY_CAST(p.d AS INT) > 12),
                       count(*) FILTER (regexp_full_match(p.mo, '\\d+') AND TRY_CAST(p.mo AS INT) > 12),
                       count(*) FILTER (p.h <> '' AND p.ap = ''),
                       count(*) FILTER (p.ap <> '')
                FROM ({parts} LIMIT 20000)"""
        ).fetchall()[0]
        if numeric and month_gt12 and not day_gt12:
            dayfirst = False
        if numeric and month_gt12 and day_gt12:
            problems.append(
                Problem(
                    "dates are written both day-first and month-first in this file; they were read day-first. "
                    "Export the file again from Jira.",
                    "warning",
                )
            )
        if named:
            date_format = "dd/MMM/yy h:mm a" if ampm >= h24 else "dd/MMM/yy HH:mm"
        elif numeric:
            date_format = "dd/mm/yyyy HH:MM" if dayfirst else "mm/dd/yyyy HH:MM"
            raw.excel_resave = True
            if not day_gt12 and not month_gt12:
                problems.append(
                    Problem(
                        "numeric dates such as 01/02/2023 are ambiguous in this file; they were read day-first, "
                        "as Jira writes them.",
                        "info",
                    )
                )
        else:
            date_format = "ISO or Excel serial"
    meta["date_format"] = date_format
    meta["day_first"] = dayfirst
    df_sql = "true" if dayfirst else "false"

    # 4. typed columns as a view (a fast English date path first, the full grammar for the rest)
    singles = [f for f in HEADER_ALIASES if f not in MULTI_FIELDS]
    n_sprint_cols = len(groups.get("sprint", []))
    where_blank = f"WHERE NOT ({blank_raw})" if blanks else ""
    # CASE, not IN (…) or list_contains: those become mark joins that every scan of the view runs
    unresolved_words, unassigned_words = (
        " ".join(f"WHEN {_sql_str(w)} THEN true" for w in ws) for ws in (UNRESOLVED, UNASSIGNED)
    )
    # small files: one table (the later queries then bind a table, not this long view, which costs more
    # than computing it); large ones: a view, computed in the final query's pipeline without a copy
    typed_kind = "TABLE" if total_rows < SMALL_ROWS else "VIEW"
    con.execute(f"""
        CREATE TEMP {typed_kind} typed AS
        SELECT s.* EXCLUDE ({", ".join(f"{f}_fast, {f}_p, {f}_o" for f in DATE_FIELDS)}),
               {", ".join(f"coalesce({f}_fast, jira_from_parts({f}_p, {df_sql}), jira_other_ts({f}_o)) AS {f}_ts" for f in DATE_FIELDS)},
               jira_num(sp_text) AS sp_value,
               jira_num(original_estimate) / 3600.0 AS oe_h,
               jira_num(remaining_estimate) / 3600.0 AS re_h,
               jira_num(time_spent) / 3600.0 AS ts_h,
               coalesce(project_key, regexp_extract(issue_key, '^([A-Za-z][A-Za-z0-9_]*)-\\d+$', 1)) AS pkey,
               CASE lower(resolution) {unresolved_words} ELSE false END AS unresolved_word,
               CASE lower(assignee) {unassigned_words} ELSE false END AS unassigned_word
        FROM (SELECT *, {", ".join(f"CASE WHEN {f}_fast IS NULL AND {f} IS NOT NULL THEN jira_parts(trim({f})) END AS {f}_p, CASE WHEN {f}_fast IS NULL THEN trim({f}) END AS {f}_o" for f in DATE_FIELDS)}
              FROM (SELECT *, {", ".join(f"try_strptime({f}, '%d/%b/%y %I:%M %p') AS {f}_fast" for f in DATE_FIELDS)}
                    FROM (SELECT rn, {", ".join(f"{_single(groups, f)} AS {f}" for f in singles)},
                                 {", ".join(_multi(groups, f) for f in MULTI_FIELDS)},
                                 {sp_expr} AS sp_text
                          FROM raw {where_blank}))) s
    """)

    # 5. cells that may not load as written: checked on the output rows as flag bits
    checks = [
        (f, f"{f} IS NOT NULL AND {f}_ts IS NULL", f, "not a date this loader reads; left empty") for f in date_cols
    ]
    if sp_choice is not None:
        checks.append(("story_points", "sp_text IS NOT NULL AND sp_value IS NULL", "sp_text",
                       "story points are not a number; left empty"))  # fmt: skip
    for f, col in (("original_estimate", "oe_h"), ("remaining_estimate", "re_h"), ("time_spent", "ts_h")):
        if f in groups:
            checks.append((f, f"{f} IS NOT NULL AND {col} IS NULL", f, "not a number of seconds; left empty"))
    resolved_sql = "(resolved_ts IS NOT NULL OR (resolution IS NOT NULL AND NOT unresolved_word))"

    # 6. the distinct statuses, categories and issue types (a narrow scan): classified in Python
    has_category = "status_category" in groups
    meta["status_category_source"] = "file" if has_category else "status names (defaults)"
    defaults = {k.casefold(): v for k, v in STATUS_CATEGORY_DEFAULTS.items()}

    # 7. duplicate keys: keep the first row, reject the others
    dups = []
    keep_sql = "true"
    if duplicate_keys:
        dups = con.execute(
            """SELECT rn, issue_key FROM (
                   SELECT rn, issue_key, row_number() OVER (PARTITION BY issue_key ORDER BY rn) AS k
                   FROM typed WHERE issue_key IN (SELECT issue_key FROM typed GROUP BY 1 HAVING count(*) > 1))
               WHERE k > 1 ORDER BY rn"""
        ).fetchall()
    for rn, key in dups:
        problems.append(
            Problem(
                f"row rejected: issue {key} appears more than once in this export (pages merged?); the first row was kept.",
                "error",
                rn,
                header[groups["issue_key"][0]],
                key,
            )
        )
    if dups:
        con.execute("CREATE TEMP TABLE dup_rows AS SELECT unnest(?::INTEGER[]) AS rn", [[rn for rn, _ in dups]])
        keep_sql = "rn NOT IN (SELECT rn FROM dup_rows)"
        n_rows -= len(dups)

    if len(sp_used) > 1:
        meta["story_points_column"] = _story_point_sources(con, problems, header, sp_used, keep_sql)

    # 8. parents, epics and sub-tasks: lookups restricted to the issues that are referenced
    key_re = "'^[A-Za-z][A-Za-z0-9_]*-\\d+$'"
    has_parent = "parent_ref" in groups or "parent_key" in groups
    legacy = "true" if any(_inner_key(header[i]) == "parent id" for i in groups.get("parent_ref", [])) else "false"
    joins, parent_parts, epic_expr = (
        "",
        ["CASE WHEN regexp_full_match(t.parent_key, {k}) THEN t.parent_key END"],
        "NULL::VARCHAR",
    )
    if "parent_ref" in groups and parent_ids:
        con.execute(f"""CREATE TEMP TABLE ids AS SELECT issue_id, min(issue_key) AS issue_key FROM typed
                        WHERE issue_id IN (SELECT parent_ref FROM typed WHERE parent_ref IS NOT NULL) AND {keep_sql}
                        GROUP BY 1""")
        joins += " LEFT JOIN ids i ON i.issue_id = t.parent_ref"
        parent_parts += ["i.issue_key", "CASE WHEN regexp_full_match(t.parent_ref, {k}) THEN t.parent_ref END"]
    if "epic_link" in groups:
        con.execute(f"""CREATE TEMP TABLE epic_names AS SELECT epic_name, min(issue_key) AS issue_key FROM typed
                        WHERE epic_name IN (SELECT epic_link FROM typed WHERE epic_link IS NOT NULL)
                          AND issue_key IS NOT NULL AND {keep_sql} GROUP BY 1 HAVING count(*) = 1""")
        joins += " LEFT JOIN epic_names e ON e.epic_name = t.epic_link"
        epic_expr = f"coalesce(CASE WHEN regexp_full_match(t.epic_link, {key_re}) THEN t.epic_link END, e.issue_key)"
    parent_expr = (
        "coalesce(" + ", ".join(p.format(k=key_re) for p in parent_parts) + ")" if has_parent else "NULL::VARCHAR"
    )
    kinds = {r[2]: type_kind(r[2]) for r in distinct if r[2] is not None}
    if kinds:
        joins += (
            " LEFT JOIN (VALUES "
            + ", ".join(f"({_sql_str(k)}, {_sql_str(v)})" for k, v in kinds.items())
            + ") tk(issue_type, kind) ON tk.issue_type = t.issue_type"
        )
        kind_expr = "tk.kind"
    else:
        kind_expr = "NULL::VARCHAR"
    con.execute(f"""
        CREATE TEMP VIEW base AS
        SELECT t.*, {parent_expr} AS parent_key_r, {epic_expr} AS epic_link_r, {kind_expr} AS kind
        FROM typed t {joins} WHERE {keep_sql.replace("rn", "t.rn", 1)}""")
    if has_parent:
        con.execute("""CREATE TEMP TABLE parents AS SELECT issue_key, kind, epic_link_r, parent_key_r FROM base
                       WHERE issue_key IN (SELECT parent_key_r FROM base WHERE parent_key_r IS NOT NULL)""")
        con.execute("""CREATE TEMP TABLE parents2 AS SELECT p.*, g.kind AS grandparent_kind
                       FROM parents p LEFT JOIN parents g ON g.issue_key = p.parent_key_r""")
        family_join = "LEFT JOIN parents2 p ON p.issue_key = b.parent_key_r"
        family_cols = (
            "p.kind AS parent_kind, p.epic_link_r AS parent_epic, p.parent_key_r AS grandparent, p.grandparent_kind"
        )
    else:
        family_join = ""
        family_cols = "NULL::VARCHAR AS parent_kind, NULL::VARCHAR AS parent_epic, NULL::VARCHAR AS grandparent, NULL::VARCHAR AS grandparent_kind"
    pairs = {(r[0], r[1]) for r in distinct}
    categories = {(st, cat): CATEGORY_VALUES.get(cat) or defaults.get((st or "").casefold()) for st, cat in pairs}
    categories = {k: v for k, v in categories.items() if v}
    if categories:
        values = ", ".join(
            f"({'NULL' if st is None else _sql_str(st)}, {'NULL' if c is None else _sql_str(c)}, {_sql_str(v)})"
            for (st, c), v in categories.items()
        )
        status_join = (
            f"LEFT JOIN (VALUES {values}) sc(st, cat, category) ON sc.st IS NOT DISTINCT FROM sub.status "
            "AND sc.cat IS NOT DISTINCT FROM lower(sub.status_category)"
        )
        category_sql = "sc.category"
    else:
        status_join, category_sql = "", "NULL::VARCHAR"
    # parent and epic links that cannot be resolved: flag bits too, their cells read from ``base``
    rel_checks = []
    if "parent_ref" in groups:
        rel_checks.append(
            (
                "parent_ref",
                "parent_ref IS NOT NULL AND parent_key_r IS NULL",
                "the parent issue id is not in this export, so the parent key is unknown; left empty",
            )
        )
    if "epic_link" in groups:
        rel_checks.append(
            (
                "epic_link",
                "epic_link IS NOT NULL AND epic_link_r IS NULL",
                "the epic is not in this export and the link is not an issue key; left empty",
            )
        )
    flag_conditions = [c for _, c, _, _ in checks] + [c for _, c, _ in rel_checks]
    flag_sql = " + ".join(
        ["CASE WHEN unresolved_word THEN 1 ELSE 0 END", "CASE WHEN unassigned_word THEN 2 ELSE 0 END",
         f"CASE WHEN {resolved_sql} THEN 4 ELSE 0 END"]
        + [f"CASE WHEN {c} THEN {8 << k} ELSE 0 END" for k, c in enumerate(flag_conditions)]
    )  # fmt: skip
    final = f"""
        WITH flagged AS (
            SELECT b.*, {family_cols} FROM base b {family_join}),
        sub AS (
            SELECT *, coalesce(kind = 'subtask', false)
                    OR ({legacy} AND parent_ref IS NOT NULL AND coalesce(kind NOT IN ('epic', 'top'), true))
                    OR (parent_key_r IS NOT NULL AND parent_kind IS NOT NULL AND parent_kind NOT IN ('epic', 'top')
                        AND coalesce(kind NOT IN ('epic', 'top'), true)) AS is_subtask
            FROM flagged)
        SELECT issue_key, issue_id, pkey AS project_key, issue_type, is_subtask, summary, status,
               coalesce({category_sql},
                        CASE WHEN status IS NULL THEN NULL WHEN {resolved_sql} THEN 'Done' ELSE 'In Progress' END
                        ) AS status_category,
               CASE WHEN unresolved_word THEN NULL ELSE resolution END AS resolution, priority,
               CASE WHEN unassigned_word THEN NULL ELSE assignee END AS assignee,
               reporter, created_ts AS created, updated_ts AS updated, resolved_ts AS resolved, due_ts AS due,
               sp_value AS story_points, oe_h AS original_estimate_hours, re_h AS remaining_estimate_hours,
               ts_h AS time_spent_hours, parent_key_r AS parent_key,
               coalesce(epic_link_r,
                        CASE WHEN parent_kind = 'epic' THEN parent_key_r END,
                        CASE WHEN is_subtask THEN coalesce(parent_epic,
                             CASE WHEN grandparent_kind = 'epic' THEN grandparent END) END
                        ) AS epic_key,
               team, sprint, fix_versions, labels, components, sprint_count, rn::INTEGER AS row_number,
               lower(status_category) AS _category, project_name AS _project_name, ({flag_sql})::INTEGER AS _flags
        FROM sub {status_join}"""
    # rows come in file order for small files; large ones may interleave (row_number tells the order)
    con.execute("SET preserve_insertion_order = false")  # row_number carries the order
    table = con.sql(final).to_arrow_table()
    con.register("out_arrow", table)
    summary = con.execute(
        """SELECT status, _category, project_key, _project_name, count(*), count(*) FILTER (_flags & 4 <> 0),
                  count(*) FILTER (_flags & 1 <> 0), count(*) FILTER (_flags & 2 <> 0), max(updated)"""
        + "".join(f", count(*) FILTER (_flags & {8 << k} <> 0)" for k in range(len(flag_conditions)))
        + " FROM out_arrow GROUP BY ALL"
    ).fetchall()
    con.unregister("out_arrow")
    for k, (f, cond, reason) in enumerate(rel_checks):
        total = sum(r[9 + len(checks) + k] for r in summary)
        if total:
            _cell_problems(con, problems, "base", cond, f, total, header[groups[f][0]], reason)
    sprints = _sprint_rows(con, n_sprint_cols, keep_sql)
    for k, (f, cond, value_col, reason) in enumerate(checks):
        total = sum(r[9 + k] for r in summary)
        if total and f == "story_points" and len(sp_used) > 1:
            _story_point_cell_problems(con, problems, header, sp_used, keep_sql, reason)
        elif total:
            column = header[sp_used[0]] if f == "story_points" else header[groups[f][0]]
            _cell_problems(con, problems, "typed", cond, value_col, total, column, reason)
    _release(
        con, raw, typed_kind
    )  # the raw cells are no longer needed: give their memory back before the frames are built
    issues = table.drop_columns(["_category", "_project_name", "_flags"]).to_pandas(self_destruct=True)
    del table
    unresolved_n = sum(r[6] for r in summary)
    unassigned_n = sum(r[7] for r in summary)
    latest = max((r[8] for r in summary if r[8] is not None), default=None)
    by_key: dict[str, Counter] = {}
    for r in summary:
        if r[2] is not None:
            by_key.setdefault(r[2], Counter())[r[3]] += r[4]
    key_counts = sorted(
        ((k, sum(c.values()), c.most_common(1)[0][0]) for k, c in by_key.items()), key=lambda x: (-x[1], x[0])
    )
    unknown_cat: Counter = Counter()
    inferred: dict[str, list[int]] = {}
    for status, cat, _, _, n, n_resolved, *_ in summary:
        if has_category and cat is not None and cat not in CATEGORY_VALUES:
            unknown_cat[cat] += n
        if status is not None and (cat is None or cat not in CATEGORY_VALUES) and status.casefold() not in defaults:
            counts = inferred.setdefault(status, [0, 0])
            counts[0] += n
            counts[1] += n_resolved
    for value, count in sorted(unknown_cat.items()):
        problems.append(Problem(
            f"status category '{value}' is not one this loader knows ({count} issues); the category was taken "
            "from the status name instead.", "warning", None, header[groups["status_category"][0]], value))  # fmt: skip
    for status, (count, done) in sorted(inferred.items()):
        problems.append(Problem(
            f"status '{status}' ({count} issues) is not in the status-category defaults: {done} with a resolution "
            f"counted as Done, {count - done} as In Progress. Add it to the defaults to change this.",
            "info", None, header[groups["status"][0]], status))  # fmt: skip
    if unresolved_n:
        problems.append(Problem(
            f"{unresolved_n} resolutions such as 'Unresolved' mean no resolution and were stored empty.", "info"))  # fmt: skip
    if unassigned_n:
        problems.append(Problem(
            f"{unassigned_n} assignees such as 'Unassigned' mean nobody and were stored empty.", "info"))  # fmt: skip

    # 9. file-level facts and warnings
    project_id = key_counts[0][0] if key_counts else None
    project_name = key_counts[0][2] if key_counts else None
    as_of = latest.date() if latest is not None else None

    if "issue_key" not in groups:
        problems.append(
            Problem(
                "the export has no 'Issue key' column, so issues cannot be matched between snapshots over time "
                "(scope change and burn-down history will be limited). Export with the Issue key column.",
                "warning",
            )
        )
    if "resolved" not in groups:
        problems.append(
            Problem(
                "the export has no 'Resolved' column: lead time, throughput and completion dates for velocity and "
                "burn-down cannot be computed from it.",
                "warning",
            )
        )
    if sp_choice is None:
        which = "no story-point column" if not sp_idxs else "story-point columns that are all empty"
        problems.append(
            Problem(
                f"the export has {which}: velocity, burn-down and forecasts will use issue counts instead of points.",
                "warning",
            )
        )
    if "sprint" not in groups:
        problems.append(
            Problem("the export has no 'Sprint' column: per-sprint velocity is not available (Kanban?).", "info")
        )
    if "updated" not in groups:
        problems.append(
            Problem("the export has no 'Updated' column, so the snapshot date cannot be taken from it.", "info")
        )
    truncated = n_rows + len(raw.rejected) + len(dups) == TRUNCATION_ROWS  # issues in the file, loaded or not
    if truncated:
        problems.append(
            Problem(
                f"the export has exactly {TRUNCATION_ROWS} issues, Jira's default export limit: it was probably "
                "truncated. Export in pages (or raise the limit) and upload every page.",
                "warning",
            )
        )

    if fmt is None:
        first = fields_first(header)
        shape = "all fields" if first == "summary" else "current fields"
        if raw.excel_resave:
            fmt = f"Jira CSV re-saved by Excel ({shape})"
        else:
            fmt = f"Jira CSV ({shape})"

    lang = _language(header)
    meta.update(
        project_keys=[k for k, _, _ in key_counts],
        issues_per_project_key={k: int(n) for k, n, _ in key_counts},
        encoding=raw.encoding,
        delimiter=raw.delimiter,
        header_language=lang,
        columns=len(header),
        repeated_columns={f: len(groups[f]) for f in MULTI_FIELDS if len(groups.get(f, [])) > 1},
        truncated=truncated,
        rows_in_file=raw.records,
        blank_rows=int(blanks),
        has_issue_key="issue_key" in groups,
        has_resolved="resolved" in groups,
        mapped_columns={f: [header[i] for i in idxs] for f, idxs in groups.items()},
        project_key_source="Project key column" if "project_key" in groups else "issue key prefix",
    )
    return Parsed(
        source=SOURCE,
        format=fmt,
        tables={"issues": issues, "issue_sprints": sprints},
        problems=problems,
        as_of=as_of,
        project_id=project_id,
        project_name=project_name,
        rows_rejected=len(raw.rejected) + len(dups),
        meta=meta,
    )


def type_kind(issue_type: str) -> str:
    """An issue type name (any language) -> ``subtask``, ``epic``, ``top`` (above epics) or ``other``."""
    norm = normalize_header(issue_type)
    if norm in _SUBTASK_NORM or "sub task" in norm or "subtask" in norm:
        return "subtask"
    if norm in _EPIC_NORM:
        return "epic"
    if norm in _TOP_NORM:
        return "top"
    return "other"


def fields_first(header: list[str]) -> str | None:
    for f in _header_fields(header):
        if f:
            return f
    return None


_LANG_MARKERS = {
    "es": ["resumen", "clave de incidencia", "creada", "estado", "tipo de incidencia"],
    "de": ["zusammenfassung", "schlüssel", "erstellt", "vorgangstyp", "aktualisiert"],
    "fr": ["résumé", "clé", "création", "type de ticket", "état"],
    "pl": ["podsumowanie", "klucz zgłoszenia", "utworzono", "typ zgłoszenia"],
    "pt": ["resumo", "chave", "criado", "tipo de item", "atualizado"],
    "en": ["summary", "issue key", "created", "issue type", "updated"],
}


def _language(header: list[str]) -> str | None:
    keys = {_header_key(h) for h in header}
    scores = Counter({lang: len(keys & {_header_key(m) for m in marks}) for lang, marks in _LANG_MARKERS.items()})
    best, score = scores.most_common(1)[0]
    return best if score else None

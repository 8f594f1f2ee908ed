"""Jira values in any of the export languages: status categories, the editable status -> category
defaults, "Unresolved"/"Unassigned" words, and the issue-type families (sub-task, epic, above epic)."""

from __future__ import annotations

from loaders.values import normalize_header

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
EPIC_TYPES = ["epic", "épica", "epica", "epik", "épico", "epico", "epos", "épique", "épopée", "epopee", "エピック"]
BUG_TYPES = ["bug", "error", "fehler", "bogue", "błąd", "erro", "defect", "defekt"]
ABOVE_EPIC_TYPES = ["initiative", "iniciativa", "initiative", "inicjatywa", "theme", "tema", "thème", "legend"]

# fmt: on
_SUBTASK_NORM = {normalize_header(t) for t in SUBTASK_TYPES}
_EPIC_NORM = {normalize_header(t) for t in EPIC_TYPES}
_TOP_NORM = {normalize_header(t) for t in ABOVE_EPIC_TYPES}
_BUG_NORM = {normalize_header(t) for t in BUG_TYPES}

#: What an issue is, decided once here and stored as ``issues.issue_kind``: containers
#: (``initiative`` above epics, ``epic``), work items (``item``, ``bug``) and ``subtask``.
ISSUE_KINDS = ("initiative", "epic", "item", "bug", "subtask")


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


def issue_kind(issue_type: str | None, is_subtask: bool = False) -> str:
    """One of :data:`ISSUE_KINDS`: ``subtask`` when the loader found it is one (or its type says so),
    else from the localized type name (``Épique``, ``Epos``, ``Épica`` -> ``epic``; ``Fehler`` -> ``bug``)."""
    kind = type_kind(issue_type) if issue_type is not None else "other"
    if is_subtask or kind == "subtask":
        return "subtask"
    if kind in ("epic", "top"):
        return "epic" if kind == "epic" else "initiative"
    return "bug" if normalize_header(issue_type or "") in _BUG_NORM else "item"

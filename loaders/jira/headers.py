"""Jira header cells -> canonical fields: the alias tables (English old and new names, Spanish,
German, French, Polish, Portuguese), ``Custom field (…)`` prefixes, Portuguese gendered labels, the
story-point candidates, and the grouping of repeated columns (Sprint ×N, Labels ×N…)."""

from __future__ import annotations

import re
from collections import Counter

from loaders.values import normalize_header

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


def header_fields(header: list[str]) -> list[str | None]:
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


def looks_like_jira(header: list[str]) -> bool:
    """Jira's own column names: a specific issue-key header (``Issue key``, ``Clave de incidencia``…),
    or a specific issue-type header (not a bare ``Type``) beside a summary, status or id column."""
    keys = {_header_key(h) for h in header}
    if keys & _SPECIFIC_KEY:
        return True
    fields = set(header_fields(header))
    return bool(keys & _SPECIFIC_TYPE) and len(fields & {"summary", "status", "issue_key", "issue_id"}) >= 1


def inner_key(name: str) -> str:
    """A header's alias key with any ``Custom field (…)`` wrapper removed."""
    key = _header_key(name)
    match = _CUSTOM_FIELD.match(key)
    return _header_key(match.group(2)) if match else key


def column_groups(header: list[str]) -> dict[str, list[int]]:
    """Canonical field -> the header positions holding it. Repeated multi-valued columns keep file
    order; candidates for a single-valued field are ordered by alias preference."""
    groups: dict[str, list[int]] = {}
    for i, f in enumerate(header_fields(header)):
        if f:
            groups.setdefault(f, []).append(i)
    for f, idxs in groups.items():
        if f not in MULTI_FIELDS and f != "story_points":
            prefs = {_header_key(a): k for k, a in enumerate(HEADER_ALIASES[f])}
            idxs.sort(key=lambda i: (prefs.get(inner_key(header[i]), 99), i))
    return groups


def fields_first(header: list[str]) -> str | None:
    for f in header_fields(header):
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


def language(header: list[str]) -> str | None:
    keys = {_header_key(h) for h in header}
    scores = Counter({lang: len(keys & {_header_key(m) for m in marks}) for lang, marks in _LANG_MARKERS.items()})
    best, score = scores.most_common(1)[0]
    return best if score else None

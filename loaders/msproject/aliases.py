"""Export header names (English, underscored, localised) -> canonical MS Project columns."""

from __future__ import annotations

import re

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
    "actual work": "actual_work_hours",
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
TASK_ALIASES.update(
    {
        # de
        "nr.": "task_id",
        "nr": "task_id",
        "einmalige nr.": "task_uid",
        "einmalige nr": "task_uid",
        "vorgangsname": "name",
        "dauer": "duration_hours",
        "gliederungsebene": "outline_level",
        "gliederungsnummer": "outline_number",
        "geplante dauer": "baseline_duration_hours",
        "vorgänger": "predecessors",
        "anfang": "start",
        "ende": "finish",
        "% abgeschlossen": "percent_complete",
        "aktueller anfang": "actual_start",
        "aktuelles ende": "actual_finish",
        "geplanter anfang": "baseline_start",
        "geplantes ende": "baseline_finish",
        "arbeit": "work_hours",
        "geplante arbeit": "baseline_work_hours",
        "aktuelle arbeit": "actual_work_hours",
        "kosten": "cost",
        "feste kosten": "fixed_cost",
        "geplante kosten": "baseline_cost",
        "aktuelle kosten": "actual_cost",
        "verbleibende kosten": "remaining_cost",
        "psp code": "wbs",
        "meilenstein": "is_milestone",
        "sammelvorgang": "is_summary",
        "ressourcennamen": "resource_names",
        "stichtag": "deadline",
        "notizen": "notes",
        # fr
        "n°": "task_id",
        "nom de la tâche": "name",
        "nom": "name",
        "durée": "duration_hours",
        "début": "start",
        "fin": "finish",
        "prédécesseurs": "predecessors",
        "noms ressources": "resource_names",
        "noms des ressources": "resource_names",
        "% achevé": "percent_complete",
        "niveau hiérarchique": "outline_level",
        "jalon": "is_milestone",
        "récapitulatif": "is_summary",
        "sommaire": "is_summary",
        "début prévu": "start",
        "fin prévue": "finish",
        "début planifié": "baseline_start",
        "fin planifiée": "baseline_finish",
        "coût planifié": "baseline_cost",
        "durée planifiée": "baseline_duration_hours",
        "travail": "work_hours",
        "travail normal": "baseline_work_hours",
        "travail planifié": "baseline_work_hours",
        "travail réel": "actual_work_hours",
        "coût réel": "actual_cost",
        "coût": "cost",
        "coût fixe": "fixed_cost",
        "coût restant": "remaining_cost",
        "début réel": "actual_start",
        "fin réelle": "actual_finish",
        "edt": "wbs",
        "n° unique": "task_uid",
        "id unique": "task_uid",
        "numéro unique": "task_uid",
        # es
        "nombre de tarea": "name",
        "nombre": "name",
        "duración": "duration_hours",
        "comienzo": "start",
        "predecesoras": "predecessors",
        "nombres de los recursos": "resource_names",
        "% completado": "percent_complete",
        "nivel de esquema": "outline_level",
        "hito": "is_milestone",
        "resumen": "is_summary",
        "comienzo previsto": "baseline_start",
        "fin previsto": "baseline_finish",
        "costo previsto": "baseline_cost",
        "costo real": "actual_cost",
        "costo": "cost",
        "coste previsto": "baseline_cost",
        "coste real": "actual_cost",
        "coste": "cost",
        "comienzo real": "actual_start",
        "fin real": "actual_finish",
        "id único": "task_uid",
        "nombres de recursos": "resource_names",
        "número de esquema": "outline_number",
        "trabajo": "work_hours",
        "trabajo real": "actual_work_hours",
        "costo fijo": "fixed_cost",
        "costo restante": "remaining_cost",
        "notas": "notes",
        "línea de base de comienzo": "baseline_start",
        "línea de base de fin": "baseline_finish",
        "línea de base de costo": "baseline_cost",
        "línea base de duración": "baseline_duration_hours",
        "línea de base de trabajo": "baseline_work_hours",
        # de (MPXJ spelling)
        "ressourcenamen": "resource_names",
    }
)


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


BASELINE_N = re.compile(r"^baseline ?(\d{1,2}) (start|finish|duration|work|cost|bcws|bcwp)(?: date)?$")


BASELINE_FIELD = {
    "start": "start",
    "finish": "finish",
    "duration": "duration_hours",
    "work": "work_hours",
    "cost": "cost",
    "bcws": "bcws",
    "bcwp": "bcwp",
}

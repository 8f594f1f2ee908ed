"""The words risk registers and RAID logs use, as data: header aliases per role and the value
vocabularies (kinds, closed statuses, yes/no) in English, Spanish, Portuguese, Italian, French and
German. Headers are compared after :func:`loaders.risk.header.clean` (case-folded, text in
parentheses and punctuation removed)."""

from __future__ import annotations


def _words(text: str) -> tuple[str, ...]:
    """'a | b c | d' -> ('a', 'b c', 'd')."""
    return tuple(w.strip() for w in text.split("|") if w.strip())


def _split(table: dict[str, str]) -> dict[str, tuple[str, ...]]:
    return {key: _words(text) for key, text in table.items()}


# role -> header phrases, preferred first. An exact match beats a header that starts or ends with a phrase.
ROLE_ALIASES: dict[str, tuple[str, ...]] = _split(
    {
        "risk_id": (
            "id | risk id | risk no | risk number | risk ref | ref | reference | no | nr | # | number | "
            "issue id | raid id | item id | no de riesgo | id riesgo | n riesgo | numero | número | "
            "id rischio | n rischio | numéro | id risque | risiko id | risiko nr | nº | n° | código | codigo | "
            "codice"
        ),
        "title": (
            "title | risk title | risk name | name | risk | summary | issue | issue title | item | riesgo | "
            "título | titulo | nombre del riesgo | rischio | titolo | risque | titre | risiko | titel | "
            "risco | nome | nome do risco | risk event | riesgo fuente"
        ),
        "description": (
            "description | risk description | issue description | assumption description | "
            "dependency description | descripción | descripcion | descrição | descricao | descrizione | "
            "beschreibung | details | risk statement | descripción del riesgo | riesgo consecuencia"
        ),
        "cause": "cause | root cause | causa | causa raíz | cause racine | ursache | fuente",
        "event": "event | evento | événement | ereignis",
        "category": (
            "category | risk category | type | risk type | categoría | categoria | tipo | tipo de riesgo | "
            "tipo di rischio | catégorie | kategorie | risikoart | area | área"
        ),
        "system": (
            "system | systems | application | component | integration | interface | sistema | sistemas | "
            "aplicación | applicazione | système | anwendung | komponente | sistema afectado | "
            "affected system"
        ),
        "probability": (
            "probability | likelihood | frequency | chance | probabilidad | probabilidade | probabilità | "
            "probabilita | probabilité | wahrscheinlichkeit | eintrittswahrscheinlichkeit | verosimilitud | "
            "frecuencia | frequenza | fréquence | p | prob | probability rating | probability risk rating | "
            "likelihood rating | probability level"
        ),
        "impact": (
            "impact | severity | consequence | consequences | impacto | impatto | gravità | gravita | "
            "gravedad | severidad | conseguenza | conséquence | gravité | auswirkung | schadenshöhe | "
            "tragweite | schwere | i | impact rating | impact risk rating | impact level | severity rating"
        ),
        "score": (
            "score | risk score | rating | risk rating | risk level | exposure score | rpn | puntuación | "
            "valor | evaluación valor | punteggio | risikowert | pontuação | criticidad | priority level | "
            "p x i | pxi | p*i"
        ),
        "amount": (
            "cost impact | financial impact | monetary impact | impact cost | cost | cost of impact | financial exposure | "
            "expected loss | emv | impacto económico | impacto financiero | costo | coste | custo | impatto economico | "
            "costo stimato | impact financier | coût | finanzielle auswirkung | kosten"
        ),
        "owner": (
            "owner | risk owner | responsible | assigned to | assignee | owner name | responsable | "
            "responsable de la acción | dueño | propietario | responsável | dono | responsabile | "
            "proprietario | propriétaire | verantwortlich | verantwortlicher | eigentümer | actionee | "
            "action owner"
        ),
        "status": (
            "status | state | risk status | estado | estatus | situação | situacao | stato | statut | état | zustand"
        ),
        "raised": (
            "date raised | raised | raised on | date identified | identified | created | date opened | "
            "open date | fecha de identificación | fecha | data | data identificazione | date | "
            "date d'identification | erfasst am | datum"
        ),
        "due": (
            "due | due date | target date | review date | deadline | action due | mitigation due | "
            "target resolution date | fecha límite | fecha objetivo | prazo | data prevista | scadenza | "
            "échéance | fällig | fällig am | termin"
        ),
        "closed": (
            "closed | date closed | closed date | closure date | close date | fecha de cierre | "
            "data de fechamento | data chiusura | date de clôture | geschlossen am"
        ),
        "response": (
            "mitigation | response | responses | potential responses | treatment | mitigation strategy | "
            "mitigation plan | mitigation notes | action | actions | response plan | risk response | "
            "risk reduction strategy | countermeasure | mitigación | respuesta | plan de respuesta | "
            "mitigação | resposta | tratamiento | mitigazione | risposta | trattamento | atténuation | "
            "réponse | traitement | maßnahme | maßnahmen | gegenmaßnahme | treatment measure | response s | "
            "treatment measure s | measure s"
        ),
        "escalate": (
            "escalate | escalation | escalated | escalate? | escalar | escalado | escalonar | escalare | "
            "escalade | eskalation | eskalieren"
        ),
        "kind": "raid type | raid | kind | entry type | log type | t/o | threat/opportunity | threat or opportunity | amenaza/oportunidad",
    }
)

# Header words that make a scale column a residual / target / after-treatment one: kept, not scored.
RESIDUAL_WORDS: tuple[str, ...] = _words(
    "new | residual | post | target | after | revised | final | residuo | residual | residuale | "
    "nuevo | nueva | nouvelle | nouveau | neue | neu | rest"
)

# Sheet names and cell values -> the kind of a RAID entry (single letters only match cells).
KIND_WORDS: dict[str, tuple[str, ...]] = _split(
    {
        "risk": (
            "risk | risks | riesgo | riesgos | risco | riscos | rischio | rischi | risque | risques | risiko | "
            "risiken | threat | amenaza | minaccia | menace | bedrohung | t"
        ),
        "issue": (
            "issue | issues | problem | problems | problema | problemas | problemi | problème | problèmes | "
            "problem | probleme | incidencia | incidencias | questione | i"
        ),
        "assumption": (
            "assumption | assumptions | supuesto | supuestos | premissa | premissas | ipotesi | hypothèse | "
            "hypothèses | annahme | annahmen | a"
        ),
        "dependency": (
            "dependency | dependencies | dependencia | dependencias | dependência | dependências | "
            "dipendenza | dipendenze | dépendance | dépendances | abhängigkeit | abhängigkeiten | d"
        ),
        "opportunity": (
            "opportunity | opportunities | oportunidad | oportunidades | oportunidade | opportunità | "
            "opportunité | chance | chancen | o"
        ),
    }
)

# A status starting with one of these closes the entry.
CLOSED_WORDS: tuple[str, ...] = _words(
    "closed | close | done | resolved | complete | completed | retired | expired | cancelled | "
    "canceled | obsolete | cerrado | cerrada | resuelto | resuelta | fechado | fechada | resolvido | "
    "concluído | chiuso | chiusa | risolto | fermé | fermée | résolu | clos | geschlossen | erledigt | "
    "abgeschlossen | gelöst"
)

# Yes in an escalation column.
TRUE_WORDS: tuple[str, ...] = _words("yes | y | x | true | 1 | sí | si | s | sim | oui | ja | j | escalate | escalated")

# A first cell that makes a row a total row.
TOTAL_WORDS: tuple[str, ...] = _words(
    "total | totals | sum | grand total | subtotal | overall | totale | gesamt | summe | suma | soma | total risk score"
)

# A first cell that starts a legend or scale key.
LEGEND_WORDS: tuple[str, ...] = _words(
    "legend | key | leyenda | legenda | légende | legende | scale | escala | scala | échelle | skala | "
    "notes | note | notas"
)

# Words of an instruction row under a template's header.
INSTRUCTION_WORDS: tuple[str, ...] = _words(
    "rate | enter | describe | give | what | who | select | choose | e.g | eg | example | indique | "
    "describa | ingrese | inserire | indiquer | eingeben"
)

"""Parents, epics and sub-tasks: parent ids and keys resolved to issue keys, epic names to epic keys,
the issue-type family of every issue, and ``is_subtask`` from the type, the legacy ``Parent id``
column or a parent that is not an epic. Lookups are restricted to the issues that are referenced."""

from __future__ import annotations

from dataclasses import dataclass

from loaders.jira.cells import sql_str
from loaders.jira.headers import inner_key
from loaders.jira.vocabulary import issue_kind, type_kind

KEY_RE = "'^[A-Za-z][A-Za-z0-9_]*-\\d+$'"

#: the epic an issue belongs to: its Epic Link, an epic parent, or (for a sub-task) its parent's epic
EPIC_KEY_SQL = """coalesce(epic_link_r,
                        CASE WHEN parent_kind = 'epic' THEN parent_key_r END,
                        CASE WHEN is_subtask THEN coalesce(parent_epic,
                             CASE WHEN grandparent_kind = 'epic' THEN grandparent END) END
                        )"""

#: the issue kind (see :func:`loaders.jira.vocabulary.issue_kind`): the sub-task finding wins over the type name
ISSUE_KIND_SQL = "CASE WHEN is_subtask THEN 'subtask' ELSE type_issue_kind END"


@dataclass(frozen=True)
class Family:
    """SQL that adds each issue's parent, epic and grandparent facts to ``base`` (as ``flagged``),
    and the link cells that could not be resolved (field, condition on ``base``, reason)."""

    join: str
    columns: str
    subtask_sql: str
    checks: list[tuple[str, str, str]]


def create_base(con, header: list[str], groups: dict, issue_types: list[str], parent_ids: int, keep_sql: str) -> Family:
    """The ``base`` view over ``typed``: resolved ``parent_key_r``, ``epic_link_r`` and the ``kind``
    of each issue type; ``parents2`` holds the referenced parents with their own parent's kind."""
    has_parent = "parent_ref" in groups or "parent_key" in groups
    joins, parent_parts = "", ["CASE WHEN regexp_full_match(t.parent_key, {k}) THEN t.parent_key END"]
    epic_expr = "NULL::VARCHAR"
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
        epic_expr = f"coalesce(CASE WHEN regexp_full_match(t.epic_link, {KEY_RE}) THEN t.epic_link END, e.issue_key)"
    parent_expr = (
        "coalesce(" + ", ".join(p.format(k=KEY_RE) for p in parent_parts) + ")" if has_parent else "NULL::VARCHAR"
    )
    kinds = {t: (type_kind(t), issue_kind(t)) for t in issue_types}
    kind_expr = "NULL::VARCHAR AS kind, 'item' AS type_issue_kind"
    if kinds:
        values = ", ".join(f"({sql_str(t)}, {sql_str(k)}, {sql_str(ik)})" for t, (k, ik) in kinds.items())
        joins += f" LEFT JOIN (VALUES {values}) tk(issue_type, kind, issue_kind) ON tk.issue_type = t.issue_type"
        kind_expr = "tk.kind, coalesce(tk.issue_kind, 'item') AS type_issue_kind"
    con.execute(f"""
        CREATE TEMP VIEW base AS
        SELECT t.*, {parent_expr} AS parent_key_r, {epic_expr} AS epic_link_r, {kind_expr}
        FROM typed t {joins} WHERE {keep_sql.replace("rn", "t.rn", 1)}""")
    legacy = "true" if any(inner_key(header[i]) == "parent id" for i in groups.get("parent_ref", [])) else "false"
    return Family(*_family_join(con, has_parent), subtask_sql=_subtask_sql(legacy), checks=_link_checks(groups))


def _family_join(con, has_parent: bool) -> tuple[str, str]:
    if not has_parent:
        return "", (
            "NULL::VARCHAR AS parent_kind, NULL::VARCHAR AS parent_epic, NULL::VARCHAR AS grandparent, "
            "NULL::VARCHAR AS grandparent_kind"
        )
    con.execute("""CREATE TEMP TABLE parents AS SELECT issue_key, kind, epic_link_r, parent_key_r FROM base
                   WHERE issue_key IN (SELECT parent_key_r FROM base WHERE parent_key_r IS NOT NULL)""")
    con.execute("""CREATE TEMP TABLE parents2 AS SELECT p.*, g.kind AS grandparent_kind
                   FROM parents p LEFT JOIN parents g ON g.issue_key = p.parent_key_r""")
    return (
        "LEFT JOIN parents2 p ON p.issue_key = b.parent_key_r",
        "p.kind AS parent_kind, p.epic_link_r AS parent_epic, p.parent_key_r AS grandparent, p.grandparent_kind",
    )


def _subtask_sql(legacy: str) -> str:
    """A sub-task: its type says so, or (legacy ``Parent id`` column) it has a parent and is not an
    epic, or its parent is neither an epic nor above one."""
    return f"""coalesce(kind = 'subtask', false)
                    OR ({legacy} AND parent_ref IS NOT NULL AND coalesce(kind NOT IN ('epic', 'top'), true))
                    OR (parent_key_r IS NOT NULL AND parent_kind IS NOT NULL AND parent_kind NOT IN ('epic', 'top')
                        AND coalesce(kind NOT IN ('epic', 'top'), true))"""


def _link_checks(groups: dict) -> list[tuple[str, str, str]]:
    checks = []
    if "parent_ref" in groups:
        checks.append(
            (
                "parent_ref",
                "parent_ref IS NOT NULL AND parent_key_r IS NULL",
                "the parent issue id is not in this export, so the parent key is unknown; left empty",
            )
        )
    if "epic_link" in groups:
        checks.append(
            (
                "epic_link",
                "epic_link IS NOT NULL AND epic_link_r IS NULL",
                "the epic is not in this export and the link is not an issue key; left empty",
            )
        )
    return checks

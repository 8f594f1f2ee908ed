"""Who sees what: roles, project scopes and the rules the store enforces (DESIGN.md §9, Access).

With no configuration the app is single-user and open (:data:`OPEN`). ``PMO_ROLES=roles.toml``
turns access on::

    [users."vp@example.com"]
    role = "executive"          # executive | pmo | pm | finance

    [users."pm@example.com"]
    role = "pm"
    projects = ["CRM-UPGRADE"]  # default: the projects whose register `manager` is this e-mail

- ``executive`` and ``pmo`` see every project; only ``pmo`` deletes uploads and changes settings.
- ``pm`` sees, uploads for and writes status for their projects only.
- ``finance`` sees the money of every project (plans, budgets, contracts) and uploads finance and
  contract files; work items, risks and people are not theirs to see.
- A user the file does not name sees nothing.

The store takes a :class:`Scope` and applies it to every read and write (``store.Store(scope=...)``),
so a page, an export, the CLI (``--user EMAIL``) and the pack can only see what the role allows.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

ROLES = ("executive", "pmo", "pm", "finance")
MONEY_TABLES = frozenset(
    {"tasks", "task_baselines", "timephased_baseline", "budget_lines", "contracts", "contract_invoices", "projects"}
)
FINANCE_SOURCES = frozenset({"finance", "contracts"})


class AccessError(Exception):
    """The roles file cannot be used, or a user asked for something their role does not allow."""


@dataclass(frozen=True)
class Scope:
    """What one user may see and do. ``projects`` None = every project; an empty set = none."""

    user: str | None
    role: str
    projects: frozenset[str] | None = None

    @property
    def is_open(self) -> bool:
        return self.role == "open"

    @property
    def unrestricted(self) -> bool:
        """Sees every row of every table (the open app, executives and the PMO)."""
        return self.role in ("open", "pmo", "executive")

    def sees_table(self, table: str) -> bool:
        return self.role != "finance" or table in MONEY_TABLES

    def visible(self, project_ids) -> list[str] | None:
        """The requested projects narrowed to those in scope (None = no narrowing needed)."""
        if self.projects is None:
            return None if project_ids is None else list(project_ids)
        if project_ids is None:
            return sorted(self.projects)
        return [p for p in project_ids if p in self.projects]

    def may_upload(self, source: str, project_ids) -> str | None:
        """None when allowed, else the sentence that says why not."""
        if self.role in ("open", "pmo"):
            return None
        if self.role == "executive":
            return f"{self.user} has the executive role, which reads but does not upload."
        if self.role == "finance":
            return (
                None if source in FINANCE_SOURCES else f"{self.user} (finance) uploads finance and contract files only."
            )
        outside = sorted(set(project_ids or ()) - (self.projects or frozenset()))
        if source == "register":
            return f"{self.user} (pm) cannot upload the portfolio register; the PMO does."
        if outside or not project_ids:
            named = ", ".join(outside) or "no project"
            return f"{self.user} (pm) may upload only for their projects, and this file is for {named}."
        return None

    def may_write_project(self, project_id: str) -> str | None:
        if self.role in ("open", "pmo") or (self.role == "pm" and project_id in (self.projects or ())):
            return None
        return f"{self.user} ({self.role}) cannot change project {project_id}."

    def may_administer(self) -> str | None:
        """Deleting uploads and changing settings."""
        return None if self.role in ("open", "pmo") else f"{self.user} ({self.role}): only the PMO role may do this."


OPEN = Scope(user=None, role="open")


def load_roles(path: str | os.PathLike) -> dict[str, dict]:
    """e-mail (case-folded) -> its entry ({role, projects?}); raises :class:`AccessError`."""
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as err:
        raise AccessError(f"the roles file {path} cannot be read ({err.strerror}).") from None
    except tomllib.TOMLDecodeError as err:
        raise AccessError(f"the roles file {path} is not valid TOML ({err}).") from None
    users = {}
    for email, entry in (data.get("users") or {}).items():
        role = str(entry.get("role", "")).lower()
        if role not in ROLES:
            raise AccessError(f"{path}: user {email} has role {role!r}; use one of {', '.join(ROLES)}.")
        users[email.strip().casefold()] = {"role": role, "projects": entry.get("projects")}
    return users


def scope_for(email: str | None, users: dict[str, dict], managers: dict[str, str]) -> Scope:
    """The scope of a signed-in e-mail. ``managers``: project id -> the register's manager e-mail,
    which gives a PM their projects when the roles file lists none."""
    key = (email or "").strip().casefold()
    entry = users.get(key)
    if entry is None:
        return Scope(user=email, role="unknown", projects=frozenset())
    if entry["role"] != "pm":
        return Scope(user=email, role=entry["role"])
    listed = entry.get("projects")
    mine = set(listed) if listed else {p for p, m in managers.items() if str(m or "").strip().casefold() == key}
    return Scope(user=email, role="pm", projects=frozenset(mine))


def roles_file(environ=None) -> str | None:
    environ = os.environ if environ is None else environ
    return environ.get("PMO_ROLES") or None

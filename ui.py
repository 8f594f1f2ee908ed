"""What every page shares: the store, the sidebar settings (as-of date, filters), formatting, month names.

Pages call :func:`settings` for the sidebar's choices and :func:`store` for the database, and
key their ``st.cache_data`` functions by small values: project id, as-of date and
:func:`data_version` (or, narrower, :func:`reads_version`: the uploads a computation reads).
"""

from __future__ import annotations

import calendar
import datetime as dt
import hashlib
import json
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass

import streamlit as st

import access
from store import Store, clamp_as_of

MONTH_NAMES = list(calendar.month_name)[1:]  # January .. December, for the fiscal-year pickers
HEALTH_MEMO_ENTRIES = 16  # dates x users x settings whose portfolio health is kept


@dataclass(frozen=True)
class Settings:
    """The sidebar's choices. ``project_ids`` = projects in scope after the program/portfolio
    filters (all projects when nothing is filtered)."""

    as_of: dt.date | None
    portfolios: tuple[str, ...]
    programs: tuple[str, ...]
    project_ids: tuple[str, ...]
    data_version: str


def current_user() -> str | None:
    """The signed-in user's e-mail (OpenID Connect through ``st.login``), None when signed out or
    when access control is off."""
    if access.roles_file() is None:
        return None
    try:
        return st.user.get("email") if st.user.is_logged_in else None
    except (AttributeError, KeyError):  # no [auth] configured: nobody is signed in
        return None


@st.cache_data(show_spinner=False, ttl=60)
def _scope(email: str | None, roles: str, version: str) -> access.Scope:
    return Store.for_user(None, email).scope


def store() -> Store:
    """The database as the signed-in user may see it (everything when access control is off)."""
    roles = access.roles_file()
    if roles is None:
        return Store()
    return Store().as_user(_scope(current_user(), roles, Store().data_version()))


def data_version() -> str:
    """The cache key of every page: the data's version and whose view of it this is, so a cached
    result computed for one user is never shown to another."""
    s = store()
    return f"{s.path}|{s.data_version()}|{_scope_key(s.scope)}"


def _scope_key(scope) -> str:
    """Whose view of the data this is: role, user and the projects they may see, so a roles file
    that narrows a user's projects changes every key even when no upload was stored."""
    projects = "*" if scope.projects is None else hashlib.md5(",".join(sorted(scope.projects)).encode()).hexdigest()
    return f"{scope.role}:{scope.user}:{projects}"


def reads_version(as_of: dt.date | None, sources=None, project_ids=None) -> str:
    """The cache key of a computation that reads only the uploads of ``sources`` for
    ``project_ids`` on or before ``as_of`` (``Store.reads_version``), and whose view of them this
    is: an ingest of another project or a later date leaves the cached result valid. Looked up
    once per data version (the sidebar's, read at the start of the run): while no upload is
    stored or deleted the answer cannot change, so a warm run asks the database nothing."""
    ids = None if project_ids is None else tuple(project_ids)
    return _reads_version(settings().data_version, as_of, None if sources is None else tuple(sources), ids)


@st.cache_data(show_spinner=False, max_entries=1024)
def _reads_version(version: str, as_of, sources, project_ids) -> str:
    s = store()
    return f"{s.path}|{s.reads_version(as_of, sources, project_ids)}|{_scope_key(s.scope)}"


@st.cache_data(show_spinner=False)
def _projects(version: str):
    return store().projects()


def projects():
    """Every known project (register rows first), cached per data version."""
    return _projects(data_version())


@st.cache_data(show_spinner=False)
def _latest_as_of(version: str, today: dt.date) -> dt.date | None:
    """The newest snapshot's date on or before today + 31 days (``Store.default_as_of``: a
    snapshot dated 9999-12-31 is nobody's default); with only a register, the register's."""
    return store().default_as_of(today)


def sidebar() -> Settings:
    """Draw the shared sidebar and remember the settings for the pages of this run."""
    version = data_version()
    today = dt.date.today()
    latest = _latest_as_of(version, today)
    limit = clamp_as_of(None, today)  # the latest date the picker offers
    known = _projects(version)
    # The as-of date follows the newest snapshot (after an upload or a deletion) unless the user
    # picked another date: a keyed date_input ignores a changed default, so reset it ourselves.
    if st.session_state.get("_as_of_default") != latest:
        if st.session_state.get("as_of") in (None, st.session_state.get("_as_of_default")):
            st.session_state["as_of"] = latest
        st.session_state["_as_of_default"] = latest
    chosen = st.session_state.get("as_of")
    if isinstance(chosen, dt.date) and chosen > limit:  # set before today moved on, or by a link
        st.session_state["as_of"] = limit
    with st.sidebar:
        as_of = st.date_input(
            "As of",
            key="as_of",
            max_value=limit,
            help="Every page shows each project as of its latest snapshot on or before this date "
            "(at most 31 days after today).",
        )
        portfolios = tuple(sorted(known.portfolio.dropna().unique())) if not known.empty else ()
        chosen_portfolios = st.multiselect("Portfolio", portfolios, key="portfolios") if len(portfolios) > 1 else []
        scope = known[known.portfolio.isin(chosen_portfolios)] if chosen_portfolios else known
        programs = tuple(sorted(scope.program.dropna().unique())) if not scope.empty else ()
        chosen_programs = st.multiselect("Program", programs, key="programs")
        if chosen_programs:
            scope = scope[scope.program.isin(chosen_programs)]
    settings = Settings(
        as_of=as_of if isinstance(as_of, dt.date) else latest,
        portfolios=tuple(chosen_portfolios),
        programs=tuple(chosen_programs),
        project_ids=tuple(scope.project_id) if not scope.empty else (),
        data_version=version,
    )
    st.session_state["_settings"] = settings
    return settings


def settings() -> Settings:
    """The settings the sidebar drew in this run (drawn now when a page runs on its own)."""
    return st.session_state.get("_settings") or sidebar()


def money(value, currency: str = "") -> str:
    """1234567.8 -> '1.23M', 12345 -> '12.3k', 999999 -> '1M' (with a currency code when given);
    None -> '—'."""
    if value is None or value != value:
        return "—"
    sign = "-" if value < 0 else ""
    value = abs(value)
    text = f"{value:,.0f}"
    for limit, suffix in ((1e3, "k"), (1e6, "M"), (1e9, "B")):
        if float(f"{value / limit:.3g}") >= 1:
            text = f"{float(f'{value / limit:.3g}'):g}{suffix}"
    return f"{sign}{text}{' ' + currency if currency else ''}"


def ratio(value) -> str:
    return "—" if value is None or value != value else f"{value:.2f}"


def portfolio_settings():
    """The portfolio's stored settings (:class:`metrics.settings.Settings`), read on every run so
    a change on the Uploads page reaches every page at once."""
    from metrics.settings import load

    return load(store())


def portfolio_reads(as_of: dt.date | None) -> str:
    """The cache key of what the portfolio's numbers as of a date read: the uploads on or before
    the date and the registers of any date, which name and group the projects."""
    return reads_version(as_of) + reads_version(None, ("register",))


@st.cache_resource(show_spinner=False)
def _health_memo() -> dict:
    """Per (database, user, date, settings): the portfolio's judged rows (``HealthRows``) and their
    table, shared by every session of this server (the most recently used few), and a lock per
    key, so sessions that find the same rows stale wait for one of them to judge them."""
    return {"lock": threading.Lock(), "entries": OrderedDict(), "computing": {}}


@st.cache_data(show_spinner=False, max_entries=64)
def _row_versions(version: str, as_of: dt.date | None) -> tuple[dt.date, dict]:
    """The date a health as of ``as_of`` is judged at (``metrics.portfolio.resolved_as_of``) and
    ``metrics.portfolio.row_versions`` there, looked up once per data version."""
    from metrics.portfolio import resolved_as_of, row_versions

    with store().batch() as held:
        day = resolved_as_of(held, as_of)
        return day, row_versions(held, day)


def portfolio_health(as_of: dt.date | None, rules):
    """Every project's health as of ``as_of`` judged with ``rules`` (:func:`portfolio_settings`):
    ``metrics.portfolio.portfolio_frame``, for every page that shows it. Each project's row is kept
    under what it reads (``metrics.portfolio.row_versions``): while a weekly ingest stores one
    project after another, a run judges only the projects stored since the last one; a run after
    which nothing was stored reads the stored settings and nothing else."""
    from metrics.portfolio import health_frame, refreshed, row_versions

    memo = _health_memo()
    day, versions = _row_versions(settings().data_version, as_of)
    s = store()
    stored_settings = json.dumps(s.settings(), sort_keys=True, default=str)  # the risk threshold too
    key = (s.path, _scope_key(s.scope), day, rules, stored_settings)
    with memo["lock"]:
        kept = memo["entries"].get(key)
        computing = memo["computing"].setdefault(key, threading.Lock())
        if kept is not None:
            memo["entries"].move_to_end(key)  # most recently used
    if kept is None or kept[0].versions != versions:
        with computing:  # one session judges, the others wait for its rows
            with memo["lock"]:
                kept = memo["entries"].get(key)
            if kept is None or kept[0].versions != versions:
                try:
                    with st.spinner("Computing portfolio health…"), s.batch() as held:  # one connection
                        # versions read with the rows, under one hold of the file: an upload stored
                        # since the run began cannot end up in a row kept under an older version
                        fresh = row_versions(held, day)
                        rows = refreshed(held, day, rules, fresh, kept[0] if kept else None)
                except BaseException:
                    with memo["lock"]:  # nothing kept under the key: its lock is not kept either
                        if key not in memo["entries"] and memo["computing"].get(key) is computing:
                            memo["computing"].pop(key)
                    raise
                kept = (rows, health_frame(rows.rows, day))
                with memo["lock"]:
                    memo["entries"][key] = kept
                    memo["entries"].move_to_end(key)
                    while len(memo["entries"]) > HEALTH_MEMO_ENTRIES:
                        gone, _ = memo["entries"].popitem(last=False)
                        memo["computing"].pop(gone, None)
    frame = kept[1].copy()
    frame.attrs = dict(kept[1].attrs)
    return frame


def rules_frame(settings=None):
    """The health rules (with the thresholds of ``settings``) as a table for the pages."""
    import pandas as pd

    from metrics.portfolio import rules

    return pd.DataFrame(
        [
            {
                "Rule": r.label,
                "Amber when": f"{'<' if r.worse == 'below' else '>'} {r.amber:g}{r.unit}",
                "Red when": "never" if r.red is None else f"{'<' if r.worse == 'below' else '>'} {r.red:g}{r.unit}",
                "Meaning": r.help,
            }
            for r in rules(settings)
        ]
    )


def problems_frame(problems):
    """Problems of an ingest report as a table."""
    import pandas as pd

    return pd.DataFrame(
        [
            {
                "severity": p.severity,
                "row": p.row_number,
                "column": p.column_name,
                "value": p.value,
                "message": p.message,
            }
            for p in problems
        ]
    )


def as_text(frame, formats: dict):
    """``frame`` with the ``formats`` columns (column -> callable or format string) written out as
    text and every missing value as '—' (a table cell never says 'None' or 'nan')."""
    out = frame.copy()
    for column, fmt in formats.items():
        if column in out:
            write = fmt if callable(fmt) else fmt.format
            out[column] = [("—" if v is None or v != v else write(v)) for v in out[column]]
    for column in out.columns:
        if out[column].dtype == object or str(out[column].dtype).startswith("str"):
            out[column] = out[column].astype(object).where(out[column].notna(), "—")
    return out


def status_styled(frame, column: str, statuses, formats: dict | None = None):
    """A Styler that paints ``column`` with the status colour of each row (red/amber/green
    mean status only); missing values show as '—', ``formats`` maps columns to format strings."""
    import pandas as pd

    from charts import STATUS_COLORS

    colours = list(statuses.map(STATUS_COLORS).fillna(STATUS_COLORS["unknown"]))
    text = {"#f9a825": "#1a1a1a"}

    def paint(series):
        return [f"background-color: {c}; color: {text.get(c, 'white')}" for c in colours]

    formats = formats or {}
    plain = [c for c in frame.columns if c not in formats and not pd.api.types.is_float_dtype(frame[c])]
    styler = frame.reset_index(drop=True).style.apply(paint, subset=[column])
    return styler.format(formats, na_rep="—").format(None, na_rep="—", subset=plain)


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~:$])")
WORD_JOINER = "\u2060"  # invisible, zero width: breaks a pattern without changing what the user reads
# What GitHub-flavoured markdown turns into a live link even when every markdown character is
# escaped (it finds them in the text after parsing): scheme://, www. and e-mail addresses.
_AUTOLINK = re.compile(r"(?<=:)(?=//)|(?<=www)(?=\.)|(?=@)", re.IGNORECASE)


def escape_md(text) -> str:
    """User text made safe to put inside a markdown string: every markdown character escaped,
    so a name like ``[click](https://x)`` shows as written instead of becoming a link, and a
    word joiner (U+2060, invisible) inside every ``://``, ``www.`` and before every ``@``, so a
    project called ``https://evil.example`` or ``www.evil.example`` is no autolink either."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", _AUTOLINK.sub(WORD_JOINER, str(text)))


def project_picker(project_ids, where=st):
    """A project selectbox (key ``project``, shared by the project pages so a choice carries
    over) showing each project as 'Name (ID)'."""
    known = projects()
    names = dict(zip(known.project_id, known.name, strict=False)) if not known.empty else {}
    asked = st.query_params.get("project")  # a link from a notification or another page
    if asked in project_ids and "project" not in st.session_state:
        st.session_state["project"] = asked
    return where.selectbox(
        "Project",
        list(project_ids),
        key="project",
        format_func=lambda p: f"{names.get(p)} ({p})" if names.get(p) not in (None, p) else p,
    )


def compare_with(as_of: dt.date | None, where=st) -> dt.date | None:
    """The "Compare with" date picker shared by the Overview and the project page (key
    ``compare_with``): a week before the as-of date unless the user picked another date. Like
    the as-of date, it follows a changed as-of date until the user picks one."""
    from views.changes import default_compare

    default = default_compare(as_of)
    if st.session_state.get("_compare_default") != default:
        if st.session_state.get("compare_with") in (None, st.session_state.get("_compare_default")):
            st.session_state["compare_with"] = default
        st.session_state["_compare_default"] = default
    picked = where.date_input(
        "Compare with",
        key="compare_with",
        help="What changed since this date: each KPI's delta, status changes, new red/amber reasons, risks "
        "escalated and milestones slipped. Default: a week before the as-of date.",
    )
    return picked if isinstance(picked, dt.date) else default

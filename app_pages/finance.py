"""Finance: which projects and vendors are over budget this year, by how much.

Budget vs actual vs forecast by project, month, cost category and vendor (metrics.budget), the
variance table coloured by threshold, the finance template and an Excel export of what is shown.
"""

import datetime as dt

import streamlit as st

import ui
from charts import STATUS_COLORS
from charts import budget as budget_charts
from exports import to_excel
from loaders.finance_template import template_bytes
from metrics import budget

PROJECT_COLUMNS = [
    "project_id",
    "name",
    "program",
    "currency",
    *budget.YTD_COLUMNS,
    "full_year_budget",
    "full_year_forecast",
    "full_year_variance",
    "budget",
    "actual",
    "variance",
    "variance_pct",
    "status",
    "committed",
    "forecast_source",
]
CATEGORY_COLUMNS = [
    "cost_category",
    "currency",
    *budget.YTD_COLUMNS,
    "full_year_budget",
    "full_year_forecast",
    "committed",
]
VENDOR_COLUMNS = ["vendor", "currency", *budget.YTD_COLUMNS, "budget", "actual", "variance", "committed"]
MONEY = [label for column, label in budget.TABLE_COLUMNS.items() if column in budget.MONEY_COLUMNS]
PCT = [budget.TABLE_COLUMNS["ytd_variance_pct"], budget.TABLE_COLUMNS["variance_pct"]]
STATUS = [budget.TABLE_COLUMNS["ytd_status"], budget.TABLE_COLUMNS["status"]]


@st.cache_data(show_spinner="Reading the finance snapshot…")
def load(as_of, project_ids, fy_start_month, version):
    with ui.store().batch() as store:  # one connection for the whole computation
        prepared, view = budget.prepared_lines(store, as_of, list(project_ids) if project_ids else None, fy_start_month)
        registered = budget.registered_projects(store)
    unknown = [] if prepared.empty or registered is None else sorted(set(prepared["project_id"]) - registered)
    return prepared, view, unknown


@st.cache_data(show_spinner=False)
def template(year: int) -> bytes:
    return template_bytes(dt.date(year - 1, 1, 1), months=48)


def colour_status(value):
    color = STATUS_COLORS.get(value)
    return f"background-color: {color}; color: white" if color else ""


def styled(frame):
    """Money with thousands separators, ratios as percentages, status cells in their colour."""
    fmt = {c: "{:,.0f}" for c in MONEY if c in frame.columns}
    fmt.update({c: "{:+.1%}" for c in PCT if c in frame.columns})
    return frame.style.format(fmt, na_rep="—").map(colour_status, subset=[c for c in STATUS if c in frame.columns])


def over_styled(frame, statuses):
    """A three-column over-budget list (label, YTD variance, YTD variance %) that fits a half-width
    column: the status colour goes on the variance % cell instead of a status column."""
    pct = budget.TABLE_COLUMNS["ytd_variance_pct"]
    colours = [colour_status(s) for s in statuses]
    return styled(frame).apply(lambda _: colours, subset=[pct])


# Narrow numeric columns with short labels (the subheader says "this year"): the three columns fit
# a half-width column at a 1440 px wide window; the export keeps the full column names.
OVER_COLUMNS = {
    budget.TABLE_COLUMNS["project"]: st.column_config.TextColumn(width=158),  # long names: the full text on hover
    budget.TABLE_COLUMNS["vendor"]: st.column_config.TextColumn(width=158),
    budget.TABLE_COLUMNS["ytd_variance"]: st.column_config.NumberColumn(
        "Variance", width=86, help="Year to date, budget − actual; negative = over budget"
    ),
    budget.TABLE_COLUMNS["ytd_variance_pct"]: st.column_config.NumberColumn(
        "Variance %", width=92, help="Year-to-date variance as a share of the YTD budget, coloured by threshold"
    ),
}


def over_budget_list(where, kind: str, shown, statuses) -> None:
    """The projects or vendors (``kind``) over budget this year in ``where``, or a line saying none is."""
    with where:
        st.markdown(f"**{kind.capitalize()}s**")
        if shown.empty:
            st.success(f"No {kind} is over budget this year.")
        else:
            st.dataframe(
                over_styled(shown, statuses),
                hide_index=True,
                width="stretch",
                column_config=OVER_COLUMNS,
                key=f"over_{kind}s",
            )


def save_settings() -> None:
    """The fiscal year and thresholds chosen here are the portfolio's: stored for every page and CLI."""
    green = st.session_state["green_pct"] / 100
    ui.store().save_settings(
        {
            "fy_start_month": ui.MONTH_NAMES.index(st.session_state["fy_start"]) + 1,
            "budget_green": green,
            "budget_amber": max(st.session_state["amber_pct"] / 100, green),
        }
    )


settings = ui.settings()
stored = ui.portfolio_settings()
st.title("Finance")

filters = st.columns([1, 1, 1])
fy_start = filters[0].selectbox(
    "Fiscal year starts in",
    ui.MONTH_NAMES,
    index=stored.fy_start_month - 1,
    key="fy_start",
    on_change=save_settings,
    help="Stored for every page (the Overview's budget column follows it) and the CLI.",
)
with filters[1].popover("Thresholds"):
    st.number_input(
        "Green up to |variance %|", 0.0, 100.0, 100 * stored.budget_green, 0.5, key="green_pct", on_change=save_settings
    )
    st.number_input(
        "Amber up to |variance %|", 0.0, 100.0, 100 * stored.budget_amber, 0.5, key="amber_pct", on_change=save_settings
    )
    st.caption(
        f"An underspend is at most {stored.underspend_max_status} and green when under by less than "
        f"{stored.underspend_floor:,.0f} (set on the Uploads & problems page)."
    )
stored = ui.portfolio_settings()  # a change above was saved before this run
fy_start_month = stored.fy_start_month
thresholds = budget.Thresholds.from_settings(stored)

scoped = settings.project_ids if (settings.programs or settings.portfolios) else ()
# cached by what it reads: the finance and plan uploads (EVM estimates) in scope up to the date, and the register
reads = ui.reads_version(settings.as_of, ("finance", "msproject"), scoped or None) + ui.reads_version(
    None, ("register",)
)
prepared, view, unknown = load(settings.as_of, tuple(scoped), fy_start_month, reads)
if prepared.empty:
    st.info(
        "No finance workbook is stored for the projects in scope on or before this date. Upload one on the "
        "**Uploads & problems** page; the template below shows the columns."
    )
    st.download_button(
        "Download the finance template (.xlsx)",
        template(settings.as_of.year if settings.as_of else 2026),
        file_name="finance_template.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key="template_empty",
    )
    st.stop()

known = ui.projects()
names = dict(zip(known.project_id, known.name, strict=False)) if not known.empty else {}
programs = dict(zip(known.project_id, known.program, strict=False)) if not known.empty else {}
choices = budget.options(prepared)
picks = st.columns([2, 2, 2, 1])
chosen_projects = picks[0].multiselect(
    "Project", choices["project_id"], key="projects", format_func=lambda p: f"{p} — {names[p]}" if names.get(p) else p
)
chosen_categories = picks[1].multiselect("Cost category", choices["cost_category"], key="categories")
chosen_vendors = picks[2].multiselect("Vendor", choices["vendor"], key="vendors")
currencies = choices["currency"]
currency = picks[3].selectbox(
    "Currency", currencies, key="currency", format_func=lambda c: c or "unknown", disabled=len(currencies) == 1
)
shown_currency = ui.escape_md(currency)  # workbook text: never markdown (a "[x](url)" cell stays text)
if len(currencies) > 1:
    st.caption(
        f"The lines are in {len(currencies)} currencies; every figure below is in {shown_currency or 'an unknown currency'}. "
        "Amounts in different currencies are never added without a rate table."
    )

shown = budget.filter_lines(prepared, chosen_projects, chosen_categories, chosen_vendors)
tables = budget.page_tables(shown, currency, names, programs, thresholds)
fy_first, fy_next = budget.fiscal_year(view, fy_start_month)
fy_label = f"{fy_first:%b %Y} – {fy_next - dt.timedelta(days=1):%b %Y}"
st.caption(f"As of {view:%d %b %Y} · fiscal year {fy_label} · variance = budget − actual (negative = over budget)")

if tables["projects"].empty:
    st.info("No budget lines match these filters.")
    st.stop()

top = budget.headline(tables["projects"])
cols = st.columns(4)
cols[0].metric(  # "7 of 12": a value that fits a quarter of the page ("7 of 12 projects" was cut off)
    "Over budget this year",
    f"{top['projects_over']} of {len(tables['projects'])}",
    f"-{ui.money(top['overrun'], shown_currency)} over" if top["projects_over"] else "none over",
    delta_color="normal",
    help="Projects over budget in the fiscal year to date, of the projects shown, and by how much in total.",
)
cols[1].metric(
    "YTD variance",
    ui.money(top["ytd_variance"], shown_currency),
    None if top["ytd_variance_pct"] is None else f"{top['ytd_variance_pct']:+.1%} of budget",
)
cols[2].metric(
    "YTD actual vs budget",
    ui.money(top["ytd_actual"], shown_currency),
    f"budget {ui.money(top['ytd_budget'], shown_currency)}",
    delta_color="off",
)
cols[3].metric(
    "Full-year forecast",
    ui.money(top["full_year_forecast"], shown_currency),
    f"budget {ui.money(top['full_year_budget'], shown_currency)}",
    delta_color="off",
)

for note in budget.mixed_currency_notes(prepared):
    st.warning(ui.escape_md(note))
for note in budget.no_actuals_notes(shown[shown["currency"] == currency]):
    st.info(ui.escape_md(note))
for note in budget.forecast_gap_notes(shown[shown["currency"] == currency], prepared.attrs.get("eac_ratio")):
    st.info(ui.escape_md(note))
if unknown:
    st.warning(
        f"{len(unknown)} project id(s) in the finance workbook are not in the portfolio register: "
        f"{', '.join(ui.escape_md(p) for p in unknown[:10])}{' …' if len(unknown) > 10 else ''}. "
        "Check the ids or add them to the register."
    )

st.subheader("Over budget this year")
over = st.columns(2)
over_projects = budget.display(tables["over_projects"], ["project", "ytd_variance", "ytd_variance_pct"])
over_vendors = budget.display(tables["over_vendors"], ["vendor", "ytd_variance", "ytd_variance_pct"])
over_budget_list(over[0], "project", over_projects, tables["over_projects"]["ytd_status"])
over_budget_list(over[1], "vendor", over_vendors, tables["over_vendors"]["ytd_status"])

st.subheader("Variance by project")
project_table = budget.display(tables["projects"], PROJECT_COLUMNS)
st.dataframe(styled(project_table), hide_index=True, width="stretch", key="project_table")
st.altair_chart(
    budget_charts.variance_bars(
        tables["projects"],
        "project_id",
        "Project",
        currency=currency,
        title="Variance by project, year to date",
        detail="name",
    ),
    width="stretch",
)

st.subheader(f"Budget vs actual vs forecast by month, fiscal year {fy_label}")
st.altair_chart(budget_charts.cumulative(tables["monthly"], currency), width="stretch")

left, right = st.columns(2)
with left:
    st.altair_chart(
        budget_charts.variance_bars(
            tables["categories"],
            "cost_category",
            "Cost category",
            currency=currency,
            title="Variance by cost category, year to date",
        ),
        width="stretch",
    )
with right:
    st.altair_chart(budget_charts.vendor_spend(tables["vendor_spend"], currency), width="stretch")

with st.expander("Tables by cost category and vendor"):
    category_table = budget.display(tables["categories"], CATEGORY_COLUMNS)
    vendor_table = budget.display(tables["vendors"], VENDOR_COLUMNS)
    st.dataframe(styled(category_table), hide_index=True, width="stretch", key="category_table")
    st.dataframe(styled(vendor_table), hide_index=True, width="stretch", key="vendor_table")

monthly_table = tables["monthly"].rename(
    columns={
        "period": "Month",
        "budget": "Budget",
        "actual": "Actual",
        "outlook": "Forecast (actual + estimate)",
        "cum_budget": "Cumulative budget",
        "cum_actual": "Cumulative actual",
        "cum_outlook": "Cumulative forecast",
        "currency": "Currency",
    }
)
downloads = st.columns(2)
downloads[0].download_button(
    "Export what is shown (.xlsx)",
    to_excel(
        {
            "Projects": project_table,
            "Over budget - projects": over_projects,
            "Over budget - vendors": over_vendors,
            "By cost category": budget.display(tables["categories"], CATEGORY_COLUMNS),
            "By vendor": budget.display(tables["vendors"], VENDOR_COLUMNS),
            "By month": monthly_table,
        },
        percent_columns=PCT,
    ),
    file_name=f"finance_{view:%Y-%m-%d}_{currency or 'unknown'}.xlsx",
    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    key="export",
)
downloads[1].download_button(
    "Download the finance template (.xlsx)",
    template(view.year),
    file_name="finance_template.xlsx",
    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    key="template",
)

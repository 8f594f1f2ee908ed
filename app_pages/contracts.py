"""Vendors & contracts: which contracts run out of money before their end, expire soon or are over
value; spend by vendor against contract value; the vendor alias list; an Excel export.

Numbers from metrics.contracts (formulas in its docstring); one currency at a time.
"""

import streamlit as st

import ui
from charts import STATUS_COLORS
from charts import contracts as contract_charts
from exports import to_excel
from metrics import MetricsError, contracts

MONEY = ["Value", "Invoiced", "Committed", "Remaining", "Burn / month", "Contract value", "Finance actuals"]


@st.cache_data(show_spinner="Reading the contract registers…")
def load(as_of, scope, version, aliases):
    try:
        return contracts.load(ui.store(), as_of, scope), None
    except MetricsError as err:
        return None, str(err)


def styled(frame, colours):
    fmt = {c: "{:,.0f}" for c in MONEY if c in frame.columns}
    cells = [f"background-color: {STATUS_COLORS[c]}; color: white" for c in colours]
    return frame.style.format(fmt, na_rep="—").apply(lambda _: cells, subset=["Status"])


settings = ui.settings()
st.title("Vendors & contracts")
store = ui.store()
aliases = store.aliases("vendor")
scope = settings.project_ids if (settings.programs or settings.portfolios) else None
# cached by what it reads: the contract registers and finance snapshots on or before the date
reads = ui.reads_version(settings.as_of, ("contracts", "finance"))
report, error = load(settings.as_of, scope, reads, tuple(sorted(aliases.items())))
if report is None:
    st.info(f"{ui.escape_md(error)} Upload a contract or PO register on the **Uploads & problems** page.")
    st.stop()

choices = contracts.currencies(report)
if not choices:
    st.info("No contract names a project in the programs or portfolios chosen in the sidebar.")
    st.stop()
currency = st.selectbox(
    "Currency", choices, key="currency", format_func=lambda c: c or "not stated", disabled=len(choices) == 1
)
shown_currency = ui.escape_md(currency)
tables = contracts.page_tables(report, currency)
top = contracts.headline(tables)
st.caption(
    f"As of {report.as_of:%d %b %Y} · burn = invoiced over the last three months with spend ÷ 3 · "
    f"expiring = ends within {contracts.EXPIRING_DAYS} days"
    + (f" · contracts in {len(choices)} currencies, never added together" if len(choices) > 1 else "")
)

tiles = st.columns(4)
tiles[0].metric("Contracts", f"{top['contracts']:,}", f"{top['vendors']:,} vendors", delta_color="off")
tiles[1].metric("Contract value", ui.money(top["value"], shown_currency))
tiles[2].metric(
    "Invoiced to date",
    ui.money(top["invoiced"], shown_currency),
    None if top["invoiced_share"] is None else f"{top['invoiced_share']:.0%} of value",
    delta_color="off",
)
tiles[3].metric("At risk", f"{top['at_risk']}", top["at_risk_text"], delta_color="off")

st.subheader("Contracts at risk")
at_risk = contracts.display(tables["at_risk"], contracts.RISK_COLUMNS)
if at_risk.empty:
    st.success("No contract is over value, running out of money before its end or expiring soon.")
else:
    st.dataframe(styled(at_risk, tables["at_risk"].colour), hide_index=True, width="stretch", key="at_risk")
    st.altair_chart(contract_charts.run_out(tables["at_risk"], report.as_of, currency), width="stretch")

st.subheader("Spend by vendor against contract value")
vendors = contracts.display(tables["vendors"], list(contracts.VENDOR_COLUMNS), contracts.VENDOR_COLUMNS)
if vendors.empty:
    st.info("No vendor in this currency.")
else:
    st.altair_chart(contract_charts.vendor_spend(tables["vendors"], currency), width="stretch")
    st.dataframe(
        vendors.style.format({c: "{:,.0f}" for c in MONEY if c in vendors}, na_rep="—"),
        hide_index=True,
        width="stretch",
        key="vendors",
    )

all_contracts = contracts.display(tables["contracts"], contracts.ALL_COLUMNS)
with st.expander(f"All {len(all_contracts):,} contracts"):
    st.dataframe(
        styled(all_contracts, tables["contracts"].colour) if len(all_contracts) <= 2000 else all_contracts,
        hide_index=True,
        width="stretch",
        key="all_contracts",
    )

st.subheader("Vendor aliases")
st.caption(
    'Names that mean the same vendor ("Azure" → "Microsoft Azure"): contracts and finance lines are '
    "matched and added up under the vendor name on the right."
)
edited = st.data_editor(
    contracts.alias_frame(aliases),
    num_rows="dynamic",
    hide_index=True,
    key="aliases",
    column_config={
        "alias": st.column_config.TextColumn("Alias"),
        "canonical": st.column_config.TextColumn("Vendor name"),
    },
)
if st.button("Save aliases", key="save_aliases"):
    mapping, problems = contracts.aliases_from(edited)
    if problems:
        st.error(" ".join(ui.escape_md(p) for p in problems))
    else:
        store.save_aliases("vendor", mapping)
        st.success(f"{len(mapping)} alias(es) saved.")
        st.rerun()

st.download_button(
    "Export what is shown (.xlsx)",
    lambda: to_excel(
        {
            "At risk": at_risk,
            "Vendors": vendors,
            "All contracts": all_contracts,
            "Vendor aliases": contracts.alias_frame(aliases),
        }
    ),  # built only when clicked
    file_name=f"contracts_{report.as_of:%Y-%m-%d}_{currency or 'no-currency'}.xlsx",
    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    on_click="ignore",
    key="export",
)

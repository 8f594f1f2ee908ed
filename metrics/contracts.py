"""Vendor contracts: value, invoiced, remaining, burn rate and when the money runs out.

Per contract, at the as-of date *d*:

- **invoiced** = the register's invoiced-to-date, else Σ its monthly invoices in months ≤ *d*, else
  Σ finance actuals (``budget_lines.actual``, periods ≤ *d*, within the contract's start–end when
  known) of the lines whose normalised vendor is the contract's and whose project is one of its
  projects (any project when the contract names none), or whose PO number is the contract's;
  ``invoiced_source`` says which (and when several contracts of one vendor and the same projects
  share the same finance lines).
- **committed** = the register's committed amount, else Σ ``budget_lines.committed`` of the matched lines.
- **remaining** = the register's remaining, else value − invoiced.
- **monthly_burn** = Σ invoiced over the last three months (≤ *d*) with spend ÷ the number of those
  months (3 once three exist).
- **exhaustion_date** = *d* + remaining ÷ monthly_burn months (calendar months, the fraction spread
  over the next month's days); when remaining ≤ 0, the end of the month in which cumulative
  spend reached the value (else *d*).
- **expires_in_days** = end − *d*.
- **status**, first that applies: ``over_value`` (invoiced > value), ``expired`` (end < *d*),
  ``exhausted_before_end`` (the money runs out in a month before the end's month), ``expiring`` (end within ``EXPIRING_DAYS``), ``ok``.

Vendor names are normalised (case, spacing and punctuation folded) and mapped through the
editable alias list (alias -> canonical name): "Azure" and "Microsoft Azure" are one vendor when
the list says so. Per vendor (and currency — amounts are never added across currencies): contracts,
projects, value, invoiced, remaining, contracts at risk and the finance actuals booked to the vendor.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from collections import Counter
from dataclasses import asdict, dataclass

import pandas as pd

from metrics import MetricsError

EXPIRING_DAYS = 90
BURN_MONTHS = 3
AT_RISK = ("over_value", "exhausted_before_end", "expiring")
STATUS_LABELS = {
    "over_value": "Over value",
    "expired": "Expired",
    "exhausted_before_end": "Runs out early",
    "expiring": f"Ends within {EXPIRING_DAYS} days",
    "ok": "OK",
}


@dataclass(frozen=True)
class ContractStatus:
    contract_id: str
    vendor: str | None
    project_ids: tuple[str, ...]
    value: float | None
    currency: str | None
    start: dt.date | None
    end: dt.date | None
    invoiced: float | None
    invoiced_source: str | None
    committed: float | None
    remaining: float | None
    monthly_burn: float | None
    exhaustion_date: dt.date | None
    expires_in_days: int | None
    status: str
    reason: str
    description: str | None = None
    department: str | None = None
    vendor_raw: str | None = None


@dataclass(frozen=True)
class VendorTotals:
    vendor: str
    currency: str | None
    contracts: int
    project_ids: tuple[str, ...]
    value: float
    invoiced: float
    remaining: float
    at_risk: int
    finance_actual: float | None


@dataclass(frozen=True)
class ContractsReport:
    as_of: dt.date
    contracts: tuple[ContractStatus, ...]
    vendors: tuple[VendorTotals, ...]

    def to_dict(self) -> dict:
        return {
            "as_of": self.as_of,
            "contracts": [{**asdict(c), "project_ids": list(c.project_ids)} for c in self.contracts],
            "vendors": [{**asdict(v), "project_ids": list(v.project_ids)} for v in self.vendors],
        }

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame([asdict(c) for c in self.contracts], columns=list(ContractStatus.__dataclass_fields__))

    def vendor_frame(self) -> pd.DataFrame:
        return pd.DataFrame([asdict(v) for v in self.vendors], columns=list(VendorTotals.__dataclass_fields__))


# -- vendor names ---------------------------------------------------------------------------------


def vendor_key(name) -> str:
    """Comparison key of a vendor name: ``Microsoft  Azure.`` -> ``microsoft azure``; ``&`` = ``and``."""
    if name is None or (isinstance(name, float) and math.isnan(name)):
        return ""
    text = str(name).casefold().replace("&", " and ")
    return re.sub(r"[\W_]+", " ", text).strip()


def vendor_resolver(aliases: dict[str, str]):
    """name -> canonical vendor name through the alias list (compared by :func:`vendor_key`);
    a name the list does not know is its own canonical name."""
    table = {vendor_key(alias): canonical for alias, canonical in aliases.items()}
    table.update({vendor_key(c): c for c in aliases.values()})

    def resolve(name) -> str | None:
        key = vendor_key(name)
        if not key:
            return None
        return table.get(key, re.sub(r"\s+", " ", str(name)).strip())

    return resolve


# -- dates ----------------------------------------------------------------------------------------


def add_months(day: dt.date, months: float) -> dt.date:
    """``day`` + a fractional number of calendar months (the fraction spread over the days of the
    month that follows the whole months); from a month's last day, whole months land on month ends."""
    whole = math.floor(months)
    if (pd.Timestamp(day) + pd.offsets.MonthEnd(0)).date() == day:
        step = lambda n: (pd.Timestamp(day) + pd.offsets.MonthEnd(n)).date()  # noqa: E731
    else:
        step = lambda n: (pd.Timestamp(day) + pd.DateOffset(months=n)).date()  # noqa: E731
    base, after = step(whole), step(whole + 1)
    return base + dt.timedelta(days=round((months - whole) * (after - base).days))


def _month_end(period: dt.date) -> dt.date:
    return (pd.Timestamp(period) + pd.offsets.MonthEnd(0)).date()


def _date(value) -> dt.date | None:
    if value is None or value is pd.NaT or (not isinstance(value, dt.date) and pd.isna(value)):
        return None
    return pd.Timestamp(value).date()


def _num(value) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


# -- per contract ---------------------------------------------------------------------------------


def monthly_burn(series: pd.Series) -> float | None:
    """Mean invoiced per month over the last ``BURN_MONTHS`` months with spend (``series``:
    period -> amount, already cut at the as-of date)."""
    if series.empty:
        return None
    spent = series[series.abs() > 0].sort_index()
    if spent.empty:
        return None
    return float(spent.iloc[-BURN_MONTHS:].sum()) / len(spent.iloc[-BURN_MONTHS:])


def exhaustion(value, remaining, burn, series: pd.Series, as_of: dt.date) -> dt.date | None:
    """When remaining reaches 0 at ``burn`` per month (see the module docstring)."""
    if remaining is None:
        return None
    if remaining <= 0:
        if value is not None and not series.empty:
            reached = series.sort_index().cumsum()
            hit = reached[reached >= value - 0.005]
            if not hit.empty:
                return _month_end(hit.index[0])
        return as_of
    if not burn or burn <= 0:
        return None
    return add_months(as_of, remaining / burn)


def judge(value, invoiced, end, exhaustion_date, as_of) -> str:
    if value is not None and invoiced is not None and invoiced > value + 0.005:
        return "over_value"
    if end is not None and end < as_of:
        return "expired"
    if (
        end is not None
        and exhaustion_date is not None
        and (exhaustion_date.year, exhaustion_date.month)
        < (
            end.year,
            end.month,
        )
    ):
        return "exhausted_before_end"
    if end is not None and (end - as_of).days <= EXPIRING_DAYS:
        return "expiring"
    return "ok"


def _money(amount, currency) -> str:
    return f"{amount:,.0f}" + (f" {currency}" if currency else "")


def reason(status: str, c: dict) -> str:
    """One sentence with the numbers behind the status."""
    cur = c["currency"]
    if status == "over_value":
        return (
            f"invoiced {_money(c['invoiced'], cur)} is {_money(c['invoiced'] - c['value'], cur)} over the "
            f"contract value {_money(c['value'], cur)}."
        )
    if status == "expired":
        return f"ended on {c['end']:%Y-%m-%d} with {_money(c['remaining'] or 0, cur)} not invoiced."
    if status == "exhausted_before_end":
        return (
            f"at {_money(c['monthly_burn'], cur)} a month the remaining {_money(c['remaining'], cur)} runs out "
            f"in {c['exhaustion_date']:%b %Y}, {(c['end'] - c['exhaustion_date']).days} days before the "
            f"contract ends on {c['end']:%Y-%m-%d}."
        )
    if status == "expiring":
        return f"ends on {c['end']:%Y-%m-%d}, in {(c['end'] - c['as_of']).days} days."
    if c["remaining"] is not None and c["remaining"] <= 0:
        return f"fully invoiced: {_money(c['invoiced'] or 0, cur)} of {_money(c['value'] or 0, cur)}."
    if c["exhaustion_date"] is not None and c["monthly_burn"]:
        return f"at {_money(c['monthly_burn'], cur)} a month the money lasts until {c['exhaustion_date']:%b %Y}."
    return "no end date or burn rate to judge against." if c["end"] is None else "within value and time."


def _projects(value) -> tuple[str, ...]:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ()
    return tuple(p.strip() for p in str(value).split(",") if p.strip())


def _department(extra) -> str | None:
    try:
        return json.loads(extra).get("department") if isinstance(extra, str) else None
    except ValueError:
        return None


def _finance_match(contract: dict, finance: pd.DataFrame) -> pd.DataFrame:
    """The finance lines that belong to a contract: same normalised vendor and one of its projects
    (any project when it names none), or the same PO number; within its start–end when known."""
    if finance.empty:
        return finance
    hit = (finance.vendor_key == contract["vendor_key"]) & (contract["vendor_key"] != "")
    if contract["project_ids"]:
        hit &= finance.project_id.isin(contract["project_ids"])
    if contract.get("po_number") and "po_number" in finance:
        hit |= finance.po_number.astype(str) == str(contract["po_number"])
    lines = finance[hit]
    if contract["start"] is not None:
        lines = lines[lines.period >= contract["start"].replace(day=1)]
    if contract["end"] is not None:
        lines = lines[lines.period <= contract["end"]]
    return lines


def contract_status(row: dict, series: pd.Series, finance: pd.DataFrame, as_of: dt.date) -> ContractStatus:
    """One contract's numbers (see the module docstring). ``series``: its monthly invoices
    (period -> amount, periods ≤ ``as_of``); ``finance``: budget lines with ``vendor_key``."""
    c = {**row, "as_of": as_of}
    value, invoiced, source = _num(row["value"]), _num(row["invoiced"]), "register" if _num(row["invoiced"]) else None
    if source is None and not series.empty:
        invoiced, source = float(series.sum()), "monthly invoices"
    lines = _finance_match(c, finance)
    actuals = lines[lines.period <= as_of].dropna(subset=["actual"]) if not lines.empty else lines
    if source is None and not actuals.empty:
        series = actuals.groupby("period").actual.sum()
        invoiced, source = float(series.sum()), "finance actuals"
    if invoiced is None and _num(row["invoiced"]) == 0:
        invoiced, source = 0.0, "register"
    committed = _num(row["committed"])
    if committed is None and not lines.empty and lines.committed.notna().any():
        committed = float(lines.committed.sum())
    remaining = _num(row["remaining"])
    if remaining is None and value is not None:
        remaining = value - (invoiced or 0.0)
    burn = monthly_burn(series)
    c.update(value=value, invoiced=invoiced, remaining=remaining, monthly_burn=burn)
    c["exhaustion_date"] = exhaustion(value, remaining, burn, series, as_of)
    status = judge(value, invoiced, c["end"], c["exhaustion_date"], as_of)
    return ContractStatus(
        contract_id=row["contract_id"],
        vendor=row["vendor"],
        project_ids=row["project_ids"],
        value=value,
        currency=row["currency"],
        start=row["start"],
        end=row["end"],
        invoiced=invoiced,
        invoiced_source=source,
        committed=committed,
        remaining=remaining,
        monthly_burn=burn,
        exhaustion_date=c["exhaustion_date"],
        expires_in_days=None if row["end"] is None else (row["end"] - as_of).days,
        status=status,
        reason=reason(status, c),
        description=row.get("description"),
        department=row.get("department"),
        vendor_raw=row.get("vendor_raw"),
    )


def contract_statuses(
    contracts: pd.DataFrame, invoices: pd.DataFrame, finance: pd.DataFrame, aliases: dict[str, str], as_of: dt.date
) -> list[ContractStatus]:
    """Every contract's numbers at ``as_of``, vendors normalised through ``aliases``."""
    resolve = vendor_resolver(aliases)
    finance = _finance_frame(finance, resolve)
    invoices = invoices.assign(period=pd.to_datetime(invoices.period).dt.date) if len(invoices) else invoices
    invoices = invoices[invoices.period <= as_of] if len(invoices) else invoices
    # a contract number is unique within its register (a contracts upload's project_id is its register key)
    register = invoices.project_id if "project_id" in invoices else pd.Series("", index=invoices.index)
    by_contract = {key: g.groupby("period").amount.sum() for key, g in invoices.groupby([register, "contract_id"])}
    out = []
    for record in contracts.to_dict("records"):
        vendor = resolve(record.get("vendor"))
        row = {
            **record,
            "vendor": vendor,
            "vendor_key": vendor_key(vendor),
            "project_ids": _projects(record.get("project_ids")),
            "start": _date(record.get("start")),
            "end": _date(record.get("finish")),
            "currency": None if pd.isna(record.get("currency")) else record.get("currency"),
            "department": _department(record.get("extra")),
        }
        key = (record.get("project_id", "") if "project_id" in invoices else "", record["contract_id"])
        out.append(contract_status(row, by_contract.get(key, pd.Series(dtype=float)), finance, as_of))
    return _shared_actuals(out)


def _shared_actuals(statuses: list[ContractStatus]) -> list[ContractStatus]:
    """Contracts of one vendor and the same projects that all take their invoiced amount from the
    finance actuals share those lines (finance does not say which contract a line pays): each is
    told so, and counts them in full."""
    from dataclasses import replace

    def key(s: ContractStatus):
        return vendor_key(s.vendor), s.project_ids, s.currency

    sharing = Counter(key(s) for s in statuses if s.invoiced_source == "finance actuals")
    return [
        replace(s, invoiced_source=f"finance actuals (shared by {sharing[key(s)]} contracts)")
        if s.invoiced_source == "finance actuals" and sharing[key(s)] > 1
        else s
        for s in statuses
    ]


def _finance_frame(finance: pd.DataFrame, resolve) -> pd.DataFrame:
    if finance is None or finance.empty:
        return pd.DataFrame(columns=["project_id", "period", "vendor", "vendor_key", "actual", "committed", "currency"])
    canonical = finance.vendor.map(resolve)
    return finance.assign(
        vendor=canonical, vendor_key=canonical.map(vendor_key), period=pd.to_datetime(finance.period).dt.date
    )


def vendor_totals(statuses: list[ContractStatus], finance: pd.DataFrame, aliases: dict[str, str], as_of: dt.date):
    """Per vendor and currency across projects (see the module docstring)."""
    resolve = vendor_resolver(aliases)
    finance = _finance_frame(finance, resolve)
    booked = finance[finance.period <= as_of].groupby(["vendor_key", finance.currency.fillna("")]).actual.sum()
    groups: dict[tuple[str, str], list[ContractStatus]] = {}
    for s in statuses:
        groups.setdefault((vendor_key(s.vendor), s.currency or ""), []).append(s)
    out = []
    for (key, currency), items in groups.items():
        projects = sorted({p for s in items for p in s.project_ids})
        actual = booked.get((key, currency)) if key else None
        out.append(
            VendorTotals(
                vendor=items[0].vendor or "(no vendor named)",
                currency=currency or None,
                contracts=len(items),
                project_ids=tuple(projects),
                value=sum(s.value or 0.0 for s in items),
                invoiced=sum(s.invoiced or 0.0 for s in items),
                remaining=sum(s.remaining or 0.0 for s in items),
                at_risk=sum(s.status in AT_RISK for s in items),
                finance_actual=None if actual is None else float(actual),
            )
        )
    return sorted(out, key=lambda v: (-v.value, v.vendor))


def build_report(contracts, invoices, finance, aliases, as_of: dt.date, project_ids=None) -> ContractsReport:
    """The contracts report from canonical frames (pure). ``project_ids`` (an id or several): only
    the contracts naming one of them, and per vendor only those projects' finance actuals."""
    statuses = contract_statuses(contracts, invoices, finance, aliases, as_of)
    if project_ids is not None:
        wanted = {project_ids} if isinstance(project_ids, str) else set(project_ids)
        statuses = [s for s in statuses if wanted & set(s.project_ids)]
        finance = finance[finance.project_id.isin(wanted)] if finance is not None and len(finance) else finance
    order = {"over_value": 0, "exhausted_before_end": 1, "expiring": 2, "expired": 3, "ok": 4}
    statuses.sort(
        key=lambda s: (order[s.status], s.expires_in_days if s.expires_in_days is not None else 10**9, s.contract_id)
    )
    return ContractsReport(as_of, tuple(statuses), tuple(vendor_totals(statuses, finance, aliases, as_of)))


def load(store, as_of: dt.date | None = None, project_ids=None) -> ContractsReport:
    """Read the registers in force, the finance lines and the vendor aliases, and build the report."""
    registers = store.contract_registers(as_of)
    if registers["contracts"].empty:
        raise MetricsError("no contract register is loaded yet: ingest a contract or PO register first.")
    as_of = as_of or store.latest_as_of() or dt.date.today()
    finance = store.snapshot("budget_lines", as_of)
    return build_report(
        registers["contracts"], registers["contract_invoices"], finance, store.aliases("vendor"), as_of, project_ids
    )


def report(store, as_of: dt.date | None = None, project_id: str | None = None) -> dict:
    """``python -m metrics contracts`` (DESIGN.md §9)."""
    return load(store, as_of, project_id).to_dict()


# -- page view-model ------------------------------------------------------------------------------

STATUS_COLOURS = {
    "over_value": "red",
    "exhausted_before_end": "red",
    "expiring": "amber",
    "expired": "unknown",
    "ok": "green",
}
TABLE_COLUMNS = {
    "status_label": "Status",
    "contract_id": "Contract",
    "vendor": "Vendor",
    "project_list": "Projects",
    "department": "Business unit",
    "description": "Description",
    "currency": "Currency",
    "value": "Value",
    "invoiced": "Invoiced",
    "invoiced_source": "Invoiced from",
    "committed": "Committed",
    "remaining": "Remaining",
    "monthly_burn": "Burn / month",
    "exhaustion_date": "Money runs out",
    "end": "Ends",
    "expires_in_days": "Days left",
    "start": "Starts",
    "reason": "Why",
}
RISK_COLUMNS = [
    "status_label",
    "contract_id",
    "vendor",
    "project_list",
    "value",
    "invoiced",
    "remaining",
    "monthly_burn",
    "exhaustion_date",
    "end",
    "reason",
]
ALL_COLUMNS = [
    "status_label",
    "contract_id",
    "vendor",
    "project_list",
    "department",
    "description",
    "value",
    "invoiced",
    "invoiced_source",
    "committed",
    "remaining",
    "monthly_burn",
    "exhaustion_date",
    "start",
    "end",
    "expires_in_days",
]
VENDOR_COLUMNS = {
    "vendor": "Vendor",
    "contracts": "Contracts",
    "project_list": "Projects",
    "value": "Contract value",
    "invoiced": "Invoiced",
    "remaining": "Remaining",
    "finance_actual": "Finance actuals",
    "at_risk": "At risk",
}


def currencies(report: ContractsReport) -> list[str]:
    """Currencies of the contracts, the one holding most contract value first ('' = not stated)."""
    frame = report.frame()
    if frame.empty:
        return []
    value = frame.assign(currency=frame.currency.fillna("")).groupby("currency").value.sum()
    return list(value.sort_values(ascending=False).index)


def page_tables(report: ContractsReport, currency: str) -> dict[str, pd.DataFrame]:
    """The page's frames in one currency: ``contracts`` (every contract, display columns added),
    ``at_risk`` (over value, money running out before the end, expiring — worst first) and ``vendors``."""
    frame = report.frame()
    frame = frame[frame.currency.fillna("") == currency].assign(
        status_label=lambda f: f.status.map(STATUS_LABELS),
        colour=lambda f: f.status.map(STATUS_COLOURS),
        project_list=lambda f: f.project_ids.map(", ".join),
    )
    vendors = report.vendor_frame()
    vendors = vendors[vendors.currency.fillna("") == currency].assign(
        project_list=lambda f: f.project_ids.map(", ".join)
    )
    return {"contracts": frame, "at_risk": frame[frame.status.isin(AT_RISK)], "vendors": vendors}


def headline(tables: dict[str, pd.DataFrame]) -> dict:
    """The tiles: contracts, value, invoiced (share of value), remaining, contracts at risk by kind."""
    frame = tables["contracts"]
    value, invoiced = float(frame.value.fillna(0).sum()), float(frame.invoiced.fillna(0).sum())
    counts = frame.status.value_counts()
    kinds = {"over_value": "over value", "exhausted_before_end": "run out early", "expiring": "ending"}
    parts = [f"{int(counts[s])} {word}" for s, word in kinds.items() if counts.get(s, 0)]
    return {
        "at_risk_text": " · ".join(parts) or "none",
        "contracts": len(frame),
        "vendors": len(tables["vendors"]),
        "value": value,
        "invoiced": invoiced,
        "invoiced_share": invoiced / value if value else None,
        "remaining": float(frame.remaining.fillna(0).sum()),
        "at_risk": len(tables["at_risk"]),
        **{status: int(counts.get(status, 0)) for status in STATUS_LABELS},
    }


def display(frame: pd.DataFrame, columns: list[str], names: dict[str, str] = TABLE_COLUMNS) -> pd.DataFrame:
    """Chosen columns under their display names."""
    return frame.reindex(columns=columns).rename(columns=names)


def alias_frame(aliases: dict[str, str]) -> pd.DataFrame:
    """The vendor alias list as an editable table (one row per alias)."""
    return pd.DataFrame(sorted(aliases.items()), columns=["alias", "canonical"])


def aliases_from(frame: pd.DataFrame) -> tuple[dict[str, str], list[str]]:
    """An edited alias table -> (alias -> canonical, problems): blank rows dropped, names trimmed;
    an alias listed twice with different names, or mapped to itself, is reported and left out."""
    mapping, problems = {}, []
    for row in frame.itertuples(index=False):
        alias, canonical = (
            re.sub(r"\s+", " ", "" if pd.isna(v) else str(v)).strip() for v in (row.alias, row.canonical)
        )
        if not alias and not canonical:
            continue
        if not alias or not canonical:
            problems.append(f"'{alias or canonical}' needs both an alias and the vendor name it stands for.")
        elif vendor_key(alias) == vendor_key(canonical):
            problems.append(f"'{alias}' is mapped to itself.")
        elif vendor_key(alias) in {vendor_key(a) for a in mapping} and mapping.get(alias) != canonical:
            problems.append(f"'{alias}' is listed twice with different vendor names.")
        else:
            mapping[alias] = canonical
    return mapping, problems

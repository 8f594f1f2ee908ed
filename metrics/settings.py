"""The portfolio's settings, stored once (``Store.settings()``) and read by every page and CLI.

Add a setting by adding a field with its default: :meth:`Settings.from_store` takes any stored key
that names a field (converted to the field's type) and ignores the rest, so a database written by
a newer version still opens. Ratios are fractions (0.05 = 5 %); money floors are in the currency
of the project they judge.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass


@dataclass(frozen=True)
class Settings:
    """Every threshold and convention the pages share.

    * ``fy_start_month`` — first month of the fiscal year (1 = January, 4 = April–March).
    * ``budget_green`` / ``budget_amber`` — |YTD budget variance| (ratio) up to which a project is
      green / amber for *overspend*; beyond amber it is red.
    * ``underspend_max_status`` — the worst status an *underspend* can give (``amber`` by default:
      money not yet spent is a forecasting problem, not an overrun); ``red`` judges it like overspend.
    * ``underspend_floor`` — an underspend smaller than this amount (currency units) stays green
      whatever its percentage (a small project 18 % under by a few thousand is no alarm).
    * ``cpi_*``, ``spi_*`` — index thresholds (below amber = amber, below red = red).
    * ``slip_*_days`` — worst milestone slip in working days; ``data_age_*_days`` — freshness.
    * ``reconciliation_gap`` — |plan AC − ledger actual| / ledger actual above which the two money
      stories disagree: a data-confidence problem, shown with both numbers.
    * ``done_statuses`` — Jira statuses that count as done (empty: status category Done).
    """

    fy_start_month: int = 1
    risk_escalation_threshold: float = 20.0
    budget_green: float = 0.05
    budget_amber: float = 0.10
    underspend_max_status: str = "amber"
    underspend_floor: float = 10_000.0
    cpi_amber: float = 0.95
    cpi_red: float = 0.90
    spi_amber: float = 0.95
    spi_red: float = 0.90
    slip_amber_days: float = 5.0
    slip_red_days: float = 10.0
    data_age_amber_days: float = 14.0
    data_age_red_days: float = 30.0
    reconciliation_gap: float = 0.10
    done_statuses: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not 1 <= self.fy_start_month <= 12:
            raise ValueError("the fiscal year's first month must be 1-12")
        if self.underspend_max_status not in ("green", "amber", "red"):
            raise ValueError("underspend_max_status must be green, amber or red")
        if self.budget_amber < self.budget_green:
            raise ValueError("the amber budget threshold must not be below the green one")

    @classmethod
    def from_store(cls, stored: dict | None) -> Settings:
        """Defaults overlaid with the stored values whose key names a field; a value that cannot be
        read as the field's type keeps the default."""
        values = {}
        defaults = cls()
        for f in dataclasses.fields(cls):
            if f.name not in (stored or {}):
                continue
            default = getattr(defaults, f.name)
            raw = stored[f.name]
            try:
                if isinstance(default, tuple):
                    values[f.name] = tuple(str(v) for v in (raw or ()))
                else:
                    values[f.name] = type(default)(raw)
            except (TypeError, ValueError):
                continue
        try:
            return cls(**values)
        except ValueError:
            return defaults

    def to_store(self) -> dict:
        """The values as JSON-ready data for ``Store.save_settings``."""
        return {k: list(v) if isinstance(v, tuple) else v for k, v in dataclasses.asdict(self).items()}


def load(store) -> Settings:
    """The stored settings of ``store`` over the defaults."""
    return Settings.from_store(store.settings())

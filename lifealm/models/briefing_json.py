"""The briefing.json contract: plain JSON values only, deterministic key order, no NaN or infinity.

Every non-finite number becomes null and its dotted path is listed under `non_finite`, so a reader can tell an
infinite margin ratio (a loan against an empty portfolio) from a figure that does not apply. Dates are ISO
strings, ratios fractions, money in the base currency.
"""

from __future__ import annotations

import dataclasses
import math
from datetime import date
from enum import Enum
from typing import Any

from lifealm.models.briefing import Briefing
from lifealm.models.defense import CreditLine
from lifealm.models.inputs import Snapshot
from lifealm.models.montecarlo.summary import result_to_dict
from lifealm.models.stress import StressResult

JSON_SCHEMA_VERSION = 1


def _plain(value: Any, path: str, non_finite: list[str]) -> Any:
    """Turn model values into JSON values, recording where a NaN or infinity had to become null."""
    if isinstance(value, Enum):  # before str/int: StrEnum members are strings too
        return value.value
    if value is None or isinstance(value, bool | str | int):
        return value
    if isinstance(value, float):
        if math.isfinite(value):
            return value
        non_finite.append(path)
        return None
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _plain(v, f"{path}.{k}" if path else str(k), non_finite) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v, f"{path}[{i}]", non_finite) for i, v in enumerate(value)]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return _plain(dataclasses.asdict(value), path, non_finite)
    raise TypeError(f"{path}: {type(value).__name__} is not JSON-serializable")


def _ladder(result: StressResult) -> list[dict[str, Any]]:
    return [
        {"drawdown": s.drawdown, "collateral": s.collateral, "ratio": s.ratio, "zone": s.zone,
         "repay_to_avoid_liquidation": s.repay_to_avoid_liquidation, "repay_to_target": s.repay_to_target,
         "survives": s.survives}
        for s in result.ladder
    ]


def _forced_drawdown(result: StressResult) -> float | None:
    return next((z.drawdown for z in result.triggers if z.zone == "FORCED_LIQUIDATION"), None)


def _credit(line: CreditLine) -> dict[str, Any]:
    return {"name": line.name, "limit": line.limit, "drawn": line.drawn, "available": line.available,
            "rate": line.rate}


def _snapshot(s: Snapshot) -> dict[str, Any]:
    return {f.name: getattr(s, f.name) for f in dataclasses.fields(s)}


def _sections(b: Briefing) -> dict[str, Any]:
    v, m, d, line, flow, sheet, div = b.valuation, b.margin, b.defense, b.line, b.cashflow, b.balance_sheet, \
        b.dividends
    t = m.thresholds
    return {
        "schema_version": JSON_SCHEMA_VERSION,
        "as_of": b.as_of,
        "base_currency": b.base_currency,
        "status": b.status,
        "missing": [f.code for f in b.missing],  # why the status is NO DATA; empty otherwise
        "portfolio": {"value": v.value, "cost": v.cost, "unrealized_pnl": v.unrealized_pnl,
                      "unrealized_pnl_ratio": v.unrealized_pnl_ratio, "holdings_count": len(v.holdings),
                      "unvalued_count": v.unvalued_count},
        "holdings": [
            {"ticker": h.ticker, "name": h.name, "asset_class": h.asset_class, "account": h.account,
             "currency": h.currency, "shares": h.shares, "price": h.price, "price_date": h.price_date,
             "price_age_days": h.price_age_days, "stale": h.stale, "fx_rate": h.fx_rate, "value": h.value,
             "cost": h.cost, "unrealized_pnl": h.unrealized_pnl, "weight": h.weight}
            for h in v.holdings
        ],
        "margin": {
            "balance": m.balance, "collateral": m.collateral, "ratio": m.ratio, "ratio_infinite": m.ratio_infinite,
            "zone": m.zone, "status": m.status, "caution_ratio": m.caution_ratio,
            "thresholds": {"freeze": t.freeze if t else None, "margin_call": t.margin_call if t else None,
                           "forced_liquidation": t.forced_liquidation if t else None,
                           "target": t.target if t else None},
            "loans": [{"name": loan.name, "balance": loan.balance, "rate": loan.rate, "freeze": loan.freeze_pct,
                       "margin_call": loan.margin_call_pct, "forced_liquidation": loan.forced_liq_pct,
                       "target": loan.target_ratio, "credit_limit": loan.credit_limit}
                      for loan in m.secured_loans],
            "repay_now": _repay_now(b),
        },
        "defense": {
            "cash": d.cash, "credit_available": d.credit_available, "total": d.total,
            "cash_accounts": [{"name": c.name, "currency": c.currency, "balance": c.balance, "fx_rate": c.fx_rate,
                               "value": c.value} for c in d.cash_accounts],
            "credit_lines": [_credit(c) for c in d.credit_lines],
        },
        "stress": {
            "defense": b.stress.defense,
            # The two figures the page states: the fall that starts forced liquidation if nothing is done, and
            # the largest fall survived by spending all the defense (cash and standby line) on repayment.
            "forced_liquidation_drawdown": _forced_drawdown(b.stress),
            "max_survivable_drawdown": b.stress.max_survivable_drawdown,
            "zone_triggers": [{"zone": z.zone, "threshold": z.threshold, "drawdown": z.drawdown}
                              for z in b.stress.triggers],
            "ladder": _ladder(b.stress),
            "without_line": {"defense": line.without_line.defense,
                             "max_survivable_drawdown": line.without_line.max_survivable_drawdown,
                             "ladder": _ladder(line.without_line)},
            "line_buys": {"drawdown": line.drawdown_bought, "defense": line.defense_bought,
                          "collateral_loss": line.collateral_loss_bought},
        },
        "cashflow": {
            "monthly": flow.monthly, "monthly_income": flow.monthly_income,
            "monthly_expenses": flow.monthly_expenses, "essential_monthly_expenses": flow.essential_monthly_expenses,
            "annual_expenses": flow.annual_expenses,
            "income": [{"source": i.source, "monthly_amount": i.monthly_amount, "kind": i.kind,
                        "annual_change": i.annual_change} for i in flow.income],
            "expenses": [{"category": e.category, "monthly_amount": e.monthly_amount, "essential": e.essential}
                         for e in flow.expenses],
        },
        "balance_sheet": {
            "assets": [{"name": a.name, "kind": a.kind, "value": a.value, "liquid": a.liquid} for a in sheet.assets],
            "liabilities": [{"name": li.name, "kind": li.kind, "balance": li.balance, "rate": li.rate}
                            for li in sheet.liabilities],
            "standby": [_credit(c) for c in sheet.standby],
            "total_assets": sheet.total_assets, "liquid_assets": sheet.liquid_assets,
            "total_liabilities": sheet.total_liabilities, "net_worth": sheet.net_worth,
        },
        "fire": {"ratio": div.fire_ratio, "annual_dividends_after_tax": div.annual_after_tax,
                 "annual_expenses": div.annual_expenses, "crossover_year": div.crossover_year},
        "dividends": {
            "tax": div.tax, "reinvest": div.reinvest, "monthly_contribution": div.monthly_contribution,
            "reinvest_yield": div.reinvest_yield, "crossover_year": div.crossover_year,
            "holdings": [{"ticker": h.ticker, "shares": h.shares, "annual_per_share": h.annual_per_share,
                          "source": h.source, "growth": h.growth, "fx_rate": h.fx_rate,
                          "annual_income": h.annual_income} for h in div.holdings],
            "projection": [{"year": y.year, "income": y.income, "gross": y.gross,
                            "organic_after_tax": y.organic_after_tax, "reinvestment_income": y.reinvestment_income,
                            "pot": y.pot, "expenses": y.expenses, "covers_expenses": y.covers_expenses}
                           for y in div.years],
        },
        "montecarlo": _montecarlo(b),
        "history": {
            "previous_date": b.history.previous_date,
            "status_changed": b.history.status_changed,
            "changes": [{"field": c.field, "kind": c.kind, "previous": c.previous, "current": c.current,
                         "delta": c.delta, "changed": c.changed} for c in b.history.changes],
            "series": [_snapshot(s) for s in b.history.series],
        },
        "snapshot": _snapshot(b.snapshot),
        "assumptions": {f.name: getattr(b.assumptions, f.name) for f in dataclasses.fields(b.assumptions)},
        "findings": [f.to_dict() for f in b.findings],
    }


def _repay_now(b: Briefing) -> dict[str, Any]:
    r = b.repay_now
    return {"zone": r.zone, "to_freeze": r.to_freeze, "to_margin_call": r.to_margin_call,
            "to_forced_liquidation": r.to_forced_liquidation, "to_target": r.to_target, "goal": r.goal,
            "amount": r.amount, "from_cash": r.from_cash, "from_credit_line": r.from_credit_line,
            "shortfall": r.shortfall, "covered": r.covered}


def _montecarlo(b: Briefing) -> dict[str, Any]:
    if b.montecarlo is None:
        return {"ran": False, "success_probability": None}
    # The same shape `lifealm simulate` prints, so one Monte Carlo result has one JSON form.
    return {"ran": True, **result_to_dict(b.montecarlo)}


def briefing_to_json(b: Briefing) -> dict[str, Any]:
    """The briefing as a JSON-ready dict; `json.dumps(result, allow_nan=False)` always succeeds."""
    non_finite: list[str] = []
    plain: dict[str, Any] = _plain(_sections(b), "", non_finite)
    plain["non_finite"] = non_finite
    return plain

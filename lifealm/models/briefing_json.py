"""The briefing.json contract: plain JSON values only, deterministic key order, no NaN or infinity.

One generic encoder turns the frozen results into JSON values (dataclasses → objects, enums → their values,
dates → ISO strings, tuples → arrays); a section below names a field by hand only where the contract renames
it, adds a computed property, or leaves a field out. A non-finite number is never written: it becomes null and
its dotted path is listed under `non_finite`, so a reader can tell an infinite margin ratio (a loan against an
empty portfolio) from a figure that does not apply. Ratios are fractions, money is in the base currency.
The shipped JSON Schema (`lifealm/schema/briefing.schema.json`) states the contract; keep the two in step.
"""

from __future__ import annotations

import dataclasses
import math
from datetime import date
from enum import Enum
from typing import Any

from lifealm.models.briefing import Briefing
from lifealm.models.horizon import age_on
from lifealm.models.margin import secured_loans
from lifealm.models.montecarlo.summary import result_to_dict
from lifealm.models.stress import StressResult

JSON_SCHEMA_VERSION = 1

def to_json_value(value: Any, path: str, non_finite: list[str]) -> Any:
    """The generic encoder: any model value as a JSON value, recording where a NaN or infinity became null."""
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
        return {str(k): to_json_value(v, f"{path}.{k}" if path else str(k), non_finite) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_json_value(v, f"{path}[{i}]", non_finite) for i, v in enumerate(value)]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return to_json_value(_fields(value), path, non_finite)
    raise TypeError(f"{path}: {type(value).__name__} is not JSON-serializable")


def _fields(obj: Any, *, drop: tuple[str, ...] = (), add: tuple[str, ...] = (), **renamed: str) -> dict[str, Any]:
    """A dataclass's fields under their own names, less `drop`, plus the properties in `add`.

    `renamed` maps a contract key to the attribute it carries (the attribute is then not written under its own
    name). Values stay model values: `to_json_value` converts the whole document once.
    """
    hidden = set(drop) | set(renamed.values())
    out = {f.name: getattr(obj, f.name) for f in dataclasses.fields(obj) if f.name not in hidden}
    out.update({name: getattr(obj, name) for name in add})
    out.update({key: getattr(obj, attr) for key, attr in renamed.items()})
    return out


def _forced_drawdown(result: StressResult) -> float | None:
    return next((z.drawdown for z in result.triggers if z.zone == "FORCED_LIQUIDATION"), None)


def _stress(result: StressResult) -> dict[str, Any]:
    return _fields(result, drop=("balance", "collateral", "triggers"), zone_triggers="triggers")


def _accounts(b: Briefing) -> list[dict[str, Any]]:
    """Each account with its kind, value and whether it is pledged; `collateral` is what it secures."""
    secured: dict[str, list[float]] = {}
    for held in b.collateral.lines:
        secured.setdefault(held.account, []).append(held.value)
    return [{**_fields(a), "collateral": math.fsum(secured.get(a.name, []))} for a in b.valuation.accounts]


_NO_THRESHOLDS = dict.fromkeys(("freeze", "margin_call", "forced_liquidation", "target"))


def _positions(b: Briefing) -> list[dict[str, Any]]:
    """Each broker's margin position on its own collateral; one entry when the loans share their collateral."""
    return [{"loans": [loan.name for loan in p.margin.secured_loans], "account": p.account, "accounts": p.accounts,
             **_fields(p.margin, drop=("thresholds", "secured_loans", "caution_ratio"), add=("ratio_infinite",)),
             "thresholds": p.margin.thresholds if p.margin.thresholds is not None else _NO_THRESHOLDS,
             "forced_liquidation_drawdown": p.forced_liquidation_drawdown, "fails_first": i == b.positions.first}
            for i, p in enumerate(b.positions.positions)]


def _household(b: Briefing) -> dict[str, Any]:
    """The members (with their ages today), the one-off events and the plan year by year."""
    return {
        "members": [{"name": m.name, "birth_date": m.birth_date, "age": age_on(m.birth_date, b.as_of)}
                    for m in b.inputs.members],
        "events": [_fields(e, date="on") for e in b.inputs.events],
        "timeline": [{**_fields(y, add=("net",)), "ages": dict(y.ages)} for y in b.timeline.years],
        "timeline_marks": [_fields(mark, date="on") for mark in b.timeline.marks],
    }


def _sections(b: Briefing) -> dict[str, Any]:
    v, m, line, div = b.valuation, b.margin, b.line, b.dividends
    return {
        "schema_version": JSON_SCHEMA_VERSION,
        "as_of": b.as_of,
        "base_currency": b.base_currency,
        "status": b.status,
        "missing": [f.code for f in b.missing],  # why the status is NO DATA; empty otherwise
        "accounts": _accounts(b),
        "portfolio": {**_fields(v, drop=("as_of", "base_currency", "holdings", "findings", "accounts"),
                                add=("unrealized_pnl_ratio",)),
                      "holdings_count": len(v.holdings)},
        "holdings": v.holdings,
        "margin": {
            **_fields(m, drop=("thresholds", "secured_loans"), add=("ratio_infinite", "has_loan")),
            # the collateral (pledged holdings × haircut) the ratio is on, beside the whole portfolio's value
            "market_value": b.collateral.market_value,
            "pledged_market_value": b.collateral.pledged_market_value,
            "collateral_accounts": b.collateral.accounts,
            "thresholds": m.thresholds if m.thresholds is not None else _NO_THRESHOLDS,
            "loans": [_fields(loan, drop=("collateral_type", "monthly_payment", "maturity"), freeze="freeze_pct",
                              margin_call="margin_call_pct",
                              forced_liquidation="forced_liq_pct", target="target_ratio")
                      for loan in secured_loans(b.inputs.loans)],
            "repay_now": b.repay_now,
            "positions": _positions(b),
        },
        "defense": _fields(b.defense, drop=("findings",), add=("total",)),
        "stress": {
            **_stress(b.stress),
            # The two figures the page states: the fall that starts forced liquidation if nothing is done, and
            # the largest fall survived by spending all the defense (cash and standby line) on repayment.
            "forced_liquidation_drawdown": _forced_drawdown(b.stress),
            "without_line": _fields(line.without_line, drop=("balance", "collateral", "triggers")),
            "line_buys": {"drawdown": line.drawdown_bought, "defense": line.defense_bought,
                          "collateral_loss": line.collateral_loss_bought},
        },
        "cashflow": _fields(b.cashflow, drop=("findings",), add=(
            "monthly", "annual_expenses", "monthly_interest", "monthly_principal", "monthly_debt_payments",
            "annual_interest")),
        "balance_sheet": _fields(b.balance_sheet, drop=("findings",),
                                 add=("total_assets", "liquid_assets", "total_liabilities", "net_worth")),
        "fire": {"ratio": div.fire_ratio, "annual_dividends_after_tax": div.annual_after_tax,
                 "annual_expenses": div.annual_expenses, "annual_interest": div.annual_interest,
                 "annual_outgoings": div.annual_outgoings, "crossover_year": div.crossover_year},
        "dividends": _fields(div, drop=("annual_expenses", "fire_ratio", "findings"), projection="years"),
        "household": _household(b),
        "montecarlo": _montecarlo(b),
        "history": _fields(b.history, add=("status_changed",)),
        "snapshot": b.snapshot,
        "assumptions": b.assumptions,
        "findings": [f.to_dict() for f in b.findings],
        "freshness": _freshness(b),
    }


def _freshness(b: Briefing) -> dict[str, Any]:
    f = b.freshness
    return {**_fields(f, drop=("update",), add=("stale", "update_failed"), newest_price_date="newest_price",
                      oldest_price_date="oldest_price"),
            # The failed securities' own words are findings; here, the outcome and its first problem.
            "update": None if f.update is None else _fields(f.update, drop=("problems",), add=("ok",))}


def _montecarlo(b: Briefing) -> dict[str, Any]:
    horizon = _fields(b.horizon)  # known whether or not the simulation ran: the timeline spans it too
    if b.montecarlo is None:
        return {"ran": False, "success_probability": None, "horizon": horizon}
    # The same shape `lifealm simulate` prints, so one Monte Carlo result has one JSON form.
    return {"ran": True, **result_to_dict(b.montecarlo), "horizon": horizon}


def briefing_to_json(b: Briefing) -> dict[str, Any]:
    """The briefing as a JSON-ready dict; `json.dumps(result, allow_nan=False)` always succeeds."""
    non_finite: list[str] = []
    plain: dict[str, Any] = to_json_value(_sections(b), "", non_finite)
    plain["non_finite"] = non_finite
    return plain

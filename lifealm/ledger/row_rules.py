"""The rules that span several cells of one row, and the values a row implies (a loan's kind from its columns).

A rule runs only on what the row itself says: a row that updates a few columns of a stored row (say, a loan's
balance) leaves the rest as stored, and the schema's own named constraints judge the merged row (their refusal
is turned into a sentence by lifealm.ledger.constraints).
"""

from __future__ import annotations

from lifealm.ledger.columns import Kind
from lifealm.models.assumptions import Assumptions, AssumptionsError, apply_overrides

RULE_KINDS = frozenset({"loans", "assumptions", "accounts", "expenses", "income"})
DATED = frozenset({"expenses", "income"})  # streams with a start_date and an end_date
NEVER_PLEDGED = frozenset({"nisa_growth", "nisa_tsumitate", "ideco"})
_THRESHOLDS = ("freeze_pct", "margin_call_pct", "forced_liq_pct")


def derive(kind: Kind, values: dict[str, object]) -> dict[str, object]:
    """Values a row implies without saying them: a loan without a kind is a margin loan when it gives thresholds,
    amortizing when it gives a monthly payment, else a standby credit line (v1's empty collateral_type). A stored
    loan that the row only updates keeps its stored kind (the write path merges columns the row does not give)."""
    if kind.name == "loans" and values.get("kind") is None:
        if any(values.get(t) is not None for t in _THRESHOLDS):
            values["kind"] = "margin"
        elif values.get("monthly_payment") is not None:
            values["kind"] = "amortizing"
        else:
            values["kind"] = "credit_line"
    return values


def row_problems(kind: Kind, values: dict[str, object], present: frozenset[str], where: str) -> list[str]:
    """Checks that span several cells of one row, each as `WHERE: column: problem`."""
    if kind.name == "loans" and "kind" in present:  # the row defines the loan, not just a few of its columns
        return _loan_problems(values, where)
    if kind.name == "accounts" and values.get("kind") in NEVER_PLEDGED and values.get("pledged") == 1:
        return [f"{where}: pledged: a {values['kind']} account can never be pledged as collateral; leave pledged "
                "empty or 0"]
    if kind.name in DATED:
        return _dates_problems(kind, values, where)
    if kind.name == "assumptions":
        try:
            apply_overrides(Assumptions(), {str(values["name"]): values["value"]}, source=where)
        except AssumptionsError as exc:
            return list(exc.problems)
    return []


def _dates_problems(kind: Kind, values: dict[str, object], where: str) -> list[str]:
    """A stream that ends before it starts runs for no month at all: the row says something else was meant (the
    dates swapped, a year mistyped), and the models cannot guess what. The dates are not quoted: the row names
    where they are."""
    start, end = values.get("start_date"), values.get("end_date")
    # both are ISO dates here (checked or parsed cells), so their order is their text's order
    if start is not None and end is not None and str(end) < str(start):
        what = "expense" if kind.name == "expenses" else "income"
        return [f"{where}: start_date/end_date: the {what} ends before it starts; swap or correct the two dates"]
    return []


def _loan_problems(values: dict[str, object], where: str) -> list[str]:
    problems: list[str] = []
    loan_kind = values.get("kind")
    thresholds = [values.get(n) for n in _THRESHOLDS]
    if loan_kind == "margin":
        if any(t is None for t in thresholds):
            problems.append(f"{where}: freeze_pct/margin_call_pct/forced_liq_pct: a margin loan needs all three "
                            "thresholds, e.g. 0.60, 0.70, 0.85")
        else:
            freeze, call, forced = (float(t) for t in thresholds)  # type: ignore[arg-type]
            if not freeze <= call <= forced:
                problems.append(f"{where}: freeze_pct/margin_call_pct/forced_liq_pct: thresholds out of order "
                                f"({freeze:g}, {call:g}, {forced:g}); need 0 < freeze ≤ margin call ≤ forced ≤ 1")
            target = values.get("target_ratio")
            if isinstance(target, float) and target > forced:
                problems.append(f"{where}: target_ratio: {target:g} is above forced_liq_pct {forced:g}")
    elif loan_kind == "credit_line" and values.get("credit_limit") is None:
        problems.append(f"{where}: credit_limit: an unsecured credit line needs its credit_limit; for a margin "
                        "loan set kind to margin (or collateral_type to portfolio), for a mortgage kind to "
                        "amortizing with its monthly_payment")
    elif loan_kind == "amortizing" and values.get("monthly_payment") is None:
        problems.append(f"{where}: monthly_payment: an amortizing loan (a mortgage, a car loan) needs its monthly "
                        "payment, interest included")
    if loan_kind not in (None, "amortizing") and values.get("monthly_payment") is not None:
        problems.append(f"{where}: monthly_payment: only an amortizing loan has a monthly payment; set kind to "
                        "amortizing or leave it empty")
    if loan_kind not in (None, "margin") and values.get("collateral_account") is not None:
        problems.append(f"{where}: collateral_account: only a margin loan is secured by an account; leave it empty "
                        "or set kind to margin")
    return problems

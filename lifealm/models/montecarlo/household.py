"""The household plan from the ledger's frozen inputs, and the one call the report pipeline makes."""

from __future__ import annotations

from math import fsum

import numpy as np

from lifealm.models.dividends import annual_dividend_per_share
from lifealm.models.fx import build_fx_table
from lifealm.models.inputs import LedgerInputs, Loan
from lifealm.models.montecarlo.config import Household, IncomeStream, MarketModel, SimulationConfig
from lifealm.models.montecarlo.history import ReturnHistory
from lifealm.models.montecarlo.result import MonteCarloResult
from lifealm.models.montecarlo.run import simulate
from lifealm.models.valuation import value_portfolio


def _secured_terms(loans: list[Loan]) -> dict[str, float]:
    """Aggregate secured loans: total balance, balance-weighted rate, the largest loan's thresholds."""
    if not loans:
        return {}
    balance = fsum(loan.balance for loan in loans)
    main = max(loans, key=lambda loan: loan.balance)
    rate = fsum(loan.balance * loan.rate for loan in loans) / balance if balance > 0 else main.rate
    terms = {"loan": balance, "loan_rate": rate, "target_ratio": main.target_ratio}
    if main.margin_call_pct is not None:
        terms["margin_call"] = main.margin_call_pct
    if main.forced_liq_pct is not None:
        terms["forced_liquidation"] = main.forced_liq_pct
    return terms


def household_from_inputs(inputs: LedgerInputs) -> Household:
    """Today's balances and cash flows: portfolio at each holding's latest close, trailing-12-month dividends."""
    assumptions = inputs.assumptions
    valuation = value_portfolio(inputs)
    fx = build_fx_table(inputs.fx_rates, base_currency=inputs.base_currency, as_of=inputs.as_of)
    dividends: list[tuple[float, float]] = []  # (annual income, growth)
    for holding in inputs.holdings:
        rate = fx.rate_for(holding.currency)
        per_share, _source = annual_dividend_per_share(holding.ticker, inputs.dividends, inputs.as_of)
        if rate is None or per_share <= 0:
            continue
        growth = holding.dividend_growth if holding.dividend_growth is not None else \
            assumptions.default_dividend_growth
        dividends.append((per_share * holding.shares * rate, growth))
    total_dividends = fsum(amount for amount, _ in dividends)
    growth = (fsum(amount * g for amount, g in dividends) / total_dividends if total_dividends > 0
              else assumptions.default_dividend_growth)
    cash = fsum(account.balance * (fx.rate_for(account.currency) or 0.0) for account in inputs.cash_accounts)
    lines = [loan for loan in inputs.loans if not loan.is_secured]
    limit = fsum(loan.credit_limit or 0.0 for loan in lines)
    line_rate = (fsum((loan.credit_limit or 0.0) * loan.rate for loan in lines) / limit) if limit > 0 else 0.0
    terms = _secured_terms([loan for loan in inputs.loans if loan.is_secured])
    return Household(
        portfolio=valuation.value,
        cash=max(cash, 0.0),  # an overdraft is a finding of the balance sheet; it cannot fund spending
        dividends=total_dividends,
        dividend_growth=growth,
        dividend_growth_std=assumptions.dividend_growth_std,
        dividend_tax=assumptions.dividend_tax,
        income=tuple(IncomeStream(item.monthly_amount * 12.0, item.annual_change) for item in inputs.income),
        expenses=fsum(item.monthly_amount for item in inputs.expenses) * 12.0,
        credit_limit=limit,
        credit_drawn=fsum(loan.balance for loan in lines),
        credit_rate=line_rate,
        **terms,
    )


def household_config(inputs: LedgerInputs) -> SimulationConfig:
    """The household plan under the ledger's assumptions: parametric GBM, annual steps, the plan's expenses."""
    a = inputs.assumptions
    market = MarketModel(mean_return=a.market_return, volatility=a.market_volatility, inflation=a.inflation,
                         inflation_std=a.inflation_std)
    return SimulationConfig(household=household_from_inputs(inputs), market=market, years=a.mc_years,
                            paths=a.mc_paths, defend_margin_call=True, funding_order="sell_first")


def simulate_household(inputs: LedgerInputs, rng: np.random.Generator, *,
                       history: ReturnHistory | None = None, seed: int | None = None) -> MonteCarloResult:
    """Monte Carlo FIRE for the ledger's household (the briefing's section); `seed` is only recorded."""
    return simulate(household_config(inputs), rng, history=history, seed=seed)

"""Valuation: each ticker at its own latest close, FX conversion, findings, order independence."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lifealm.models.findings import Severity
from lifealm.models.inputs import FxRate, Holding, LedgerInputs, PricePoint
from lifealm.models.valuation import value_portfolio

AS_OF = date(2026, 11, 24)


def test_ticker_without_price_on_global_latest_date_keeps_its_own_latest_close() -> None:
    # The series valued everything at the single latest date in `prices`; B has no close that day and vanished.
    inputs = LedgerInputs(
        as_of=AS_OF,
        holdings=(Holding("A", "a", 100, 50_000.0), Holding("B", "b", 200, 60_000.0)),
        prices=(PricePoint("A", AS_OF, 1_000.0), PricePoint("A", AS_OF - timedelta(days=1), 900.0),
                PricePoint("B", AS_OF - timedelta(days=1), 400.0), PricePoint("B", AS_OF - timedelta(days=3), 1.0)),
    )
    result = value_portfolio(inputs)
    by = {h.ticker: h for h in result.holdings}
    assert by["A"].value == 100 * 1_000.0
    assert by["B"].value == 200 * 400.0 and by["B"].price_date == AS_OF - timedelta(days=1)
    assert result.value == 100_000.0 + 80_000.0
    assert result.unrealized_pnl == pytest.approx(180_000.0 - 110_000.0)
    assert by["A"].weight == pytest.approx(100_000 / 180_000)
    assert result.findings == ()


def test_prices_after_as_of_are_ignored() -> None:
    inputs = LedgerInputs(as_of=AS_OF, holdings=(Holding("A", "a", 10, 0.0),),
                          prices=(PricePoint("A", AS_OF, 100.0), PricePoint("A", AS_OF + timedelta(days=1), 999.0)))
    assert value_portfolio(inputs).value == 1_000.0


def test_missing_and_stale_prices_are_findings_not_silent() -> None:
    inputs = LedgerInputs(
        as_of=AS_OF,
        holdings=(Holding("OLD", "old", 10, 500.0), Holding("NONE", "none", 10, 500.0)),
        prices=(PricePoint("OLD", AS_OF - timedelta(days=30), 100.0),),
    )
    result = value_portfolio(inputs)
    codes = {(f.code, f.subject): f for f in result.findings}
    assert codes[("stale_price", "OLD")].severity is Severity.WARNING
    assert codes[("stale_price", "OLD")].detail_dict()["age_days"] == 30
    assert codes[("missing_price", "NONE")].severity is Severity.ERROR
    none = next(h for h in result.holdings if h.ticker == "NONE")
    assert none.value is None and none.weight is None  # listed, excluded from the total, not valued at 0
    assert result.value == 1_000.0 and result.unvalued_count == 1
    assert result.cost == 500.0  # P&L compares the valued holdings only


def test_fx_conversion_uses_latest_rate_on_or_before_as_of() -> None:
    inputs = LedgerInputs(
        as_of=AS_OF,
        holdings=(Holding("VTI", "us", 10, 1_000.0, currency="USD"), Holding("EU", "eu", 1, 1.0, currency="EUR")),
        prices=(PricePoint("VTI", AS_OF, 300.0), PricePoint("EU", AS_OF, 50.0)),
        fx_rates=(FxRate("USD", AS_OF - timedelta(days=2), 150.0), FxRate("USD", AS_OF - timedelta(days=1), 155.0),
                  FxRate("USD", AS_OF + timedelta(days=1), 999.0)),
    )
    result = value_portfolio(inputs)
    vti = next(h for h in result.holdings if h.ticker == "VTI")
    assert vti.fx_rate == 155.0 and vti.value == 300.0 * 10 * 155.0 and vti.cost == 1_000.0 * 155.0
    eu = next(h for h in result.holdings if h.ticker == "EU")
    assert eu.value is None
    assert [f.code for f in result.findings] == ["missing_fx_rate"]
    assert result.findings[0].severity is Severity.ERROR and result.value == vti.value


def test_empty_portfolio_is_zero_without_division() -> None:
    result = value_portfolio(LedgerInputs(as_of=AS_OF))
    assert result.value == 0.0 and result.holdings == () and result.unrealized_pnl_ratio is None
    zero = value_portfolio(LedgerInputs(as_of=AS_OF, holdings=(Holding("Z", "z", 0, 0.0),),
                                        prices=(PricePoint("Z", AS_OF, 10.0),)))
    assert zero.value == 0.0 and zero.holdings[0].weight is None


tickers = st.lists(st.sampled_from(["A", "B", "C", "D", "E"]), min_size=1, max_size=5, unique=True)


@st.composite
def portfolios(draw: st.DrawFn) -> LedgerInputs:
    names = draw(tickers)
    holdings = tuple(Holding(t, t, draw(st.integers(0, 10_000)), draw(st.floats(0, 1e7))) for t in names)
    prices = []
    for t in names:
        days = draw(st.lists(st.integers(-10, 20), min_size=0, max_size=6, unique=True))
        prices += [PricePoint(t, AS_OF - timedelta(days=d), draw(st.floats(0.01, 1e5))) for d in days]
    return LedgerInputs(as_of=AS_OF, holdings=holdings, prices=tuple(prices))


@settings(max_examples=100, deadline=None)
@given(inputs=portfolios(), data=st.data())
def test_valuation_does_not_depend_on_row_order(inputs: LedgerInputs, data: st.DataObject) -> None:
    shuffled = replace(inputs, prices=tuple(data.draw(st.permutations(inputs.prices))),
                       holdings=tuple(data.draw(st.permutations(inputs.holdings))))
    a, b = value_portfolio(inputs), value_portfolio(shuffled)
    assert a.value == b.value
    assert sorted(a.holdings, key=lambda h: h.ticker) == sorted(b.holdings, key=lambda h: h.ticker)
    assert sorted(a.findings, key=repr) == sorted(b.findings, key=repr)


@settings(max_examples=100, deadline=None)
@given(inputs=portfolios(), data=st.data())
def test_removing_one_tickers_latest_price_changes_only_that_ticker(inputs: LedgerInputs,
                                                                     data: st.DataObject) -> None:
    usable = [p for p in inputs.prices if p.price_date <= AS_OF]
    if not usable:
        return
    ticker = data.draw(st.sampled_from(sorted({p.ticker for p in usable})))
    latest = max((p for p in usable if p.ticker == ticker), key=lambda p: p.price_date)
    reduced = replace(inputs, prices=tuple(p for p in inputs.prices if p != latest))
    before = {h.ticker: h for h in value_portfolio(inputs).holdings}
    after = {h.ticker: h for h in value_portfolio(reduced).holdings}
    for name, row in before.items():
        if name == ticker:
            assert after[name].price_date != row.price_date
        else:
            assert (after[name].value, after[name].price, after[name].price_date) == (
                row.value, row.price, row.price_date)


def test_stale_fx_rate_is_a_warning_for_used_currencies_only() -> None:
    from lifealm.models.briefing import build_briefing

    inputs = LedgerInputs(
        as_of=AS_OF,
        holdings=(Holding("VTI", "us", 10, 1_000.0, currency="USD"), Holding("J", "jp", 1, 1.0)),
        prices=(PricePoint("VTI", AS_OF, 300.0), PricePoint("J", AS_OF, 1.0)),
        fx_rates=(FxRate("USD", AS_OF - timedelta(days=30), 150.0), FxRate("EUR", AS_OF - timedelta(days=90), 160.0)),
    )
    found = [(f.code, f.subject, f.severity) for f in build_briefing(inputs).findings if f.code == "stale_fx_rate"]
    assert found == [("stale_fx_rate", "USD", Severity.WARNING)]
    # A stale rate is still used (and flagged); only a missing one excludes the amount.
    assert value_portfolio(inputs).value == 300.0 * 10 * 150.0 + 1.0

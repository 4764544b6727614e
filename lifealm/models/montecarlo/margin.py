"""The margin positions inside the paths: each broker's loan against its own pledged account, per path.

Each position i holds its loan L_i and the share a_i of the portfolio V in its pledged account, per path; its
haircut h_i (collateral per yen of pledged market value) is fixed, so its collateral is C_i = h_i · a_i · V.
Growth moves every holding alike and the step's cash flow buys or sells across the portfolio, so the shares a_i
only change at a forced sale. A forced sale at broker i sells x of that broker's pledged holdings at the step's
price, back to its own target t_i:

    (L_i − x) / (C_i − h_i · x) = t_i   ⇒   x = (L_i − t_i · C_i) / (1 − t_i · h_i),   capped at a_i · V.

It takes h_i · x of collateral from broker i and none from the others: with V' = V − x,
a_i' = (a_i · V − x) / V' = a_i + (a_i − 1) · x / V' and a_j' = a_j · V / V' = a_j + a_j · x / V', so every other
broker's collateral h_j · a_j' · V' stays h_j · a_j · V. The one position of a single broker (`Household.loan`)
has a = 1 and h = collateral_fraction: C = collateral_fraction · V, x = (L − t·C) / (1 − t·collateral_fraction)
capped at V, and a stays exactly 1 (a − 1 = 0), so the sale is the one the engine has always made.

At a margin call with the defense on, the positions are defended on each path in the order of their stress
L_i / (forced_i · C_i), the nearest to its forced sale first (ties: the order given), each repaid to its target
from the shared cash, then the standby lines, while they last.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from lifealm.models.montecarlo.config import MarginLoan

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


class MarginBook:
    """Every margin position's balance and pledged share, shape (positions, paths), and their fixed terms."""

    def __init__(self, positions: tuple[MarginLoan, ...], paths: int) -> None:
        ones = np.ones((1, paths))
        self.count = len(positions)
        self.whole = self.count == 1 and positions[0].pledged_share == 1.0  # a = 1 for ever (a − 1 = 0 at a sale)
        self.loans = np.array([[p.balance] for p in positions], dtype=np.float64) * ones
        self.rows = list(self.loans)  # each position's balance, a view updated in place with `loans`
        self.shares = np.array([[p.pledged_share] for p in positions], dtype=np.float64) * ones
        self.haircuts = [p.haircut for p in positions]
        self.targets = [p.target_ratio for p in positions]
        # (positions, 1) columns against (positions, paths), made once: the margin steps use them on every path
        self.haircut_column = np.array([[h] for h in self.haircuts], dtype=np.float64)
        self.target_column = np.array([[t] for t in self.targets], dtype=np.float64)
        self.interest_rates = [p.rate for p in positions]
        # the thresholds likewise; one position's as plain numbers (numpy's fast path)
        self.margin_call: float | FloatArray = np.array([[p.margin_call] for p in positions], dtype=np.float64)
        self.forced: float | FloatArray = np.array([[p.forced_liquidation] for p in positions], dtype=np.float64)
        if self.count == 1:
            self.margin_call, self.forced = positions[0].margin_call, positions[0].forced_liquidation

    def total(self) -> FloatArray:
        """What is owed over every position, per path."""
        total: FloatArray = self.loans[0] if self.count == 1 else self.loans.sum(axis=0)
        return total

    def charge_interest(self, flow: FloatArray, dt: float) -> None:
        """Subtract each position's interest over `dt` years from `flow`."""
        for loan, rate in zip(self.rows, self.interest_rates, strict=True):
            flow -= loan * (rate * dt)

    def held(self, value: FloatArray) -> FloatArray:
        """Each pledged account's market value, (positions, paths); the one whole-portfolio account is a view of
        `value` itself (so read it before `value` changes)."""
        if self.whole:
            return value[np.newaxis, :]
        held: FloatArray = self.shares * value
        return held

    def collateral(self, held: FloatArray) -> FloatArray:
        """Each position's collateral C_i = h_i · a_i · V from its account's market value a_i · V."""
        collateral: FloatArray = held * (self.haircut_column if self.count > 1 else self.haircuts[0])
        return collateral

    def target_need(self, hit: NDArray[np.bool_], collateral: FloatArray) -> FloatArray:
        """What repays each called position to its target: max(0, L_i − t_i · C_i) where called, else 0."""
        need: FloatArray = np.where(hit, np.maximum(self.loans - self.target_column * collateral, 0.0), 0.0)
        return need

    def defense_order(self, collateral: FloatArray) -> IntArray:
        """Per path, the positions from the nearest to its forced sale (L_i / (forced_i · C_i)) to the farthest."""
        with np.errstate(divide="ignore", invalid="ignore"):
            stress = self.loans / (self.forced * collateral)
        stress = np.nan_to_num(stress, nan=0.0, posinf=np.inf)
        order: IntArray = np.argsort(-stress, axis=0, kind="stable")
        return order

    def sale(self, index: int, forced: NDArray[np.bool_], collateral: FloatArray, held: FloatArray) -> FloatArray:
        """What broker `index` sells on the `forced` paths to bring its ratio back to its target (module formula)."""
        target = self.targets[index]
        loan = self.loans[index]
        to_target = (loan - target * collateral) / (1.0 - target * self.haircuts[index])
        sold: FloatArray = np.where(forced, np.minimum(to_target, held), 0.0)
        return sold

    def after_sale(self, index: int, sold: FloatArray, value_after: FloatArray) -> None:
        """Shift the pledged shares after broker `index` sold `sold` and the portfolio fell to `value_after`."""
        self.loans[index] -= sold
        if self.whole:
            return
        moved = np.divide(sold, value_after, out=np.zeros_like(sold), where=value_after > 0)
        own = self.shares[index].copy()
        self.shares += self.shares * moved
        self.shares[index] = own + (own - 1.0) * moved
        np.maximum(self.shares, 0.0, out=self.shares)

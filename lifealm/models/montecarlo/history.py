"""Loads the packaged US annual returns 1928–2025 (Aswath Damodaran, NYU Stern) into a frozen array holder."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from importlib import resources

import numpy as np
from numpy.typing import NDArray

DATA_FILE = "us_annual_returns_1928_2025.csv"
SOURCE = "Aswath Damodaran, NYU Stern: Historical Returns on Stocks, Bonds, Bills and Real Estate (1928–2025)"

# --bonds names → CSV columns
BOND_SERIES = {"baa": "baa_corporate_bonds", "tbond": "t_bonds_10y", "tbill": "t_bills"}


@dataclass(frozen=True, slots=True, eq=False)
class ReturnHistory:
    """Annual nominal total returns and CPI inflation as fractions, one row per calendar year."""

    years: NDArray[np.int64]
    sp500: NDArray[np.float64]
    baa_corporate_bonds: NDArray[np.float64]
    real_estate: NDArray[np.float64]
    t_bills: NDArray[np.float64]
    t_bonds_10y: NDArray[np.float64]
    inflation: NDArray[np.float64]
    source: str = SOURCE

    def bonds(self, name: str) -> NDArray[np.float64]:
        """The bond series for a --bonds name (baa, tbond or tbill)."""
        column: NDArray[np.float64] = getattr(self, BOND_SERIES[name])
        return column

    @property
    def first_year(self) -> int:
        return int(self.years[0])

    @property
    def last_year(self) -> int:
        return int(self.years[-1])


def parse_history(text: str) -> ReturnHistory:
    """Parse the CSV text; years must be consecutive so that row offsets are year offsets."""
    rows = list(csv.DictReader(io.StringIO(text)))
    columns = {name: np.array([float(r[name]) for r in rows], dtype=np.float64)
               for name in ("sp500", "baa_corporate_bonds", "real_estate", "t_bills", "t_bonds_10y", "inflation")}
    years = np.array([int(r["year"]) for r in rows], dtype=np.int64)
    if len(years) == 0 or np.any(np.diff(years) != 1):
        raise ValueError(f"{DATA_FILE}: years must be consecutive")
    for array in (years, *columns.values()):
        array.setflags(write=False)
    return ReturnHistory(years=years, sp500=columns["sp500"], baa_corporate_bonds=columns["baa_corporate_bonds"],
                         real_estate=columns["real_estate"], t_bills=columns["t_bills"],
                         t_bonds_10y=columns["t_bonds_10y"], inflation=columns["inflation"])


def load_history() -> ReturnHistory:
    """The packaged data set (read through importlib.resources, so it works from a wheel)."""
    text = resources.files("lifealm.data").joinpath(DATA_FILE).read_text(encoding="utf-8")
    return parse_history(text)

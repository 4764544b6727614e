"""The household plan's horizon in years: until the youngest adult member reaches `plan_to_age`, or `mc_years`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from lifealm.models.assumptions import MAX_SIMULATION_CELLS
from lifealm.models.inputs import LedgerInputs, Member

ADULT_AGE = 18  # Japan's age of majority: the plan must last for the adults, not for a child who will leave home
MAX_HORIZON_YEARS = 100  # mc_years' own upper bound: the simulation and the timeline stop there


def age_on(birth: date, day: date) -> int:
    """Whole years from `birth` to `day` (a 29 February birthday is reached on 1 March in other years)."""
    before_birthday = (day.month, day.day) < (birth.month, birth.day)
    return day.year - birth.year - (1 if before_birthday else 0)


@dataclass(frozen=True, slots=True)
class PlanHorizon:
    """How many years the Monte Carlo and the timeline run, and why.

    basis "plan_to_age": until `member` (the youngest adult on the as-of date) is `to_age`; "past_plan_to_age":
    `member` is already `to_age` or older, so the plan looks one year ahead; "mc_years": the `mc_years` assumption
    (it was set explicitly, or no member is an adult).
    """

    years: int
    basis: str  # "plan_to_age", "past_plan_to_age" or "mc_years"
    member: str | None = None
    to_age: int | None = None


def youngest_adult(inputs: LedgerInputs) -> Member | None:
    """The member born last among those aged ADULT_AGE or more on the as-of date; None when there is none."""
    adults = [m for m in inputs.members if age_on(m.birth_date, inputs.as_of) >= ADULT_AGE]
    return max(adults, key=lambda m: (m.birth_date, m.name), default=None)


def plan_horizon(inputs: LedgerInputs) -> PlanHorizon:
    """The plan's horizon: an explicitly set `mc_years` wins; else, with an adult member, the whole years until
    the youngest adult reaches `plan_to_age` (rounded up, 1 to 100); else `mc_years`."""
    a = inputs.assumptions
    member = None if inputs.mc_years_set else youngest_adult(inputs)
    if member is None:
        return PlanHorizon(a.mc_years, "mc_years")
    # Whole years from the as-of date to the birthday of age plan_to_age, rounded up: that birthday falls within
    # the year after the as-of date's anniversary in year plan_to_age − age (or on it), so the difference is exact.
    years = a.plan_to_age - age_on(member.birth_date, inputs.as_of)
    if years < 1:  # "until … is 95" would be untrue: they are 95 already
        return PlanHorizon(1, "past_plan_to_age", member.name, a.plan_to_age)
    return PlanHorizon(min(years, MAX_HORIZON_YEARS), "plan_to_age", member.name, a.plan_to_age)


def horizon_problem(inputs: LedgerInputs) -> str | None:
    """Why a horizon worked out from the members does not fit in memory (as consistency_problems says of an
    explicit mc_years); None when it fits or is mc_years itself."""
    horizon = plan_horizon(inputs)
    paths = inputs.assumptions.mc_paths
    if horizon.basis != "plan_to_age" or paths * horizon.years <= MAX_SIMULATION_CELLS:
        return None
    return (f"mc_paths × the plan's horizon ({horizon.years} years, until the youngest adult member is plan_to_age "
            f"{horizon.to_age}) = {paths * horizon.years:,} is more than the simulation can hold in memory "
            f"({MAX_SIMULATION_CELLS:,})")

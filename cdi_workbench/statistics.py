"""Recording rates with confidence intervals, by published methods through statsmodels and scipy.

- normal: the normal-approximation (Wald) interval HMIC publishes as "83.6 percent (+/- 1.79 percent)";
- wilson: Wilson score interval (Wilson 1927), better for rates near 0 or 1 and small samples;
- clopper-pearson: the exact binomial interval (Clopper and Pearson 1934);
- stratified: the stratum-weighted estimate when strata were sampled at different rates (Cochran 1977,
  Sampling Techniques, sections 5.3 and 5A.3), with the finite population correction.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from scipy.stats import norm
from statsmodels.stats.proportion import proportion_confint

METHODS = {
    "normal": "normal approximation (Wald), as published by HMIC",
    "wilson": "Wilson score interval",
    "clopper-pearson": "Clopper-Pearson exact interval",
}
_SM_METHOD = {"normal": "normal", "wilson": "wilson", "clopper-pearson": "beta"}
SMALL = 30  # below this many crimes identified a rate is printed with a warning


@dataclass(frozen=True)
class Rate:
    recorded: int
    identified: int
    rate: float | None
    low: float | None
    high: float | None
    method: str
    confidence: float = 0.95
    warning: str = ""

    @property
    def margin(self) -> float | None:
        """Half the interval's width: the symmetric '+/-' figure inspections print."""
        if self.low is None or self.high is None:
            return None
        return (self.high - self.low) / 2

    def text(self) -> str:
        """'83.6 percent (+/- 1.79 percent)' for symmetric intervals, else the interval itself."""
        if self.rate is None:
            return "no rate (no crimes identified)"
        pct = f"{self.rate * 100:.1f} percent"
        if self.low is None or self.high is None:
            return pct
        if self.method.startswith("normal") or self.method.startswith("stratified"):
            return f"{pct} (+/- {self.margin * 100:.2f} percent)"  # type: ignore[operator]
        return f"{pct} ({self.low * 100:.1f} to {self.high * 100:.1f} percent)"


def _z(confidence: float) -> float:
    return float(norm.ppf(0.5 + confidence / 2))


def _warning(k: int, n: int, method: str) -> str:
    if n == 0:
        return "no crimes identified: no rate"
    notes = []
    if n < SMALL:
        notes.append(f"only {n} crimes identified: treat the rate with caution")
    if method == "normal" and (k < 5 or n - k < 5):
        notes.append("fewer than 5 recorded or unrecorded: the normal approximation is unreliable, "
                     "prefer Wilson or Clopper-Pearson")
    return "; ".join(notes)


def rate(recorded: int, identified: int, method: str = "normal", confidence: float = 0.95,
         population: int | None = None) -> Rate:
    """A recording rate and its interval. population: crimes in the population, for the finite population
    correction of the normal interval (ignored by the others, which are conservative without it)."""
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}: one of {', '.join(METHODS)}")
    if recorded < 0 or identified < 0 or recorded > identified:
        raise ValueError(f"{recorded} recorded out of {identified} identified is not a proportion")
    label = METHODS[method]
    if identified == 0:
        return Rate(0, 0, None, None, None, label, confidence, _warning(0, 0, method))
    p = recorded / identified
    low, high = proportion_confint(recorded, identified, alpha=1 - confidence, method=_SM_METHOD[method])
    if method == "normal" and population and population > identified:
        fpc = math.sqrt((population - identified) / (population - 1))
        half = (high - low) / 2 * fpc if 0 < p < 1 else 0.0
        low, high = p - half, p + half
        label += ", finite population correction"
    return Rate(recorded, identified, p, max(0.0, float(low)), min(1.0, float(high)), label, confidence,
                _warning(recorded, identified, method))


@dataclass(frozen=True)
class Stratum:
    population: int  # records in the stratum's population (the sample frame)
    sampled: int  # records sampled from it
    recorded: int
    identified: int


def stratified_rate(strata: list[Stratum], confidence: float = 0.95) -> Rate:
    """The stratum-weighted recording rate: sum of W_h p_h with W_h = N_h / N, variance
    sum of W_h^2 (1 - f_h) p_h (1 - p_h) / (n_h - 1) with f_h = sampled/population (Cochran 5.3, 5A.3)."""
    used = [s for s in strata if s.identified > 0]
    total = sum(s.population for s in used)
    if not used or total == 0:
        return Rate(0, 0, None, None, None, "stratified estimate", confidence, "no crimes identified: no rate")
    est, var = 0.0, 0.0
    warn = []
    for s in used:
        w = s.population / total
        p = s.recorded / s.identified
        f = min(1.0, s.sampled / s.population) if s.population else 1.0
        est += w * p
        if s.identified > 1:
            var += w * w * (1 - f) * p * (1 - p) / (s.identified - 1)
        else:
            warn.append("a stratum has a single crime identified: its variance cannot be estimated")
    half = _z(confidence) * math.sqrt(var)
    k, n = sum(s.recorded for s in used), sum(s.identified for s in used)
    base = _warning(k, n, "stratified")
    return Rate(k, n, est, max(0.0, est - half), min(1.0, est + half),
                "stratified estimate weighted by stratum population, normal approximation with finite "
                "population correction", confidence, "; ".join(filter(None, [base, *sorted(set(warn))])))


@dataclass(frozen=True)
class Estimate:
    value: float
    low: float
    high: float


def unrecorded_estimate(recorded_crime_12m: int, r: Rate) -> Estimate | None:
    """Crimes a year the force fails to record: recorded x (1 - rate) / rate, as HMIC publishes it.

    The function falls as the rate rises, so the interval's ends come from the rate's high and low ends.
    """
    if r.rate is None or r.rate == 0 or r.low is None or r.high is None:
        return None

    def f(p: float) -> float:
        return recorded_crime_12m * (1 - p) / p if p > 0 else math.inf

    return Estimate(f(r.rate), f(r.high), f(r.low))

"""Recording rates with confidence intervals, by published methods through statsmodels and scipy.

- normal: the normal-approximation (Wald) interval HMIC publishes as "83.6 percent (+/- 1.79 percent)";
- wilson: Wilson score interval (Wilson 1927), better for rates near 0 or 1 and small samples;
- clopper-pearson: the exact binomial interval (Clopper and Pearson 1934);
- stratified: the combined ratio estimate when strata of records were sampled at different rates
  (Cochran 1977, Sampling Techniques, sections 6.11-6.12), with the finite population correction.
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
    """One stratum of a stratified sample of records: its population size (the sample frame) and, for each
    sampled record with a completed verdict, (crimes recorded, crimes identified)."""

    population: int
    records: tuple[tuple[int, int], ...]


def stratified_rate(strata: list[Stratum], confidence: float = 0.95) -> Rate:
    """The recording rate estimated from a stratified sample of records.

    Records are the sampling units and crimes are counted within them, so the rate is a combined ratio
    estimate R = sum(N_h/n_h * y_h) / sum(N_h/n_h * x_h), with y recorded and x identified crimes, and its
    variance (1/X^2) sum(N_h^2 (1 - f_h) s2_dh / n_h) with d = y - R x (Cochran 1977, sections 6.11-6.12,
    eq. 6.50). With proportional allocation it equals the plain rate; the interval reflects the strata.
    """
    used = [s for s in strata if s.records and s.population]
    y_tot = sum(s.population / len(s.records) * sum(y for y, _ in s.records) for s in used)
    x_tot = sum(s.population / len(s.records) * sum(x for _, x in s.records) for s in used)
    k = sum(y for s in used for y, _ in s.records)
    n = sum(x for s in used for _, x in s.records)
    label = "stratified ratio estimate weighted by the sample frame, with finite population correction"
    if x_tot == 0:
        return Rate(k, n, None, None, None, label, confidence, "no crimes identified: no rate")
    r = y_tot / x_tot
    var, warn = 0.0, []
    for s in used:
        n_h = len(s.records)
        if n_h < 2:
            warn.append("a stratum has a single record: its variance cannot be estimated")
            continue
        d = [y - r * x for y, x in s.records]
        mean = sum(d) / n_h
        s2 = sum((v - mean) ** 2 for v in d) / (n_h - 1)
        f = min(1.0, n_h / s.population)
        var += s.population ** 2 * (1 - f) * s2 / n_h
    half = _z(confidence) * math.sqrt(var) / x_tot
    return Rate(k, n, r, max(0.0, r - half), min(1.0, r + half), label, confidence,
                "; ".join(filter(None, [_warning(k, n, "stratified"), *sorted(set(warn))])))


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

"""Recording rates with confidence intervals, by published methods through statsmodels and scipy.

- normal: the normal-approximation (Wald) interval inspections publish as "83.6 percent (+/- 1.79 percent)",
  with the finite population correction sqrt((N - n) / (N - 1)) when the population N is known (HMIC crime
  data integrity inspections 2016-17: N is the estimated number of crimes in the sampled population). The
  margin is always the formula's z * sqrt(p (1 - p) / n) * fpc; where p - margin < 0 or p + margin > 1 the
  bound is cut at 0% or 100% and the text says so, the margin stays the formula's;
- wilson: Wilson score interval (Wilson 1927), better for rates near 0 or 1 and small samples (no finite
  population correction: the score interval has no standard finite-population form, and the text says so);
- clopper-pearson: the exact binomial interval (Clopper and Pearson 1934; no finite population correction);
- design: the combined ratio estimate over records when records were sampled at different rates, in strata
  or in several samples (Cochran 1977, Sampling Techniques, sections 6.11-6.12, eq. 6.50), with the finite
  population correction. Records are the sampling units and crimes are counted within them, so the variance
  accounts for several crimes clustered in one record.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from itertools import chain, repeat
from operator import mul, sub

# scipy and statsmodels are imported where they are used: loading them costs about a second, and the window
# starts without them (they load with the first findings, off the person's path)

METHODS = {
    "normal": "normal approximation (Wald), as published by HMIC",
    "wilson": "Wilson score interval",
    "clopper-pearson": "Clopper-Pearson exact interval",
}
# Short names printed beside each interval (the full description is in each table's note).
SHORT = {"normal": "Normal approximation", "wilson": "Wilson score", "clopper-pearson": "Clopper-Pearson exact"}
DESIGN_METHOD = ("design-weighted ratio estimate over records (stratified, with finite population correction; "
                 "accounts for crimes clustered in records), Cochran 1977 s. 6.11")
DESIGN_SHORT = "Design-weighted ratio estimate, FPC"
_SM_METHOD = {"normal": "normal", "wilson": "wilson", "clopper-pearson": "beta"}
SMALL = 30  # below this many crimes identified a rate is printed with a warning
NOT_DEFINED = "not defined"


CENSUS = "no sampling error: every record of the frame audited"
LONELY = ("a stratum has a single record: its variance is estimated about the overall rate (single-record strata "
          "'adjusted', as R's survey package does)")


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
    half_width: float | None = None  # the symmetric methods' margin, from the formula (never from cut bounds)
    low_cut: bool = False  # the formula's lower bound fell below 0% and was cut there
    high_cut: bool = False  # the formula's upper bound fell above 100% and was cut there
    population: float | None = None  # N used for the finite population correction, when applied
    short: str = ""  # the method's short name, printed beside the interval
    # a design-weighted rate's variance without the finite population correction (design_rate), which its design
    # effect is worked out from: the change between audits and the p-chart, which apply no FPC, use n / deff
    variance_wr: float | None = None

    @property
    def symmetric(self) -> bool:
        return self.method.startswith(("normal", "stratified", "design"))

    @property
    def margin(self) -> float | None:
        """The symmetric '+/-' figure inspections print: the formula's margin, whether or not a bound was cut.
        None where no margin is defined (no rate, or 0% / 100% under the normal approximation)."""
        if self.rate is None or self.low is None or self.high is None:
            return None
        if self.half_width is not None:
            return self.half_width
        return (self.high - self.low) / 2

    @property
    def defined(self) -> bool:
        """False where the interval is not defined: no rate, or a symmetric interval at 0% or 100%."""
        if self.rate is None or self.low is None or self.high is None:
            return False
        return not (self.symmetric and self.rate in (0.0, 1.0) and not self.half_width)

    @property
    def census(self) -> bool:
        """Every unit of the population counted (the finite population correction leaves no margin): the rate has
        no sampling error, so its interval is the rate itself."""
        return (self.population is not None and self.rate is not None and self.identified > 0
                and abs(self.population - self.identified) < 1e-6)

    def cut_text(self) -> str:
        cuts = [w for w, c in (("lower bound cut at 0%", self.low_cut), ("upper bound cut at 100%", self.high_cut))
                if c]
        return "; ".join(cuts)

    def interval_text(self, unit: str = "%") -> str:
        """'+/- 1.79%' (with any cut bound said), '80.1% to 86.9%', 'not defined at 0% or 100%' or 'n/a'."""
        if self.rate is None or self.low is None or self.high is None:
            return "n/a"
        if self.census:
            return CENSUS
        if not self.defined:
            return "not defined at 0% or 100%"
        if self.symmetric:
            text = f"+/- {self.margin * 100:.2f}{unit}"  # type: ignore[operator]
            cut = self.cut_text()
            return f"{text} ({cut})" if cut else text
        return f"{self.low * 100:.1f}{unit} to {self.high * 100:.1f}{unit}"

    def text(self) -> str:
        """'83.6 percent (+/- 1.79 percent)' for symmetric intervals, else the interval itself."""
        if self.rate is None:
            return "no rate (no crimes identified)"
        pct = f"{self.rate * 100:.1f} percent"
        if self.low is None or self.high is None:
            return pct
        if self.census:
            return f"{pct} ({CENSUS})"
        if not self.defined:
            return f"{pct} (interval not defined at 0% or 100%)"
        return f"{pct} ({self.interval_text(' percent')})"


def _z(confidence: float) -> float:
    from scipy.stats import norm

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


def fpc(population: float | None, n: int) -> float | None:
    """The finite population correction sqrt((N - n) / (N - 1)) for n drawn from N; None when N is unknown.

    Raises ValueError for an impossible population (not more than zero, or smaller than the sample)."""
    if population is None:
        return None
    if population <= 0:
        raise ValueError(f"a population of {population:g} cannot hold a sample of {n}")
    if population < n - 1e-9:
        raise ValueError(f"a population of {population:,.1f} is smaller than its sample of {n:,}")
    if population <= 1:
        return 0.0
    return math.sqrt(max(0.0, (population - n) / (population - 1)))


def rate(recorded: int, identified: int, method: str = "normal", confidence: float = 0.95,
         population: float | None = None) -> Rate:
    """A recording rate and its interval.

    population: the number of crimes in the sampled population (known or estimated), for the finite population
    correction. The normal approximation applies it; Wilson and Clopper-Pearson do not (their method text
    says so)."""
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}: one of {', '.join(METHODS)}")
    if recorded < 0 or identified < 0 or recorded > identified:
        raise ValueError(f"{recorded} recorded out of {identified} identified is not a proportion")
    label, short = METHODS[method], SHORT[method]
    correction = fpc(population, identified) if identified else None
    if identified == 0:
        return Rate(0, 0, None, None, None, label, confidence, _warning(0, 0, method), short=short)
    p = recorded / identified
    warning = _warning(recorded, identified, method)
    if method == "normal":
        half = _z(confidence) * math.sqrt(p * (1 - p) / identified)
        if correction is not None:
            half *= correction
            label += f", with finite population correction (N = {population:,.0f} crimes)"
            short += f", FPC (N = {population:,.0f})"
        low, high = p - half, p + half
        return Rate(recorded, identified, p, max(0.0, low), min(1.0, high), label, confidence, warning,
                    half_width=half, low_cut=low < 0, high_cut=high > 1,
                    population=population if correction is not None else None, short=short)
    if population is not None and abs(population - identified) < 1e-6:  # a census: no sampling error, whatever
        return Rate(recorded, identified, p, p, p, f"{label}; {CENSUS}", confidence, warning,  # the method
                    population=population, short=f"{short}, census")
    from statsmodels.stats.proportion import proportion_confint

    low, high = proportion_confint(recorded, identified, alpha=1 - confidence, method=_SM_METHOD[method])
    if population is not None:
        label += "; finite population correction not applied (no standard form for this interval)"
        short += ", no FPC"
    return Rate(recorded, identified, p, max(0.0, float(low)), min(1.0, float(high)), label, confidence, warning,
                short=short)


@dataclass(frozen=True)
class Stratum:
    """One stratum of a sample of records: its population size (the sample frame) and, for each sampled
    record with a completed verdict, (crimes recorded, crimes identified). `name` is used in messages."""

    population: int
    records: tuple[tuple[int, int], ...]
    name: str = ""


@dataclass(frozen=True)
class Design:
    """A design-weighted ratio estimate: the rate, the estimated crimes in the population (X^), and notes."""

    rate: Rate
    crimes_in_population: float | None
    notes: list[str] = field(default_factory=list)


def check_strata(strata: list[Stratum]) -> None:
    """Refuse impossible frames: a population of zero or below, or smaller than the records sampled from it."""
    for s in strata:
        where = f"stratum {s.name!r}: " if s.name else ""
        if s.population <= 0:
            raise ValueError(f"{where}the sample frame gives a population of {s.population}, so the "
                             f"{len(s.records)} records sampled from it cannot be weighted")
        if s.population < len(s.records):
            raise ValueError(f"{where}the sample frame gives a population of {s.population}, smaller than the "
                             f"{len(s.records)} records sampled from it")


def design_rate(strata: list[Stratum], confidence: float = 0.95) -> Design:
    """The recording rate estimated from records sampled in strata (of one sample, or of several samples of
    different frames), each record weighted by its stratum's population over its completed records.

    R = sum(N_h/n_h * y_h) / sum(N_h/n_h * x_h), with y recorded and x identified crimes per record, and
    variance (1/X^2) sum(N_h^2 (1 - f_h) s2_dh / n_h) with d = y - R x (Cochran 1977, eq. 6.50). Strata with
    no completed record contribute nothing and are named in the notes. Raises ValueError for impossible frames.
    """
    check_strata(strata)
    used = [s for s in strata if s.records]
    notes = [f"stratum {s.name or '?'} (population {s.population:,}) has no completed records: it contributes "
             f"nothing to the weighted estimate" for s in strata if not s.records]
    # each stratum's records as two columns, y and x, and the totals of each, read once
    columns = [tuple(zip(*s.records, strict=True)) for s in used]
    y_sums = [sum(ys) for ys, _ in columns]
    x_sums = [sum(xs) for _, xs in columns]
    y_tot = sum(s.population / len(s.records) * y for s, y in zip(used, y_sums, strict=True))
    x_tot = sum(s.population / len(s.records) * x for s, x in zip(used, x_sums, strict=True))
    k = sum(chain.from_iterable(ys for ys, _ in columns))  # record by record, as the totals always were
    n = sum(chain.from_iterable(xs for _, xs in columns))
    label = DESIGN_METHOD
    if x_tot == 0:
        return Design(Rate(k, n, None, None, None, label, confidence, "no crimes identified: no rate",
                           short=DESIGN_SHORT), None, notes)
    r = y_tot / x_tot
    var, var_wr, warn = 0.0, 0.0, []
    for s, (ys, xs) in zip(used, columns, strict=True):
        n_h = len(s.records)
        f = min(1.0, n_h / s.population)
        # d = y - r x per record, then the sample variance of d: the same operations, in the same order, as a
        # loop over the records (so the same floats), run by map
        d = list(map(sub, ys, map(mul, repeat(r), xs)))
        if n_h < 2:
            if n_h >= s.population:
                continue  # the stratum taken whole: no sampling error
            # a stratum with a single record has no variance of its own: its record is centred on the estimate
            # over all records (the weighted d sum to 0) rather than on its stratum's mean - R survey's
            # lonely.psu = "adjust" (Lumley 2010, s. 2.3) - so it widens the interval instead of adding nothing
            warn.append(LONELY)
            s2 = d[0] ** 2
        else:
            mean = sum(d) / n_h
            s2 = sum(map(pow, map(sub, d, repeat(mean)), repeat(2))) / (n_h - 1)
        var += s.population ** 2 * (1 - f) * s2 / n_h
        var_wr += s.population ** 2 * s2 / n_h
    half = _z(confidence) * math.sqrt(var) / x_tot
    low, high = r - half, r + half
    rt = Rate(k, n, r, max(0.0, low), min(1.0, high), label, confidence,
              "; ".join(filter(None, [_warning(k, n, "design"), *sorted(set(warn))])),
              half_width=half, low_cut=low < 0, high_cut=high > 1, population=x_tot, short=DESIGN_SHORT,
              variance_wr=var_wr / x_tot ** 2)
    return Design(rt, x_tot, notes)


def stratified_rate(strata: list[Stratum], confidence: float = 0.95) -> Rate:
    """The design-weighted rate alone (see design_rate), as the earlier API returned it."""
    r = design_rate(strata, confidence).rate
    return Rate(r.recorded, r.identified, r.rate, r.low, r.high,
                "stratified ratio estimate weighted by the sample frame, with finite population correction",
                r.confidence, r.warning, r.half_width, r.low_cut, r.high_cut, r.population, r.short)


def design_effect(r: Rate) -> float | None:
    """Kish's design effect of a design-weighted rate (design_rate): its variance over that of a simple random
    sample of as many crimes, p (1 - p) / n (Kish 1965, s. 8.2). Above 1 where crimes come clustered in records
    (a record's crimes tend to be recorded, or not, together), so that n crimes carry the information of fewer
    independent ones: n / deff, the effective sample size. Both variances are without the finite population
    correction (the design's own is Rate.variance_wr): with it on one side only, a large sampling fraction would
    cancel the clustering out. None where it is not defined (no rate, 0% or 100%, no variance, or a rate that is
    not design_rate's: its margin has the FPC in it)."""
    if r.rate is None or r.rate in (0.0, 1.0) or not r.identified or not r.variance_wr:
        return None
    return r.variance_wr / (r.rate * (1 - r.rate) / r.identified)


@dataclass(frozen=True)
class Estimate:
    """Crimes a year not recorded, with its interval; an end is None where it is not defined (a rate's
    lower bound of 0%, or a rate whose interval is not defined)."""

    value: float
    low: float | None
    high: float | None

    def interval_text(self) -> str:
        def end(x: float | None) -> str:
            return NOT_DEFINED if x is None else f"{round(x):,}"
        if self.low is None and self.high is None:
            return "not defined (the rate's interval is not defined)"
        if self.high is None:
            return f"{end(self.low)} to not defined (the rate's lower bound is 0%)"
        return f"{end(self.low)} to {end(self.high)}"


def unrecorded_estimate(recorded_crime_12m: int, r: Rate) -> Estimate | None:
    """Crimes a year the force fails to record: recorded x (1 - rate) / rate, as HMIC publishes it.

    The function falls as the rate rises, so the interval's ends come from the rate's high and low ends. None
    when there is no rate or the rate is 0% (nothing recorded: the estimate itself is not defined)."""
    if r.rate is None or r.rate == 0:
        return None

    def f(p: float | None) -> float | None:
        if p is None or p <= 0:
            return None
        return recorded_crime_12m * (1 - p) / p

    value = f(r.rate)
    assert value is not None
    if not r.defined:
        return Estimate(value, None, None)
    return Estimate(value, f(r.high), f(r.low))

"""Statistics for comparing variants: pure functions over counts and numbers, no Qt, no SQL, no promptbench types.

Why our own and not scipy: scipy.stats would add about 100 MB to the PyInstaller bundle for a binomial sum, a
normal quantile and a resampling loop. `math.comb` gives the exact binomial tail, `statistics.NormalDist` the
quantiles, `random.Random(seed)` a resampling that gives the same interval every time. docs/statistics.md has
every formula with a worked example, and the tests check the values against hand-computed tables.
"""

from promptbench.core.stats.bootstrap import BootstrapInterval, paired_bootstrap, sign_flip_p_value
from promptbench.core.stats.holm import holm
from promptbench.core.stats.mcnemar import PairedCounts, mcnemar_exact_p, newcombe_interval
from promptbench.core.stats.power import cases_needed, minimum_detectable_difference

__all__ = [
    "BootstrapInterval",
    "PairedCounts",
    "cases_needed",
    "holm",
    "mcnemar_exact_p",
    "minimum_detectable_difference",
    "newcombe_interval",
    "paired_bootstrap",
    "sign_flip_p_value",
]

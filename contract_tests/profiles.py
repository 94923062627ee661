"""Hypothesis profiles of the contract suite, chosen with ``--hypothesis-profile``.

* ``ci``: deterministic (derandomized), no example database, bounded: the CI gate. It
  does not shrink a failing example (its replay command still reproduces it): against a
  slow target, shrinking could take minutes.
* ``dev``: quick feedback while working on an implementation (the default).
* ``thorough``: many examples, for a release or a new vendor.
"""

from __future__ import annotations

from hypothesis import HealthCheck, Phase, settings

__all__ = ["DEFAULT_PROFILE", "register_profiles"]

DEFAULT_PROFILE = "dev"
# Network round trips are slow by Hypothesis' standards, and a target may answer slowly.
_COMMON = {
    "deadline": None,
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
    "print_blob": False,
}


def register_profiles() -> None:
    settings.register_profile(
        "ci",
        max_examples=40,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate, Phase.target],
        **_COMMON,  # type: ignore[arg-type]
    )
    settings.register_profile("dev", max_examples=15, database=None, **_COMMON)  # type: ignore[arg-type]
    settings.register_profile(
        "thorough",
        max_examples=500,
        database=None,
        phases=[Phase.explicit, Phase.generate, Phase.target, Phase.shrink],
        **_COMMON,  # type: ignore[arg-type]
    )

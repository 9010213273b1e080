"""Suite-wide test settings: hypothesis profiles (CI runs the full example counts)."""

import os

from hypothesis import HealthCheck, settings

# "ci" is the default so `make test` on any machine runs what CI runs; "dev" is for quick loops.
settings.register_profile("ci", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev", deadline=None, max_examples=50)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


"""Suite-wide test settings: hypothesis profiles (CI runs the full example counts)."""

import os

import pytest
from hypothesis import HealthCheck, settings

# "ci" is the default so `make test` on any machine runs what CI runs; "dev" is for quick loops.
settings.register_profile("ci", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev", deadline=None, max_examples=50)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Under ``pytest -n N --dist loadgroup`` the browser tests all run on one worker, one after
    another: two Chromiums drawing Flutter in software at once on a small machine starve each
    other into timeouts, and each module's Chromium and app are then set up only once.
    (Without xdist the marker means nothing.)"""
    for item in items:
        if item.get_closest_marker("browser") is not None:
            item.add_marker(pytest.mark.xdist_group("browser"))

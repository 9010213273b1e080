"""Convergence simulation (seeded, replayable). CI runs a few seeds; `make soak` runs many:
PORUCH_SOAK_SEEDS=N sets how many, PORUCH_SIM_OPS the operations per seed."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.sync.simulation import check, make_region, run
from tools.live_server import LiveServer

SEEDS = range(int(os.environ.get("PORUCH_SOAK_SEEDS", "2")))
OPS = int(os.environ.get("PORUCH_SIM_OPS", "2000"))


@pytest.mark.parametrize("seed", SEEDS)
def test_every_device_converges_to_the_server(tmp_path: Path, seed: int) -> None:
    server = LiveServer(f"sqlite:///{tmp_path / 'region.db'}", log_path=tmp_path / "server.log")
    server.migrate()
    server.start()
    devices = []
    try:
        devices = make_region(server, tmp_path)
        tally = run(server, devices, seed=1000 + seed, ops=OPS)
        figures = check(server, devices, tally)
        print(f"seed {seed}: {figures}")
        assert figures["conflicts"] > 0, "the run produced no concurrent edit to check"
        # A sync is 8% of the steps, on a device that is online at the time (about half of
        # them): ~175 in 4,000 steps, 147 and 151 seen. Well below that, the run did not
        # sync enough to test much; the bound is not the expectation.
        assert figures["sync"] > OPS // 40 and figures["partition"] > OPS // 100
        assert figures["role"] > 0 and figures["rescan"] > 0, "no role change was checked"
        # Families deleted while colleagues offline still wrote to them: checked kept.
        assert figures["race"] > 0 and figures["written_after_family_delete"] > 0
        # The case cycle: plans edited on several devices, acts returned and amended,
        # closures racing a colleague's visit; all converged (``check``).
        cycle = {k: figures.get(k, 0) for k in ("case_open", "task", "task_edit",
                                                "case_returned", "assessment_amended",
                                                "closure_race")}
        assert all(cycle.values()), f"a step of the case cycle never ran: {cycle}"
    finally:
        for d in devices:
            d.client.close()
            d.store.close()
        server.stop()

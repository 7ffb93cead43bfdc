"""Run-time SIMD dispatch: every instruction-set level the CPU has gives the
same bits, and ``ELSON_SIMD`` only ever lowers the level.

The level is chosen once per process, so each level runs in a subprocess
with ``ELSON_SIMD`` set, which writes its arrays to a file compared here.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Dict, Optional

import numpy as np
import pytest

import elson

LEVELS = ["portable", "x86-64-v3", "x86-64-v4"]

# Runs in the child: a random walk whose volatility cycles through the four
# levels, with a flat stretch (the variance collapses: the drift re-sum),
# long enough (2 x 10^5) to be split across threads.
CHILD = r"""
import sys
import numpy as np
import elson

rng = np.random.default_rng(7)
n = 200_000
sigma = np.resize(np.repeat(np.array([0.08, 0.18, 0.30, 0.55]) / np.sqrt(252), 5000), n)
sigma[60_000:61_500] = 0.0
close = 100 * np.exp(np.cumsum(rng.standard_normal(n) * sigma))
full = elson.detect_regimes(close)
lean = elson.detect_regimes(close, levels_only=True)
np.savez(
    sys.argv[1],
    level=np.array(elson.simd_level()),
    volatility=full.volatility,
    level_code=full.level_code,
    confidence=full.confidence,
    stabilization_count=full.stabilization_count,
    lean_volatility=lean.volatility,
    lean_level_code=lean.level_code,
    rolling=elson.rolling_volatility(close),
    rolling_out=elson.rolling_volatility(close, out=np.empty(n)),
    ewma=elson.rolling_volatility(close, method="EWMA"),
)
"""


def run_child(tmp_path: Path, requested: Optional[str]) -> Dict[str, np.ndarray]:
    env = dict(os.environ)
    env.pop("ELSON_SIMD", None)
    if requested is not None:
        env["ELSON_SIMD"] = requested
    out = tmp_path / f"{requested or 'default'}.npz"
    subprocess.run([sys.executable, "-c", CHILD, str(out)], env=env, check=True, timeout=120)
    with np.load(out) as data:
        return {k: data[k] for k in data.files}


def test_simd_level_is_a_known_name() -> None:
    assert elson.simd_level() in LEVELS
    assert elson.simd_level() == elson.simd_level()


def test_every_level_gives_the_same_bits(tmp_path: Path) -> None:
    best = run_child(tmp_path, None)
    detected = str(best["level"])
    assert detected in LEVELS
    runs = {detected: best}
    for name in LEVELS[: LEVELS.index(detected)]:
        runs[name] = run_child(tmp_path, name.removeprefix("x86-64-"))
        assert str(runs[name]["level"]) == name, "ELSON_SIMD did not lower the level"
    want = runs["portable"]
    # The series exercises what it is meant to.
    assert set(np.unique(want["level_code"])) == {-1, 0, 1, 2, 3}
    assert want["volatility"][61_000] == 0.0
    np.testing.assert_array_equal(want["lean_level_code"], want["level_code"])
    for name, got in runs.items():
        for key in want:
            if key == "level":
                continue
            a, b = want[key], got[key]
            assert a.dtype == b.dtype and a.shape == b.shape, (name, key)
            # Bit for bit (NaN included): compare the raw bytes.
            assert a.tobytes() == b.tobytes(), f"{name}: {key} differs from portable"


@pytest.mark.parametrize("requested", ["nonsense", "v9", ""])
def test_unknown_elson_simd_values_are_ignored(tmp_path: Path, requested: str) -> None:
    got = run_child(tmp_path, requested)
    assert str(got["level"]) == str(run_child(tmp_path, None)["level"])


def test_elson_simd_never_raises_the_level(tmp_path: Path) -> None:
    detected = str(run_child(tmp_path, None)["level"])
    got = run_child(tmp_path, "x86-64-v4")
    assert str(got["level"]) == detected  # v4 asked: at most what the CPU has

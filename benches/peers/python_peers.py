"""Python-side peer figures for the `elson` package (issue 6).

1. Rolling volatility + regime over 10⁷ prices from Python on a numpy
   array, against pandas (`np.log(close).diff().rolling(20).std() * √252`
   plus a vectorized numpy classification into the four levels).
2. A 10⁶-bar moving-average-crossover backtest called from Python, against
   the same backtest run from Rust (`examples/peer_backtest.rs`, built in
   release mode by this script).
3. The per-call overhead of a tiny call (`elson.classify(0.2)`), next to a
   trivial Python builtin call for scale.

Run after a release build of the package:

    pip install ./bindings/python pandas        # or: maturin develop --release
    python benches/peers/python_peers.py [--n 10000000] [--bars 1000000] [--reps 5]

Wall times, best of `--reps`.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
import timeit
from pathlib import Path
from typing import Callable, List, Optional, TypeVar

import numpy as np
import pandas as pd

import elson

ROOT = Path(__file__).resolve().parents[2]
T = TypeVar("T")


def best_of(reps: int, f: Callable[[], T]) -> "tuple[float, T]":
    best, out = float("inf"), None
    for _ in range(reps):
        t0 = time.perf_counter()
        out = f()
        best = min(best, time.perf_counter() - t0)
    assert out is not None
    return best, out


def prices(n: int) -> "np.ndarray[tuple[int], np.dtype[np.float64]]":
    """The same deterministic series as `volatility_peers.py`: a geometric
    walk whose annual volatility cycles 8 % → 18 % → 30 % → 55 %."""
    rng = np.random.default_rng(20260101)
    sigma = np.repeat(np.array([0.08, 0.18, 0.30, 0.55]) / np.sqrt(252), 5000)
    sigma = np.resize(sigma, n)
    out: "np.ndarray[tuple[int], np.dtype[np.float64]]" = 100 * np.exp(
        np.cumsum(rng.standard_normal(n) * sigma)
    )
    return out


def pandas_vol_regime(close: np.ndarray) -> "tuple[np.ndarray, np.ndarray]":
    vol = pd.Series(np.log(close)).diff().rolling(20).std().to_numpy() * np.sqrt(252)
    levels = np.digitize(vol, [0.15, 0.25, 0.40]).astype(np.int8)
    levels[np.isnan(vol)] = -1
    return vol, levels


def volatility_figures(n: int, reps: int) -> None:
    close = prices(n)
    t_pd, (vol_pd, raw) = best_of(reps, lambda: pandas_vol_regime(close))
    t_full, full = best_of(reps, lambda: elson.detect_regimes(close))
    t_lean, lean = best_of(reps, lambda: elson.detect_regimes(close, levels_only=True))
    t_vol, vol = best_of(reps, lambda: elson.rolling_volatility(close))
    m = ~np.isnan(vol_pd)
    err = float(np.max(np.abs(vol[m] - vol_pd[m]) / vol_pd[m]))
    assert np.array_equal(np.isnan(vol), np.isnan(vol_pd)) and err < 1e-9, err
    agree = float(np.mean(full.level_code[m] == raw[m]))
    print(f"[1] rolling volatility + regime, {n:,} prices (best of {reps})")
    print(f"    pandas rolling std + numpy classify : {t_pd * 1e3:9.1f} ms")
    print(f"    elson.detect_regimes (full series)  : {t_full * 1e3:9.1f} ms  ({t_pd / t_full:5.1f}x faster)")
    print(f"    elson.detect_regimes(levels_only)   : {t_lean * 1e3:9.1f} ms  ({t_pd / t_lean:5.1f}x faster)")
    print(f"    elson.rolling_volatility            : {t_vol * 1e3:9.1f} ms")
    print(f"    max relative difference to pandas   : {err:.1e}; stabilized = raw level on {agree:.1%} of bars")
    del lean


def rust_backtest_ms(close: np.ndarray, fast: int, slow: int) -> Optional[float]:
    if not (ROOT / "examples" / "peer_backtest.rs").exists():
        print("    (examples/peer_backtest.rs not found: Rust side skipped)")
        return None
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "closes.f64"
        close.astype("<f8").tofile(path)
        cmd = ["cargo", "run", "-q", "--release", "--example", "peer_backtest", "--",
               str(path), str(fast), str(slow)]
        out = subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True, text=True).stdout
    m = re.search(r"trades=(\d+)\b.*?best_ms=([0-9.]+)", out)
    if not m:
        raise SystemExit(f"unexpected output from peer_backtest: {out!r}")
    print(f"    (Rust run: {m.group(1)} trades)")
    return float(m.group(2))


def backtest_figures(bars: int, reps: int) -> None:
    close = elson.synthetic_bars(bars, seed=42)["close"]
    times = np.datetime64("1990-01-01T21:00", "s") + np.arange(bars) * np.timedelta64(1, "D")

    def run() -> elson.BacktestResult:
        return elson.backtest(close, times=times, strategy=elson.MovingAverageCrossover(10, 50),
                              symbol="PEER")

    t_py, result = best_of(reps, run)
    print(f"[2] moving-average crossover backtest, {bars:,} bars (best of {reps})")
    rust_ms = rust_backtest_ms(close, 10, 50)
    print(f"    from Python (elson.backtest)        : {t_py * 1e3:9.1f} ms  ({result.row.total_trades} trades)")
    if rust_ms is not None:
        print(f"    from Rust (backtest::run)           : {rust_ms:9.1f} ms")
        print(f"    Python / Rust                       : {t_py * 1e3 / rust_ms:9.2f}x")


def overhead_figures() -> None:
    number = 1_000_000
    classify = min(timeit.repeat("classify(0.2)", globals={"classify": elson.classify},
                                 number=number, repeat=5)) / number
    score = min(timeit.repeat("f(0.2, 20, 20)", globals={"f": elson.confidence_score},
                              number=number, repeat=5)) / number
    builtin = min(timeit.repeat("f(0.2)", globals={"f": abs}, number=number, repeat=5)) / number
    print("[3] per-call overhead of a tiny call (best of 5 × 10⁶ calls)")
    print(f"    elson.classify(0.2)                 : {classify * 1e9:7.0f} ns (returns a VolatilityLevel member)")
    print(f"    elson.confidence_score(0.2, 20, 20) : {score * 1e9:7.0f} ns (returns a float)")
    print(f"    abs(0.2), for scale                 : {builtin * 1e9:7.0f} ns")


def main(argv: Optional[List[str]] = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n", type=int, default=10_000_000)
    p.add_argument("--bars", type=int, default=1_000_000)
    p.add_argument("--reps", type=int, default=5)
    p.add_argument("--skip", default="", help="comma list of sections to skip: vol,backtest,overhead")
    args = p.parse_args(argv)
    skip = set(filter(None, args.skip.split(",")))
    print(f"elson {elson.__version__}, numpy {np.__version__}, pandas {pd.__version__}, "
          f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs")
    if "vol" not in skip:
        volatility_figures(args.n, args.reps)
    if "backtest" not in skip:
        backtest_figures(args.bars, args.reps)
    if "overhead" not in skip:
        overhead_figures()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

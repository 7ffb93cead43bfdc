#!/usr/bin/env python3
"""Rolling volatility + regime: pandas/numpy vs elson-core, same data, one run.

    python3 benches/peers/volatility_peers.py [--n 10000000] [--reps 5] [--native]

1. installs numpy and pandas with pip if they are missing;
2. generates n deterministic prices (geometric random walk whose volatility
   switches between calm and turbulent stretches, numpy seed 20260101) and
   writes them as raw little-endian f64;
3. times pandas `np.log(close).diff().rolling(20).std() * sqrt(252)` and a
   vectorized numpy classification into LOW/NORMAL/HIGH/EXTREME;
4. builds and runs `examples/peer_volatility.rs` (release) on the same file:
   the fused rolling CLOSE_TO_CLOSE + regime (level, confidence,
   stabilization) pass, the volatility alone, and one plain pass (sum);
5. checks that the volatilities agree to 1e-9 relative and prints the ratios.

The example picks its kernels' instruction-set level at run time
(`elson_sdk::simd`, like numpy; `ELSON_SIMD=portable` forces the baseline).
`--native` also builds it with `RUSTFLAGS=-C target-cpu=native` in a separate
target directory and reports both builds.
"""
import argparse
import os
import subprocess
import sys
import tempfile
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def ensure(pkgs):
    missing = []
    for p in pkgs:
        try:
            __import__(p)
        except ImportError:
            missing.append(p)
    if missing:
        print(f"installing {' '.join(missing)} with pip …", flush=True)
        subprocess.check_call([sys.executable, "-m", "pip", "install", "--quiet", *missing])


ensure(["numpy", "pandas"])
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

LEVELS = np.array([0.15, 0.25, 0.40])


def prices(n):
    rng = np.random.default_rng(20260101)
    annual = np.array([0.08, 0.18, 0.30, 0.55])
    sigma = annual[(np.arange(n) // 5000) % 4] / np.sqrt(252.0)
    r = sigma * rng.standard_normal(n)
    return 100.0 * np.exp(np.cumsum(r))


def best(reps, f):
    times = []
    out = None
    for _ in range(reps):
        t = time.perf_counter()
        out = f()
        times.append((time.perf_counter() - t) * 1e3)
    return min(times), out


def pandas_vol(close):
    return (np.log(close).diff().rolling(20).std() * np.sqrt(252.0)).to_numpy()


def numpy_levels(vol):
    # 0 LOW … 3 EXTREME, lower bounds inclusive; -1 before the window.
    # Comparisons, not searchsorted: the fastest numpy form we found.
    lv = (vol >= LEVELS[0]).astype(np.int8)
    lv += vol >= LEVELS[1]
    lv += vol >= LEVELS[2]
    lv[np.isnan(vol)] = -1
    return lv


def run_rust(path, reps, native, outdir):
    env = dict(os.environ)
    cmd = ["cargo", "build", "--quiet", "--release", "--example", "peer_volatility"]
    target = os.path.join(ROOT, "target")
    if native:
        env["RUSTFLAGS"] = (env.get("RUSTFLAGS", "") + " -C target-cpu=native").strip()
        target = os.path.join(ROOT, "target", "native")
        env["CARGO_TARGET_DIR"] = target
    subprocess.check_call(cmd, cwd=ROOT, env=env)
    exe = os.path.join(target, "release", "examples", "peer_volatility")
    vol_out = os.path.join(outdir, "rust_vol.f64")
    lv_out = os.path.join(outdir, "rust_levels.u8")
    res = subprocess.run([exe, path, "--reps", str(reps), "--out", vol_out, "--levels-out", lv_out],
                         check=True, capture_output=True, text=True).stdout
    kv = dict(line.split("=", 1) for line in res.split() if "=" in line)
    return kv, np.fromfile(vol_out, dtype="<f8"), np.fromfile(lv_out, dtype=np.uint8)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=10_000_000)
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--native", action="store_true")
    a = ap.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        close = prices(a.n)
        path = os.path.join(tmp, "prices.f64")
        close.astype("<f8").tofile(path)
        s = pd.Series(close)
        pd_ms, vol = best(a.reps, lambda: pandas_vol(s))
        cls_ms, lv = best(a.reps, lambda: numpy_levels(vol))
        sum_ms, _ = best(a.reps, lambda: close.sum())
        print(f"n = {a.n:,} prices")
        print(f"pandas rolling(20).std     {pd_ms:9.1f} ms")
        print(f"numpy classification       {cls_ms:9.1f} ms")
        print(f"numpy sum (plain pass)     {sum_ms:9.1f} ms")
        peer_ms = pd_ms + cls_ms

        builds = [False, True] if a.native else [False]
        for native in builds:
            kv, rvol, rlv = run_rust(path, a.reps, native, tmp)
            fused, lean, vol_only, plain = (float(kv[k]) for k in (
                "rolling_vol_regime_ms", "rolling_vol_levels_ms", "rolling_vol_ms", "plain_sum_ms"))
            both = ~np.isnan(vol) & ~np.isnan(rvol)
            same_nan = np.array_equal(np.isnan(vol), np.isnan(rvol))
            rel = np.abs(rvol[both] - vol[both]) / np.maximum(np.abs(vol[both]), 1e-300)
            raw = numpy_levels(rvol)
            # Stabilized levels differ from raw ones only during switches.
            held = (rlv != 255) & (raw >= 0)
            agree = np.mean(rlv[held] == raw[held]) if held.any() else 1.0
            level = kv.get("simd_level", "portable")
            label = (f"native build, kernels at {level}" if native
                     else f"default build, kernels dispatched at run time to {level}")
            print(f"\nelson-core, {label}")
            print(f"  rolling vol + regime     {fused:9.1f} ms  (level, confidence, count per bar)")
            print(f"  rolling vol + levels     {lean:9.1f} ms  (stabilized level per bar)")
            print(f"  rolling vol alone        {vol_only:9.1f} ms")
            print(f"  plain pass (sum)         {plain:9.1f} ms")
            print(f"  max relative difference vs pandas: {rel.max():.2e} "
                  f"({'OK' if rel.max() <= 1e-9 and same_nan else 'MISMATCH'}; NaN positions equal: {same_nan})")
            print(f"  stabilized level = raw level on {agree * 100:.2f} % of bars")
            print(f"  speed-up vs pandas (vol + classification): {peer_ms / fused:6.1f}x full regime, "
                  f"{peer_ms / lean:6.1f}x levels  (target >= 20x)")
            print(f"  speed-up vs pandas (vol alone):            {pd_ms / vol_only:6.1f}x")
            print(f"  rust vol + regime / rust plain pass:       {fused / plain:6.2f}x full regime, "
                  f"{lean / plain:6.2f}x levels, {vol_only / plain:6.2f}x vol alone  (target <= 3x)")


if __name__ == "__main__":
    main()

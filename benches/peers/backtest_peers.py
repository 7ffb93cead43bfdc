#!/usr/bin/env python3
"""Moving-average crossover backtest: backtrader and vectorbt vs elson-core.

    python3 benches/peers/backtest_peers.py [--n 1000000] [--reps 3] [--bt-n N] [--skip-bt]

1. makes sure numpy, pandas, vectorbt and backtrader can be imported: when
   they cannot, creates a virtual environment under target/peers-venv,
   installs them there with pip and re-runs itself with it;
2. generates n deterministic daily closes (numpy seed 20260101: an AR(1)
   log-price, so the price stays within a few multiples of 100, whose
   annual volatility cycles 8 % -> 18 % -> 30 % -> 55 % every 5 000 bars, so
   every regime occurs) and writes them as raw little-endian f64;
3. runs the same rule everywhere -- fast SMA 10, slow SMA 50, long (all in)
   while fast > slow, flat otherwise, filled at the bar's close, no fees:
   - backtrader (`cheat_on_close`, fractional size = cash / close),
   - vectorbt (`Portfolio.from_signals`, entries fast > slow, exits
     fast <= slow; numba compilation warmed up first, not timed),
   - elson-core through `cargo run --release --example peer_backtest`
     (best of --reps runs), once with the platform defaults and twice
     configured like the peers (`--same-trades`: no fees, sizing limit and
     factors at 1; then also `--no-regime-halt`: regime thresholds out of
     reach, so the breaker stays CLOSED);
4. compares the entry and exit bar indices and prints times and ratios.

If backtrader is too slow for the machine, `--bt-n 100000` runs it on the
first 10^5 bars and scales its time linearly (it is O(n): one Python call
per bar), and says so.
"""
import argparse
import os
import subprocess
import sys
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
VENV = os.path.join(ROOT, "target", "peers-venv")
PKGS = ["numpy", "pandas", "vectorbt", "backtrader"]


def importable(pkgs):
    missing = []
    for p in pkgs:
        try:
            __import__(p)
        except ImportError:
            missing.append(p)
    return missing


def ensure_deps():
    """Import the peers, or install them into target/peers-venv and re-exec."""
    if not importable(PKGS):
        return
    venv_python = os.path.join(VENV, "bin", "python")
    if os.path.abspath(sys.prefix) == os.path.abspath(VENV):
        missing = importable(PKGS)
        print(f"installing {' '.join(missing)} into {VENV} with pip ...", flush=True)
        subprocess.check_call([sys.executable, "-m", "pip", "install", "--quiet", *missing])
        return
    if not os.path.exists(venv_python):
        print(f"creating {VENV} ...", flush=True)
        subprocess.check_call([sys.executable, "-m", "venv", VENV])
    os.execv(venv_python, [venv_python, os.path.abspath(__file__), *sys.argv[1:]])


ensure_deps()
import warnings  # noqa: E402

warnings.filterwarnings("ignore")
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

FAST, SLOW = 10, 50
CASH = 100_000.0
START = pd.Timestamp("1990-01-01")


def prices(n):
    rng = np.random.default_rng(20260101)
    annual = np.array([0.08, 0.18, 0.30, 0.55])
    sigma = annual[(np.arange(n) // 5000) % 4] / np.sqrt(252.0)
    shocks = (sigma * rng.standard_normal(n)).tolist()
    # AR(1) log-price (phi = 0.999): a random walk that cannot drift to 0.
    logp = np.empty(n)
    acc = 0.0
    for i, e in enumerate(shocks):
        acc = 0.999 * acc + e
        logp[i] = acc
    return 100.0 * np.exp(logp)


def best(reps, f):
    times, out = [], None
    for _ in range(reps):
        t = time.perf_counter()
        out = f()
        times.append((time.perf_counter() - t) * 1e3)
    return min(times), out


# ---------------------------------------------------------------- vectorbt
def vbt_run(close):
    import vectorbt as vbt

    fast = close.rolling(FAST).mean()
    slow = close.rolling(SLOW).mean()
    entries = fast > slow
    exits = fast <= slow  # False while the slow window fills (NaN compares False)
    pf = vbt.Portfolio.from_signals(close, entries, exits, init_cash=CASH, fees=0.0, freq="1D")
    pf.final_value()
    return pf


def vbt_trades(pf):
    rec = pf.orders.records
    return [(int(i), "BUY" if s == 0 else "SELL") for i, s in zip(rec["idx"], rec["side"])]


# -------------------------------------------------------------- backtrader
def bt_run(close):
    import backtrader as bt

    class Crossover(bt.Strategy):
        def __init__(self):
            self.fast = bt.ind.SMA(self.data.close, period=FAST)
            self.slow = bt.ind.SMA(self.data.close, period=SLOW)
            self.trades = []

        def next(self):
            if self.fast[0] > self.slow[0]:
                if not self.position:
                    # Fractional, like vectorbt and elson-core: with whole
                    # shares no entry is possible once the cash is below one
                    # share (this path's equity falls that low). A hair under
                    # all-in, so rounding cannot make the order exceed cash.
                    self.buy(size=self.broker.getcash() / self.data.close[0] * (1 - 1e-9))
            elif self.position:
                self.close()

        def notify_order(self, order):
            if order.status == order.Completed:
                # Bar index from the execution date (daily bars from day 0):
                # with cheat-on-close the fill is at the issuing bar's close,
                # but it is notified during the next bar.
                day = bt.num2date(order.executed.dt).date() - START.date()
                self.trades.append((day.days, "BUY" if order.isbuy() else "SELL"))

    df = pd.DataFrame(
        {"open": close, "high": close, "low": close, "close": close, "volume": 0.0},
        index=pd.date_range(START, periods=len(close), freq="D"),
    )
    cerebro = bt.Cerebro(stdstats=False)
    cerebro.broker.setcash(CASH)
    cerebro.broker.set_coc(True)
    cerebro.adddata(bt.feeds.PandasData(dataname=df))
    cerebro.addstrategy(Crossover)
    return cerebro.run()[0].trades


# ------------------------------------------------------------------- Rust
def rust_build():
    subprocess.check_call(
        ["cargo", "build", "--quiet", "--release", "--example", "peer_backtest"], cwd=ROOT)
    return os.path.join(ROOT, "target", "release", "examples", "peer_backtest")


def rust_run(exe, path, reps, flags):
    env = dict(os.environ, PEER_TRADES="1", PEER_REPS=str(reps))
    out = subprocess.run([exe, path, str(FAST), str(SLOW), *flags], check=True,
                         capture_output=True, text=True, env=env).stdout
    lines = out.splitlines()
    kv = dict(w.split("=", 1) for w in lines[0].split())
    trades = [(int(f[1]), f[2]) for f in (ln.split() for ln in lines[1:]) if f[0] == "trade"]
    return float(kv["best_ms"]), int(kv["blocked"]), trades


def compare(name, ours, theirs, limit=None):
    """Entry/exit bar indices: equal as sets, and the first difference."""
    if limit is not None:
        ours = [t for t in ours if t[0] < limit]
    a, b = set(ours), set(theirs)
    same = len(a & b)
    status = "SAME TRADES" if a == b else f"{len(a - b)} only ours, {len(b - a)} only {name}"
    first = min((a ^ b), default=None)
    extra = f"; first difference at bar {first[0]} ({first[1]})" if first else ""
    print(f"    vs {name:10s}: {len(ours)} vs {len(theirs)} fills, {same} identical -> {status}{extra}")
    return a == b


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--bt-n", type=int, default=None,
                    help="bars given to backtrader (default n); its time is scaled to n")
    ap.add_argument("--skip-bt", action="store_true", help="skip backtrader")
    ap.add_argument("--data", default=os.path.join(ROOT, "target", "peers-closes.f64"))
    a = ap.parse_args()

    t = time.perf_counter()
    close = prices(a.n)
    close.astype("<f8").tofile(a.data)
    print(f"n = {a.n:,} daily closes ({close.min():.2f} .. {close.max():.2f}), written to "
          f"{a.data} in {time.perf_counter() - t:.1f} s")
    s = pd.Series(close, index=pd.date_range("1990-01-01", periods=a.n, freq="D"))

    print("building the Rust example (release) ...", flush=True)
    exe = rust_build()
    configs = [("platform defaults", []),
               ("--same-trades", ["--same-trades"]),
               ("--same-trades --no-regime-halt", ["--same-trades", "--no-regime-halt"])]
    rust = {name: rust_run(exe, a.data, a.reps, flags) for name, flags in configs}

    print("vectorbt: compiling (numba, not timed) ...", flush=True)
    vbt_run(s.iloc[:1000])
    vbt_ms, pf = best(a.reps, lambda: vbt_run(s))
    vbt_tr = vbt_trades(pf)

    bt_ms, bt_tr, bt_n = None, None, None
    if not a.skip_bt:
        bt_n = min(a.bt_n or a.n, a.n)
        print(f"backtrader on {bt_n:,} bars (one run) ...", flush=True)
        t = time.perf_counter()
        bt_tr = bt_run(close[:bt_n])
        bt_ms = (time.perf_counter() - t) * 1e3 * (a.n / bt_n)

    print(f"\nMA crossover {FAST}/{SLOW} over {a.n:,} bars (wall times; best of {a.reps} "
          "except backtrader: one run)")
    if bt_ms is not None:
        scaled = "" if bt_n == a.n else f"  (measured on {bt_n:,} bars, scaled x{a.n / bt_n:g})"
        print(f"  backtrader                 {bt_ms:10.1f} ms{scaled}")
    print(f"  vectorbt                   {vbt_ms:10.1f} ms  (rolling means + from_signals + final_value)")
    for name, (ms, blocked, _) in rust.items():
        print(f"  elson-core {name:30s} {ms:8.1f} ms  ({blocked} orders blocked by the rules)")
    for name, (ms, blocked, trades) in rust.items():
        print(f"\n  elson-core {name}:")
        if bt_ms is not None:
            print(f"    speed-up vs backtrader: {bt_ms / ms:8.1f}x  (target >= 100x)")
        print(f"    speed-up vs vectorbt:   {vbt_ms / ms:8.1f}x  (target >= 2x)")
        compare("vectorbt", trades, vbt_tr)
        if bt_tr is not None:
            compare("backtrader", trades, bt_tr, limit=bt_n)


if __name__ == "__main__":
    main()

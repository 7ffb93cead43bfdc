"""Volatility regimes and a backtest on a price CSV, with a plot.

Loads daily OHLC prices with pandas (``date,open,high,low,close``; by
default the bundled ``examples/data/demo_prices.csv``), detects the
volatility regime of every bar (DESIGN §5), runs the regime-aware momentum
strategy through the backtester (the same detector, circuit breaker, sizing
and accounting as live trading), prints the summary and saves the equity
curve with the regimes shaded to a PNG.

    python examples/python/regimes_backtest.py [prices.csv] [--out plot.png]

Needs ``pip install ./bindings/python pandas matplotlib``.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import List, Optional, Tuple

import matplotlib

matplotlib.use("Agg")  # no display needed: the plot goes to a file

import matplotlib.pyplot as plt
from matplotlib.patches import Patch
import numpy as np
import numpy.typing as npt
import pandas as pd

import elson

DEMO_CSV = Path(__file__).resolve().parents[1] / "data" / "demo_prices.csv"
REGIME_COLORS = {"LOW": "#d8f0d8", "NORMAL": "#fff3c4", "HIGH": "#ffd8b0", "EXTREME": "#f7b4b4"}


def load_prices(path: Path) -> pd.DataFrame:
    """Prices indexed by UTC time; a zone-less date is taken as UTC."""
    prices = pd.read_csv(path, parse_dates=["date"]).set_index("date").sort_index()
    index = pd.DatetimeIndex(prices.index)
    prices.index = index.tz_localize("UTC") if index.tz is None else index.tz_convert("UTC")
    missing = {"open", "high", "low", "close"} - set(prices.columns)
    if missing:
        raise SystemExit(f"{path}: missing columns {sorted(missing)}")
    return prices


def synthetic_prices(n: int) -> pd.DataFrame:
    """Deterministic demo bars from the SDK, when no CSV is at hand."""
    bars = elson.synthetic_bars(n, seed=7)
    index = pd.date_range("2020-01-01", periods=n, freq="D", tz="UTC")
    return pd.DataFrame(bars, index=index)


def runs(codes: npt.NDArray[np.int8]) -> List[Tuple[int, int, int]]:
    """(start, end, code) of each stretch of equal codes."""
    out: List[Tuple[int, int, int]] = []
    start = 0
    for i in range(1, len(codes) + 1):
        if i == len(codes) or codes[i] != codes[start]:
            out.append((start, i, int(codes[start])))
            start = i
    return out


def plot(prices: pd.DataFrame, result: elson.BacktestResult, out: Path, title: str) -> None:
    frame = result.to_pandas()
    fig, (ax_eq, ax_vol) = plt.subplots(
        2, 1, figsize=(12, 7), sharex=True, gridspec_kw={"height_ratios": [3, 1]}
    )
    times = frame.index
    for start, end, code in runs(result.regime_code):
        if code < 0:
            continue
        name = elson.BacktestResult.regime_names[code]
        stop = times[end] if end < len(times) else times[-1]
        for ax in (ax_eq, ax_vol):
            ax.axvspan(times[start], stop, color=REGIME_COLORS[name], linewidth=0)
    ax_eq.plot(times, frame["equity"], color="black", linewidth=1.2, label="strategy equity")
    buy_hold = float(frame["equity"].iloc[0]) * prices["close"] / float(prices["close"].iloc[0])
    ax_eq.plot(times, buy_hold, color="gray", linewidth=0.8, linestyle="--", label="buy and hold")
    ax_eq.set_ylabel("equity")
    ax_eq.set_title(title)
    lines, labels = ax_eq.get_legend_handles_labels()
    patches = [Patch(color=c, label=name) for name, c in REGIME_COLORS.items()]
    ax_eq.legend(
        [*lines, *patches],
        [*labels, *REGIME_COLORS],
        loc="upper left",
        ncol=3,
        fontsize="small",
    )
    ax_vol.plot(times, frame["volatility"], color="navy", linewidth=0.8)
    for threshold in (0.15, 0.25, 0.40):
        ax_vol.axhline(threshold, color="gray", linewidth=0.5, linestyle=":")
    ax_vol.set_ylabel("annual volatility")
    fig.tight_layout()
    fig.savefig(out, dpi=120)
    plt.close(fig)


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("csv", nargs="?", type=Path, default=DEMO_CSV)
    parser.add_argument("--out", type=Path, default=Path("regimes_backtest.png"))
    parser.add_argument("--symbol", default="DEMO")
    parser.add_argument("--lookback", type=int, default=20)
    args = parser.parse_args(argv)

    if args.csv.exists():
        prices = load_prices(args.csv)
        source = str(args.csv)
    else:
        print(f"{args.csv} not found: using 1000 synthetic bars")
        prices = synthetic_prices(1000)
        source = "synthetic bars"
    open_, high, low, close = (prices[k] for k in ("open", "high", "low", "close"))

    regimes = elson.detect_regimes(close, open=open_, high=high, low=low, lookback=args.lookback)
    levels = regimes.to_pandas(index=prices.index)["level"]
    print(f"{len(prices)} bars from {source}")
    print("share of bars per regime:")
    print(levels.value_counts(normalize=True, dropna=False).round(3).to_string())

    result = elson.backtest(
        close,
        open=open_,
        high=high,
        low=low,
        times=prices.index,
        strategy=elson.RegimeMomentum(args.lookback),
        symbol=args.symbol,
        config={"volatility": {"lookback": args.lookback}},
    )
    print(result.summary())
    plot(prices, result, args.out, f"{args.symbol}: regime momentum, regimes shaded")
    print(f"plot saved to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

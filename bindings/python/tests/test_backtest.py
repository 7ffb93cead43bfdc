"""The backtester from Python: strategies (weights, reference strategies,
callables), the result object and pandas output, settings and times, and
clear errors."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any, Dict

import numpy as np
import pytest

import elson

pd = pytest.importorskip("pandas")


@pytest.mark.parametrize("bad,index", [(np.nan, 17), (np.inf, 5), (-1.0, 30)])
def test_bad_prices_name_the_index(bad: float, index: int) -> None:
    close = elson.synthetic_bars(100, seed=11)["close"].copy()
    close[index] = bad
    with pytest.raises(elson.InvalidInput) as info:
        elson.backtest(close, strategy=elson.MovingAverageCrossover(5, 10))
    assert str(index) in info.value.field + info.value.reason



def test_backtest_strategies_and_result() -> None:
    b = elson.synthetic_bars(1500, seed=3)
    assert set(b) == {"open", "high", "low", "close"}
    times = pd.date_range("2020-01-01", periods=1500, freq="D", tz="UTC")
    res = elson.backtest(
        b["close"], times=times, open=b["open"], high=b["high"], low=b["low"],
        strategy=elson.MovingAverageCrossover(10, 30), symbol="SYN",
    )
    assert res.row.symbol == "SYN" and res.row.total_trades == len(res.trades) > 0
    assert res.equity.shape == (1500,) and res.equity.dtype == np.float64
    assert res.regime_code.dtype == np.int8 and res.breaker_code.dtype == np.int8
    assert res.times[0] == np.datetime64("2020-01-01T00:00:00", "ns")
    assert res.row.start_date.isoformat() == "2020-01-01"
    assert res.metrics["max_drawdown"] >= 0
    assert float(res.row.profit_loss) == pytest.approx(res.equity[-1] - 100_000, abs=0.01)
    df = res.to_pandas()
    assert list(df.columns) == ["equity", "volatility", "regime", "breaker"]
    assert str(df.index.tz) == "UTC" and len(df) == 1500
    assert "SYN" in res.summary()
    assert all(isinstance(t, elson.Transition) for t in res.transitions)
    # Same inputs, same result: a pure function of its inputs.
    again = elson.backtest(
        b["close"], times=times, open=b["open"], high=b["high"], low=b["low"],
        strategy=elson.MovingAverageCrossover(10, 30), symbol="SYN",
    )
    assert np.array_equal(again.equity, res.equity)
    assert again.row == res.row


def test_backtest_weights_match_the_equivalent_callback() -> None:
    b = elson.synthetic_bars(800, seed=5)
    weights = np.where((np.arange(800) // 40) % 2 == 0, 1.0, 0.0)
    a = elson.backtest(b["close"], weights=weights)
    c = elson.backtest(b["close"], strategy=lambda bar: float(weights[bar["index"]]))
    assert np.array_equal(a.equity, c.equity)
    assert a.row.total_trades == c.row.total_trades > 0
    m = elson.backtest(b["close"], strategy=elson.RegimeMomentum(20))
    assert m.row.model_version


def test_backtest_config_and_errors() -> None:
    b = elson.synthetic_bars(300, seed=2)
    res = elson.backtest(
        b["close"], weights=np.full(300, 0.5), initial_cash="5000",
        fees=elson.FeeSchedule.zero(), slippage_bps=5,
        config={"risk_profile": "MODERATE", "volatility": {"method": "EWMA"}},
    )
    assert res.equity[0] == pytest.approx(5000, abs=1)
    with pytest.raises(elson.InvalidInput) as info:
        elson.backtest(b["close"], weights=np.full(300, 0.5), config={"cash": 1})
    assert info.value.field == "config.cash"
    with pytest.raises(elson.InvalidInput):
        elson.backtest(b["close"], weights=np.full(300, 0.5), initial_cash=5000.0)
    with pytest.raises(elson.InvalidInput):
        elson.backtest(b["close"], weights=np.full(300, 0.5), config={"initial_cash": 5000.5})
    with pytest.raises(elson.InvalidInput) as info:
        elson.backtest(b["close"], weights=np.full(300, 2.0))
    assert info.value.field.startswith("weights")
    with pytest.raises(elson.InvalidInput):
        elson.backtest(b["close"], weights=np.full(299, 0.5))
    with pytest.raises(elson.InvalidInput):
        elson.backtest(b["close"])
    with pytest.raises(elson.InvalidInput):
        elson.backtest(b["close"], strategy=42)
    with pytest.raises(elson.InvalidInput):
        elson.backtest(b["close"], strategy=lambda bar: "buy")

    class Boom(Exception):
        pass

    def explode(bar: Dict[str, Any]) -> float:
        if bar["index"] == 50:
            raise Boom("strategy failed")
        return 1.0

    with pytest.raises(Boom):
        elson.backtest(b["close"], strategy=explode)


def test_backtest_times_forms() -> None:
    b = elson.synthetic_bars(50, seed=1)
    t0 = datetime(2024, 1, 1, tzinfo=timezone.utc)
    aware = [t0 + timedelta(days=i) for i in range(50)]
    a = elson.backtest(b["close"], weights=np.full(50, 1.0), times=aware)
    naive64 = np.array([np.datetime64("2024-01-01") + np.timedelta64(i, "D") for i in range(50)])
    n = elson.backtest(b["close"], weights=np.full(50, 1.0), times=naive64)
    assert np.array_equal(a.times, n.times)
    ny = pd.date_range("2023-12-31 19:00", periods=50, freq="D", tz="America/New_York")
    z = elson.backtest(b["close"], weights=np.full(50, 1.0), times=ny)
    assert np.array_equal(a.times, z.times)
    with pytest.raises(elson.InvalidInput) as info:
        elson.backtest(
            b["close"], weights=np.full(50, 1.0), times=[datetime(2024, 1, 1)] * 50
        )
    assert info.value.field == "times[0]"
    with pytest.raises(elson.InvalidInput):
        elson.backtest(b["close"], weights=np.full(50, 1.0), times=aware[:-1])
    with pytest.raises(elson.InvalidInput):
        elson.backtest(b["close"], weights=np.full(50, 1.0), times=aware[::-1])



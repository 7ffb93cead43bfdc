"""Volatility and regimes on numpy: agreement with pandas /
numpy reference computations (1e-9 relative), streaming = batch, clear
errors for bad arrays, and the result objects."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone
from typing import Any, Dict, List

import numpy as np
import pytest

import elson

pd = pytest.importorskip("pandas")

N = 252
LN2 = np.log(2.0)


def random_bars(n: int, seed: int) -> Dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    # Volatility that changes over time so every level occurs.
    sigma = np.repeat([0.005, 0.012, 0.02, 0.035], n // 4 + 1)[:n]
    close = 100 * np.exp(np.cumsum(rng.normal(0, sigma)))
    open_ = close * np.exp(rng.normal(0, sigma / 2))
    spread = np.abs(rng.normal(0, sigma, n)) * close
    high = np.maximum(open_, close) + spread
    low = np.minimum(open_, close) - spread * 0.9
    return {"open": open_, "high": high, "low": low, "close": close}


def assert_close_rel(actual: np.ndarray, expected: np.ndarray, rel: float = 1e-9) -> None:
    assert actual.shape == expected.shape
    assert np.array_equal(np.isnan(actual), np.isnan(expected)), "NaN positions differ"
    m = ~np.isnan(expected)
    assert m.any()
    err = np.max(np.abs(actual[m] - expected[m]) / np.abs(expected[m]))
    assert err <= rel, f"max relative error {err}"


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("lookback", [2, 20, 63])
def test_close_to_close_equals_pandas(seed: int, lookback: int) -> None:
    close = random_bars(5000, seed)["close"]
    ref = np.log(pd.Series(close)).diff().rolling(lookback).std(ddof=1).to_numpy() * np.sqrt(N)
    out = elson.rolling_volatility(close, lookback=lookback)
    assert isinstance(out, np.ndarray) and out.dtype == np.float64
    assert_close_rel(out, ref)
    # A pandas Series and a plain list give the same values.
    assert_close_rel(elson.rolling_volatility(pd.Series(close), lookback=lookback), ref)
    assert_close_rel(elson.rolling_volatility(close.tolist(), lookback=lookback), ref)


def ewma_reference(close: np.ndarray, n: int, lam: float) -> np.ndarray:
    r = np.diff(np.log(close))
    out = np.full(close.shape, np.nan)
    var = np.mean(r[:n] ** 2)
    out[n] = np.sqrt(N * var)
    for i in range(n, len(r)):
        var = lam * var + (1 - lam) * r[i] ** 2
        out[i + 1] = np.sqrt(N * var)
    return out


@pytest.mark.parametrize("seed", [4, 5])
def test_ewma_equals_numpy(seed: int) -> None:
    close = random_bars(3000, seed)["close"]
    out = elson.rolling_volatility(close, method="EWMA", lookback=20, ewma_lambda=0.94)
    assert_close_rel(out, ewma_reference(close, 20, 0.94))


@pytest.mark.parametrize("seed", [6, 7])
def test_range_estimators_equal_pandas(seed: int) -> None:
    b = random_bars(3000, seed)
    n = 20
    hl = pd.Series(np.log(b["high"] / b["low"]) ** 2)
    co = pd.Series(np.log(b["close"] / b["open"]) ** 2)
    park = np.sqrt(N / (4 * n * LN2) * hl.rolling(n).sum()).to_numpy()
    gk = np.sqrt(N / n * (0.5 * hl - (2 * LN2 - 1) * co).rolling(n).sum()).to_numpy()
    kw: Dict[str, Any] = {"open": b["open"], "high": b["high"], "low": b["low"]}
    assert_close_rel(elson.rolling_volatility(b["close"], method="PARKINSON", **kw), park)
    assert_close_rel(
        elson.rolling_volatility(b["close"], method=elson.VolatilityMethod.GARMAN_KLASS, **kw), gk
    )
    with pytest.raises(elson.InvalidInput):
        elson.rolling_volatility(b["close"], method="PARKINSON")  # needs the range


def test_regimes_match_classification_and_hysteresis() -> None:
    close = random_bars(4000, 8)["close"]
    r = elson.detect_regimes(close)
    vol = elson.rolling_volatility(close)
    assert_close_rel(r.volatility, vol, 0.0)
    assert r.level_code.dtype == np.int8 and len(r) == len(close)
    assert (r.level_code[:20] == -1).all() and (r.level_code[20:] >= 0).all()
    raw = np.digitize(vol[20:], [0.15, 0.25, 0.40])
    # The stabilized level equals the raw one except within 2 bars of a switch.
    agree = np.mean(raw == r.level_code[20:])
    assert agree > 0.9
    # Hysteresis: a switch happens only after 3 identical readings.
    codes = r.level_code[20:]
    switches = np.nonzero(np.diff(codes))[0] + 1
    assert len(switches) > 0
    for s in switches:
        assert (raw[s - 2 : s + 1] == codes[s]).all()
        assert r.stabilization_count[20 + s] == 3
    assert set(np.unique(codes)) == {0, 1, 2, 3}
    lean = elson.detect_regimes(close, levels_only=True)
    assert np.array_equal(lean.level_code, r.level_code)
    assert lean.confidence is None and lean.stabilization_count is None
    df = r.to_pandas(index=pd.RangeIndex(len(close)))
    assert list(df.columns) == ["volatility", "level", "confidence", "stabilization_count"]
    assert df["level"].iloc[-1] == r.levels()[-1].value
    assert r.levels()[0] is None


def stabilize_reference(raw: np.ndarray, switch: int = 3) -> "tuple[List[int], List[int]]":
    """DESIGN §5's stabilization, one reading at a time, in plain Python."""
    levels: List[int] = []
    counts: List[int] = []
    level, count, candidate, seen = -1, 0, -1, 0
    for r in raw.tolist():
        if level < 0:
            level, count = r, 1
        elif r == level:
            count, candidate, seen = count + 1, -1, 0
        elif r == candidate:
            seen += 1
            if seen >= switch:
                level, count, candidate, seen = r, seen, -1, 0
        else:
            candidate, seen = r, 1
        levels.append(level)
        counts.append(count)
    return levels, counts


def test_long_series_split_across_threads_matches_the_reference() -> None:
    # Long enough (2¹⁶ closes and more) for the core to split the work into
    # parts on several threads: the results must not show the seams.
    close = random_bars(300_000, 11)["close"]
    r = elson.detect_regimes(close)
    lean = elson.detect_regimes(close, levels_only=True)
    vol = elson.rolling_volatility(close)
    ref = pd.Series(np.log(close)).diff().rolling(20).std().to_numpy() * np.sqrt(N)
    assert_close_rel(vol, ref, 1e-9)
    assert np.array_equal(r.volatility, vol, equal_nan=True)
    assert np.array_equal(lean.volatility, vol, equal_nan=True)
    raw = np.digitize(vol[20:], [0.15, 0.25, 0.40])
    levels, counts = stabilize_reference(raw)
    assert r.stabilization_count is not None
    assert np.array_equal(r.level_code[20:], np.array(levels, dtype=np.int8))
    assert np.array_equal(r.stabilization_count[20:], np.array(counts, dtype=np.uint32))
    assert np.array_equal(lean.level_code, r.level_code)
    assert (r.level_code[:20] == -1).all() and (r.stabilization_count[:20] == 0).all()
    out = np.empty_like(close)
    assert elson.rolling_volatility(close, out=out) is out
    assert np.array_equal(out, vol, equal_nan=True)


def test_regime_thresholds_can_be_changed() -> None:
    close = random_bars(2000, 9)["close"]
    r = elson.detect_regimes(close, regime={"normal_min": 5, "high_min": 6.0, "extreme_min": 7.0})
    assert set(np.unique(r.level_code[20:])) == {0}
    with pytest.raises(elson.InvalidInput) as info:
        elson.detect_regimes(close, regime={"normal_minimum": 0.5})
    assert info.value.field == "regime.normal_minimum"
    with pytest.raises(elson.InvalidInput):
        elson.detect_regimes(close, regime={"normal_min": 0.5, "high_min": 0.4})


def test_streaming_equals_batch() -> None:
    b = random_bars(600, 10)
    t0 = datetime(2026, 1, 1, tzinfo=timezone.utc)
    batch = elson.detect_regimes(b["close"])
    det = elson.RegimeDetector()
    est = elson.VolatilityEstimator(method="EWMA")
    ewma = elson.rolling_volatility(b["close"], method="EWMA")
    for i, c in enumerate(b["close"]):
        reading = det.update(float(c), t0 + timedelta(days=i))
        v = est.update(float(c))
        if i < 20:
            assert reading is None and v is None
            continue
        assert reading is not None and v is not None
        assert reading.volatility == pytest.approx(batch.volatility[i], rel=1e-9)
        assert elson.RegimeSeries.level_names[batch.level_code[i]] == reading.level.value
        assert batch.stabilization_count is not None and batch.confidence is not None
        assert reading.stabilization_count == batch.stabilization_count[i]
        assert reading.confidence == pytest.approx(batch.confidence[i], rel=1e-9)
        assert v == pytest.approx(ewma[i], rel=1e-9)
    assert det.current is not None
    row = reading.to_row("AAPL")
    assert row.symbol == "AAPL" and row.lookback_period == 20
    with pytest.raises(elson.InvalidInput) as info:
        det.update(100.0, t0)  # time going back
    assert info.value.field == "time"
    park = elson.VolatilityEstimator(method="PARKINSON", lookback=2)
    assert park.update_bar(10, 11, 9, 10) is None
    assert park.update_bar(10, 11, 9, 10) is not None
    with pytest.raises(elson.InvalidInput):
        park.update(10.0)


def test_classify_and_confidence() -> None:
    assert elson.classify(0.1499) == elson.VolatilityLevel.LOW
    assert elson.classify(0.15) == elson.VolatilityLevel.NORMAL
    assert elson.classify(0.40) == elson.VolatilityLevel.EXTREME
    assert elson.confidence_score(0.16, 20, 20) == pytest.approx(0.6)


@pytest.mark.parametrize(
    "bad,index",
    [(np.nan, 17), (np.inf, 5), (-1.0, 30), (0.0, 0)],
)
def test_bad_prices_name_the_index(bad: float, index: int) -> None:
    close = random_bars(100, 11)["close"].copy()
    close[index] = bad
    for f in (elson.rolling_volatility, elson.detect_regimes):
        with pytest.raises(elson.InvalidInput) as info:
            f(close)
        assert str(index) in info.value.field + info.value.reason, str(info.value)


@pytest.mark.parametrize(
    "bad",
    [np.array(["1", "2"]), np.ones((3, 3)), np.array([object()] * 3), "abc", None],
)
def test_bad_arrays_are_invalid_input(bad: Any) -> None:
    with pytest.raises((elson.InvalidInput, TypeError)):
        elson.rolling_volatility(bad)


def test_mismatched_lengths_and_settings() -> None:
    b = random_bars(100, 12)
    with pytest.raises(elson.InvalidInput) as info:
        elson.rolling_volatility(b["close"], open=b["open"][:-1], high=b["high"], low=b["low"])
    assert info.value.field == "open"
    with pytest.raises(elson.InvalidInput):
        elson.rolling_volatility(b["close"], high=b["high"])
    with pytest.raises(elson.InvalidInput) as info:
        elson.rolling_volatility(b["close"], lookback=1)
    assert info.value.field == "lookback"
    with pytest.raises(elson.InvalidInput):
        elson.rolling_volatility(b["close"], method="GUESS")


def test_int_and_float32_inputs_convert() -> None:
    close = np.arange(100, 200)
    assert_close_rel(
        elson.rolling_volatility(close), elson.rolling_volatility(close.astype(np.float64)), 0.0
    )
    f32 = close.astype(np.float32)
    assert_close_rel(elson.rolling_volatility(f32), elson.rolling_volatility(f32.astype(np.float64)), 0.0)
    strided = np.repeat(close.astype(np.float64), 2)[::2]
    assert not strided.flags["C_CONTIGUOUS"]
    assert_close_rel(elson.rolling_volatility(strided), elson.rolling_volatility(close), 0.0)


def test_heavy_work_releases_the_gil() -> None:
    close = random_bars(400_000, 13)["close"]
    results: List[np.ndarray] = []
    ticks: List[int] = []
    done = threading.Event()

    def ticker() -> None:
        while not done.is_set():
            ticks.append(1)
            done.wait(0.0005)

    t = threading.Thread(target=ticker)
    t.start()
    for _ in range(5):
        results.append(elson.detect_regimes(close).volatility)
    done.set()
    t.join()
    assert all(np.array_equal(r, results[0], equal_nan=True) for r in results)
    assert len(ticks) > 5  # the other thread ran while Rust computed


def test_rolling_volatility_into_out() -> None:
    close = random_bars(500, 14)["close"]
    out = np.empty(500)
    assert elson.rolling_volatility(close, out=out) is out
    assert_close_rel(out, elson.rolling_volatility(close), 0.0)
    b = random_bars(500, 15)
    elson.rolling_volatility(b["close"], open=b["open"], high=b["high"], low=b["low"],
                             method="PARKINSON", out=out)
    assert_close_rel(out, elson.rolling_volatility(
        b["close"], open=b["open"], high=b["high"], low=b["low"], method="PARKINSON"), 0.0)
    read_only = np.empty(500)
    read_only.flags.writeable = False
    for bad in (np.empty(10), close, np.empty(500, dtype=np.float32), read_only,
                np.empty(1000)[::2], [0.0] * 500):
        with pytest.raises(elson.InvalidInput) as info:
            elson.rolling_volatility(close, out=bad)
        assert info.value.field == "out"

"""The Python examples run and type-check (`mypy --strict`)."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[3] / "examples" / "python"


def test_regimes_backtest_example_writes_a_png(tmp_path: Path) -> None:
    pytest.importorskip("pandas")
    pytest.importorskip("matplotlib")
    spec = importlib.util.spec_from_file_location("regimes_backtest", EXAMPLES / "regimes_backtest.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    out = tmp_path / "plot.png"
    # The bundled CSV when present, else the synthetic fallback.
    assert module.main(["--out", str(out)]) == 0
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert module.main([str(tmp_path / "missing.csv"), "--out", str(out)]) == 0


def test_examples_pass_mypy_strict() -> None:
    pytest.importorskip("mypy")
    pytest.importorskip("matplotlib")
    if importlib.util.find_spec("pandas-stubs") is None and importlib.util.find_spec("pandas") is None:
        pytest.skip("pandas not installed")
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", str(EXAMPLES)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr

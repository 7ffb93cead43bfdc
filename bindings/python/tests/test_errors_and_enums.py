"""The exception tree and the enums match the Rust core."""

from __future__ import annotations

import enum

import pytest

import elson
from elson import _elson

ERRORS = [
    "InvalidInput", "InsufficientFunds", "InsufficientQuantity", "ApprovalRequired", "Forbidden",
    "InvalidTransition", "NotFound", "Conflict", "PositionLimitExceeded", "ConfidenceTooLow",
    "TradingHalted", "StorageError", "InternalError",
]


@pytest.mark.parametrize("name", ERRORS)
def test_every_error_is_an_elson_error(name: str) -> None:
    cls = getattr(elson, name)
    assert issubclass(cls, elson.ElsonError)
    assert issubclass(cls, Exception)


def test_python_enums_match_the_core() -> None:
    core = dict(_elson._enum_values())
    assert len(core) == 21
    for name, values in core.items():
        cls = getattr(elson, name)
        assert issubclass(cls, enum.Enum)
        assert [m.value for m in cls] == values, name
        assert [m.name for m in cls] == values, name


def test_a_rust_panic_becomes_an_elson_error() -> None:
    with pytest.raises(elson.InternalError) as info:
        _elson._panic_for_test()
    assert isinstance(info.value, elson.ElsonError)
    assert "deliberate panic" in str(info.value)

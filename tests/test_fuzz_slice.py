"""A bounded slice of bench/fuzz.py on this run's database: one hostile value in each of
three fields of every form, every list, action and work page of every role. No 5xx, no SQL
or traceback on screen, no error hidden behind a message, and the data's invariants hold
afterwards (issue 10)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

FUZZ = Path(__file__).resolve().parents[1] / "bench" / "fuzz.py"


def _fuzz_module():
    spec = importlib.util.spec_from_file_location("steward_fuzz", FUZZ)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_slice_of_the_fuzz_finds_no_500_no_sql_and_leaves_the_data_whole(app, db):
    fuzz = _fuzz_module()
    report = fuzz.Fuzzer(app, values=1, seed=11, max_inline=1, fields=3, filters=2).run()
    assert report.submissions > 800
    assert report.failures == [], report.summary()
    # Signing in bumps an account's version without an audit entry: the account part of
    # issue 10 (item 4), worked on apart from this; everything else must be whole.
    assert [b for b in report.broken if not b.startswith("user_account:")] == [], \
        report.summary()

"""A bounded slice of bench/fuzz.py on this run's database: one hostile value in each of
two fields of every form, and one in one argument of every list, action and work page, for
every role. No 5xx, no SQL
or traceback on screen, no error hidden behind a message, and the data's invariants hold
afterwards (issue 10)."""

from __future__ import annotations


def test_a_slice_of_the_fuzz_finds_no_500_no_sql_and_leaves_the_data_whole(app, db):
    from bench import fuzz

    report = fuzz.Fuzzer(app, values=1, seed=11, max_inline=1, fields=2, filters=1,
                         arguments=1).run()
    assert report.submissions > 500
    assert report.failures == [], report.summary()
    assert report.broken == [], report.summary()

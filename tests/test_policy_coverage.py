"""Every policy rule the software implements is named by at least one test, exactly.

docs/policy-rules.md is the repository's copy of the policy's rule IDs, each marked as
implemented or not. A test names a rule exactly when its function name carries the ID with
underscores (`..._P_RP_3`) or its body — docstring, comments — carries it (`P-RP-3`). A range
(`P-TKT-1…7`, `P_TKT_1_to_5`) or a shorthand list (`P-REQ-1, -2, -4`, `P_REQ_1_2_4`) names
none of its IDs exactly: a reader going from a rule to its tests greps for the ID itself.
"""

from __future__ import annotations

import ast
import os
import re
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TABLE = ROOT / "docs" / "policy-rules.md"
TESTS = ROOT / "tests"

ID = r"P-[A-Z]+-\d+"
# An ID followed by a range or by more numbers of the same family is not named exactly.
NOT_EXACT_AFTER = r"(?!\d|\s*(?:…|\.\.\.|–|—|to\b|,\s*-\d))"
DASHED = re.compile(ID + NOT_EXACT_AFTER)
UNDERSCORED = re.compile(r"(?<![A-Za-z0-9])P_([A-Z]+)_(\d+)(?!\d|_\d|_to_)")
ROW = re.compile(r"^\|\s*(P-[A-Z]+-\d+)\s*\|([^|]+)\|\s*(yes|no)\s*\|([^|]+)\|\s*$")


# ---- reading the table ----------------------------------------------------------------------
def table_rows(text: str) -> list[tuple[str, str, str]]:
    """(id, status, where) for each rule row; a line that looks like a rule row but does not
    parse is an error, so that no ID drops out of the table unseen."""
    rows, bad = [], []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.startswith("|") or not re.search(r"P[-_ ]?[A-Z]+", line.split("|")[1]):
            continue
        found = ROW.match(line)
        if found is None:
            bad.append(f"line {number}: {line[:60]}")
        else:
            rows.append((found[1], found[3], found[4].strip()))
    assert not bad, "rows of docs/policy-rules.md that do not parse:\n" + "\n".join(bad)
    return rows


def stated_count(text: str) -> int:
    found = re.search(r"^Rules: (\d+)\.$", text, re.M)
    assert found, "docs/policy-rules.md must state 'Rules: N.'"
    return int(found[1])


def policy_ids(text: str) -> list[str]:
    """The IDs of POLICY.md: each rule is a line starting with '- P-'."""
    return re.findall(rf"^- ({ID})\b", text, re.M)


def policy_file() -> Path | None:
    """POLICY.md beside the checkout (`../shared/spec/`), or where STEWARD_POLICY_FILE says."""
    named = os.environ.get("STEWARD_POLICY_FILE")
    candidates = [Path(named)] if named else [
        ROOT.parent / "shared" / "spec" / "POLICY.md",
        ROOT.parent.parent / "shared" / "spec" / "POLICY.md",
    ]
    return next((path for path in candidates if path.is_file()), None)


# ---- reading the tests ----------------------------------------------------------------------
def ids_named_in(source: str) -> dict[str, set[str]]:
    """For each test function of `source`: the rule IDs it names exactly (its name, and its
    docstring, comments and strings; not its decorators)."""
    lines = source.splitlines()
    named = {}
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        if not node.name.startswith("test"):
            continue
        body = "\n".join(lines[node.lineno - 1:node.end_lineno])
        found = {f"P-{family}-{number}" for family, number in UNDERSCORED.findall(node.name)}
        found |= set(DASHED.findall(body))
        named[node.name] = found
    return named


def named_by_tests() -> dict[str, list[str]]:
    """Each rule ID → the tests (file::function) that name it exactly."""
    tests: dict[str, list[str]] = {}
    for path in sorted(TESTS.rglob("test_*.py")):
        if path.name == Path(__file__).name:
            continue
        for function, ids in ids_named_in(path.read_text(encoding="utf-8")).items():
            for rule in ids:
                tests.setdefault(rule, []).append(f"{path.relative_to(ROOT)}::{function}")
    return tests


# ---- the checks -----------------------------------------------------------------------------
def test_every_implemented_rule_is_named_exactly_by_a_test():
    rows = table_rows(TABLE.read_text(encoding="utf-8"))
    tests = named_by_tests()
    unnamed = [rule for rule, status, _ in rows if status == "yes" and rule not in tests]
    assert not unnamed, (
        "rules marked implemented in docs/policy-rules.md that no test names exactly "
        "(in a test's name with underscores, or its docstring or a comment in it): "
        + ", ".join(unnamed))


def test_the_table_lists_each_rule_once_with_no_gap():
    text = TABLE.read_text(encoding="utf-8")
    ids = [rule for rule, _, _ in table_rows(text)]
    twice = sorted(rule for rule, times in Counter(ids).items() if times > 1)
    assert not twice, f"listed more than once in docs/policy-rules.md: {', '.join(twice)}"
    numbers: dict[str, set[int]] = {}
    for rule in ids:
        family, number = rule.rsplit("-", 1)
        numbers.setdefault(family, set()).add(int(number))
    gaps = [f"{family}-{n}" for family, found in numbers.items()
            for n in range(1, max(found) + 1) if n not in found]
    assert not gaps, f"missing from docs/policy-rules.md: {', '.join(gaps)}"
    assert len(ids) == stated_count(text), (
        f"docs/policy-rules.md states {stated_count(text)} rules and lists {len(ids)}")
    assert all(where for _, _, where in table_rows(text)), "a row says neither where nor why"


def test_every_rule_id_the_code_and_tests_cite_is_in_the_table():
    """An ID cited anywhere in the code, tests or docs that the table does not list is a typo
    or a rule missing from the table."""
    listed = {rule for rule, _, _ in table_rows(TABLE.read_text(encoding="utf-8"))}
    cited: dict[str, set[str]] = {}
    for path in ROOT.rglob("*"):
        if path.suffix not in (".py", ".md", ".html") or path == TABLE:
            continue
        if {".venv", "node_modules", ".git"} & set(path.relative_to(ROOT).parts):
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        found = set(re.findall(rf"\b{ID}", text))
        found |= {f"P-{family}-{number}" for family, number in
                  re.findall(r"(?<![A-Za-z0-9])P_([A-Z]+)_(\d+)", text)}
        for rule in found - listed:
            cited.setdefault(rule, set()).add(str(path.relative_to(ROOT)))
    assert not cited, "IDs cited but not in docs/policy-rules.md: " + "; ".join(
        f"{rule} ({', '.join(sorted(paths))})" for rule, paths in sorted(cited.items()))


def test_the_table_has_the_policys_ids():
    """Where the policy is reachable (beside the checkout, or STEWARD_POLICY_FILE), the table
    lists exactly its IDs."""
    path = policy_file()
    if path is None:
        pytest.skip("POLICY.md is not beside the checkout (set STEWARD_POLICY_FILE to check)")
    policy = policy_ids(path.read_text(encoding="utf-8"))
    listed = [rule for rule, _, _ in table_rows(TABLE.read_text(encoding="utf-8"))]
    assert sorted(set(policy) - set(listed)) == [], "in POLICY.md, not in the table"
    assert sorted(set(listed) - set(policy)) == [], "in the table, not in POLICY.md"


# ---- the checks can fail --------------------------------------------------------------------
SAMPLE = '''
import pytest

@pytest.mark.parametrize("x", ["P-FEE-2"])
def test_one_P_RP_3(x):
    """Also P-TKT-1…7 and P-REQ-1, -2, -4, and P-KPI-3."""
    assert True  # P-ASM-1

def test_two_P_TKT_1_to_5_and_P_REQ_1_2_4():
    pass

def helper():
    """P-COM-3"""
'''


def test_only_exact_citations_inside_tests_count():
    assert ids_named_in(SAMPLE) == {
        "test_one_P_RP_3": {"P-RP-3", "P-KPI-3", "P-ASM-1"},
        "test_two_P_TKT_1_to_5_and_P_REQ_1_2_4": set(),
    }


def test_a_broken_table_is_reported():
    good = "| P-TKT-1 | intake | yes | here |\n| P-TKT-3 | dispatch | no | why |\n"
    assert [rule for rule, _, _ in table_rows(good)] == ["P-TKT-1", "P-TKT-3"]
    with pytest.raises(AssertionError, match="do not parse"):
        table_rows(good + "| P-TKT-2 | priority | partly | here |\n")
    with pytest.raises(AssertionError, match="do not parse"):
        table_rows(good + "| P-TKT2 | priority | yes | here |\n")

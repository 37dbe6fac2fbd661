"""The growth table: each page's median ms (and statements) at every scale measured, side by
side, from the bench/results/pages-<scale>.md files bench/pages.py wrote.

    .venv/bin/python bench/growth.py                 # all pages → bench/results/growth.md
    .venv/bin/python bench/growth.py --key           # only the pages issue 16 names
    .venv/bin/python bench/growth.py --readme        # the README's table
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"
# The pages issue 16 reports on: the start pages, work pages and the heaviest lists.
KEY = re.compile(r"^(start page|arrears|collection by steward|month run.*|ticket handling|"
                 r"(ticket|ticket_event|bill|payment|owner|unit|audit_entry) "
                 r"(list|page 1000|search)|bill sort amount|ticket sort contact_name)$")


def read(path: Path) -> dict[tuple[str, str], tuple[float, int]]:
    rows = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 6 and re.fullmatch(r"[\d.]+", cells[2]):
            page = re.sub(r" \(\d+ stewards, service\)", " (service)", cells[0])
            rows[(page, cells[1])] = (float(cells[2]), int(cells[3]))
    return rows


README_PAGES = ("ticket list", "ticket page 1000", "ticket search", "ticket sort contact_name",
                "ticket_event list", "bill list", "bill page 1000", "bill search",
                "bill sort amount", "payment list", "owner search", "audit_entry list",
                "start page", "arrears", "collection by steward", "ticket handling",
                "month run (team, POST)", "month run, whole company (service)")


def compact(scales: list[str], measured: list[dict]) -> str:
    """The README's table: a page per line, a role per column, "ms at each scale (statements)"."""
    roles = ("admin", "supervisor", "steward")
    lines = [f"| page ({' → '.join(scales)}) | " + " | ".join(roles) + " |",
             "|---|" + "---|" * len(roles)]
    for page in README_PAGES:
        cells = []
        whole = page.startswith("month run, whole")  # every team, in the supervisor column
        for role in (("", "supervisors", "") if whole else roles):
            found = [rows.get((page, role)) for rows in measured]
            if any(found):
                cells.append(" → ".join(f"{f[0]:.0f}" if f else "–" for f in found)
                             + f" ({max(f[1] for f in found if f)})")
            else:
                cells.append("")
        lines.append(f"| {page} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--key", action="store_true", help="only the pages issue 16 names")
    parser.add_argument("--readme", action="store_true", help="the README's compact table")
    args = parser.parse_args()
    files = sorted(RESULTS.glob("pages-*.md"), key=lambda p: float(p.stem.split("-", 1)[1]))
    scales = [p.stem.split("-", 1)[1] for p in files]
    measured = [read(p) for p in files]
    if args.readme:
        print(compact(scales, measured))
        return
    keys = list(dict.fromkeys(k for rows in measured for k in rows))
    if args.key:
        keys = [k for k in keys if KEY.match(k[0])]
    lines = ["| page | role | " + " | ".join(f"ms @ {s}" for s in scales)
             + " | statements |", "|---|---|" + "---:|" * (len(scales) + 1)]
    for key in keys:
        cells = [f"{rows[key][0]:.0f}" if key in rows else "" for rows in measured]
        statements = "/".join(str(rows[key][1]) for rows in measured if key in rows)
        lines.append(f"| {key[0]} | {key[1]} | " + " | ".join(cells) + f" | {statements} |")
    text = "\n".join(lines) + "\n"
    print(text)
    if not args.key:
        (RESULTS / "growth.md").write_text(f"# Growth: median ms by scale\n\n{text}",
                                           encoding="utf-8")


if __name__ == "__main__":
    main()

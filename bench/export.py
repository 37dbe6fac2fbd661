"""The bills list's whole-table csv export at a benchmark scale (issue 16): time to the first
byte, rows, seconds in all and the process's peak memory, streamed through the Flask test
client as the admin.

    .venv/bin/python bench/export.py --scale 1
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.scale import PASSWORD, app_for, default_url  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", type=float, default=0.01)
    parser.add_argument("--db", help="SQLAlchemy URL (default: bench/scale.py's database)")
    parser.add_argument("--list", default="bill", help="the list's URL name (default bill)")
    args = parser.parse_args()
    app = app_for(args.db or default_url(args.scale), TESTING=True, WTF_CSRF_ENABLED=False)
    client = app.test_client()
    client.post("/login", data={"username": "admin", "password": PASSWORD})
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started = time.perf_counter()
    response = client.get(f"/admin/{args.list}/export/csv/", buffered=False)
    first = None
    rows = 0
    for chunk in response.response:
        if first is None:
            first = time.perf_counter() - started
        rows += chunk.count(b"\n") if isinstance(chunk, bytes) else chunk.count("\n")
    total = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{args.list} csv at scale {args.scale:g}: status {response.status_code}, "
          f"{rows - 1:,} rows, first byte {first or 0:.2f} s, {total:.0f} s in all, "
          f"peak memory {peak:.0f} MB (before the export {before:.0f} MB)")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Generate synthetic but valid state-doses sources at a scale factor N.

What it makes: the three source files the service loads, in the lake's exact format, N times the
complete series in ../shared/data (or --data-dir):

- cdc-moderna-covid-19-vaccine-distribution-by-state.csv and
  cdc-pfizer-covid-19-vaccine-distribution-by-state.csv: the header
  "jurisdiction","week_of_allocations","_1st_dose_allocations","_2nd_dose_allocations", every field
  quoted, dates as 2021-06-21T00:00:00.000, LF line ends. Copy 0 is the real file byte for byte.
  Copy k (k = 1 .. N-1) is its rows from the weeks both files have (from Moderna's first,
  2020-12-21: Pfizer's first week, a week earlier, is copy 0's alone), every week shifted forward
  by k x the number of those weeks (27), values unchanged. So the two files cover the same weeks
  beyond copy 0, as the CDC's two national series do (the service fails a refresh whose national
  files do not), copies never collide and leave no gap, every week is still a Monday, and
  (jurisdiction, week) stays unique.
- County_Population.csv: copied as is (population does not scale with weeks).

Rows are streamed to disk: only the real input file (under 2,000 rows) is held in memory.
At N = 300 each allocation file has about half a million rows (Moderna 510,300, Pfizer 510,363).

Run:   python3 bench/generate_sources.py N OUTDIR [--data-dir ../shared/data]
       e.g. python3 bench/generate_sources.py 300 /tmp/sources-300
Prints one line per file: rows (without the header) and bytes.
Standard library only.
"""

import argparse
import csv
import datetime
import os
import shutil
import sys

ALLOCATION_FILES = (
    "cdc-moderna-covid-19-vaccine-distribution-by-state.csv",
    "cdc-pfizer-covid-19-vaccine-distribution-by-state.csv",
)
POPULATION_FILE = "County_Population.csv"
HEADER = ["jurisdiction", "week_of_allocations", "_1st_dose_allocations", "_2nd_dose_allocations"]
DATE_SUFFIX = "T00:00:00.000"


def read_allocations(path):
    """The real file's rows as (jurisdiction, week date, first, second) and its distinct weeks."""
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        header = next(reader)
        if header != HEADER:
            sys.exit(f"{path}: unexpected header {header}")
        rows = []
        for line, row in enumerate(reader, start=2):
            if len(row) != 4 or not row[1].endswith(DATE_SUFFIX):
                sys.exit(f"{path}, line {line}: unexpected row {row}")
            week = datetime.date.fromisoformat(row[1][:10])
            rows.append((row[0], week, row[2], row[3]))
    weeks = sorted({r[1] for r in rows})
    if not weeks:
        sys.exit(f"{path}: no rows")
    span = (weeks[-1] - weeks[0]).days // 7 + 1
    if span != len(weeks):
        # Not a contiguous series: shifting by the count alone could make copies collide.
        sys.exit(f"{path}: {len(weeks)} weeks over a span of {span}; expected a contiguous weekly series")
    return rows, len(weeks)


def write_allocations(rows, common, target, copies):
    """Writes the copies (see above) of one file's rows; `common` is the weeks both files have."""
    count = 0
    with open(target, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, quoting=csv.QUOTE_ALL, lineterminator="\n")
        writer.writerow(HEADER)
        for k in range(copies):
            shift = datetime.timedelta(weeks=k * len(common))
            text = {}  # week -> shifted text, per copy (27 or 28 entries)
            for jurisdiction, week, first, second in rows:
                if k > 0 and week not in common:
                    continue
                day = text.get(week)
                if day is None:
                    day = text[week] = (week + shift).isoformat() + DATE_SUFFIX
                writer.writerow((jurisdiction, day, first, second))
                count += 1
    return count

def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("scale", type=int, help="scale factor N (1, 10, 100, 300, ...)")
    parser.add_argument("outdir", help="directory to write the three files to (created if missing)")
    parser.add_argument("--data-dir", default=os.environ.get("SHARED_DATA_DIR", os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "data")),
                        help="folder with the real files (default: ../shared/data or $SHARED_DATA_DIR)")
    args = parser.parse_args()
    if not 1 <= args.scale <= 10000:
        sys.exit("scale must be between 1 and 10000")
    os.makedirs(args.outdir, exist_ok=True)

    files = {name: read_allocations(os.path.join(args.data_dir, name)) for name in ALLOCATION_FILES}
    common = set.intersection(*({r[1] for r in rows} for rows, _ in files.values()))
    first, last = min(common), max(common)
    if (last - first).days // 7 + 1 != len(common):
        sys.exit("the two files' common weeks are not one contiguous series")
    print(f"{'file':<58} {'weeks':>7} {'rows':>9} {'bytes':>11}")
    for name, (rows, weeks) in files.items():
        target = os.path.join(args.outdir, name)
        count = write_allocations(rows, common, target, args.scale)
        print(f"{name:<58} {weeks + len(common) * (args.scale - 1):>7} {count:>9} {os.path.getsize(target):>11}")

    target = os.path.join(args.outdir, POPULATION_FILE)
    shutil.copyfile(os.path.join(args.data_dir, POPULATION_FILE), target)
    with open(target, "rb") as f:
        rows = sum(1 for _ in f) - 1
    print(f"{POPULATION_FILE:<58} {'-':>7} {rows:>9} {os.path.getsize(target):>11}")


if __name__ == "__main__":
    main()

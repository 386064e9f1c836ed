"""Python Aspara 0.1.0's own metrics loader (the dashboard's RunCatalog.load_metrics, polars under
the hood) on a file the Rust reader benchmark wrote: prints the best MB/s of a few passes.

Usage: python3 python_reader_baseline.py DATA_DIR PROJECT RUN
"""

import os
import sys
import time

from aspara.catalog.run_catalog import RunCatalog


def main() -> None:
    data_dir, project, run = sys.argv[1:4]
    size = os.path.getsize(os.path.join(data_dir, project, f"{run}.jsonl"))
    catalog = RunCatalog(data_dir)
    best = float("inf")
    rows = 0
    for _ in range(3):
        t = time.perf_counter()
        df = catalog.load_metrics(project, run)
        best = min(best, time.perf_counter() - t)
        rows = len(df)
    print(f"{size / 1e6 / best:.1f} {rows}")


if __name__ == "__main__":
    main()

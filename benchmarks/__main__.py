"""`python -m benchmarks`: run every benchmark and print the README's table."""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

HEADER = ["| benchmark | figure | baseline | ratio | target | |", "|---|---|---|---|---|---|"]


def main() -> None:
    print("\n".join(HEADER), flush=True)
    for module in sorted(info.name for info in pkgutil.iter_modules([str(Path(__file__).parent)])):
        if module.startswith("bench_"):
            for row in importlib.import_module(f"benchmarks.{module}").main():
                print(row, flush=True)


if __name__ == "__main__":
    main()

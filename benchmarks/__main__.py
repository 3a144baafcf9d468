"""`python -m benchmarks [--smoke] [name ...]`: run every benchmark (or those named) and print the README's table.

``--smoke`` runs each at tiny sizes, only to show it still runs (CI does, so no benchmark can rot); its figures mean
nothing.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
from pathlib import Path

HEADER = ["| benchmark | figure | baseline | ratio | target | |", "|---|---|---|---|---|---|"]


def benchmark_names() -> list[str]:
    """The modules ``benchmarks/bench_*.py``, by name without the prefix."""
    return sorted(info.name.removeprefix("bench_") for info in pkgutil.iter_modules([str(Path(__file__).parent)])
                  if info.name.startswith("bench_"))


def run(name: str, *, smoke: bool = False) -> list[str]:
    """The table rows of one benchmark."""
    return importlib.import_module(f"benchmarks.bench_{name}").main(smoke=smoke)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="tiny sizes: check every benchmark still runs")
    parser.add_argument("names", nargs="*", choices=[[], *benchmark_names()], metavar="name",
                        help=f"benchmarks to run (default: all of {', '.join(benchmark_names())})")
    arguments = parser.parse_args()
    print("\n".join(HEADER), flush=True)
    for name in arguments.names or benchmark_names():
        for row in run(name, smoke=arguments.smoke):
            print(row, flush=True)


if __name__ == "__main__":
    main()

"""Cyclomatic complexity of every function (radon), against the project's ceiling.

Usage: ``python scripts/complexity.py [--limit 20] [--top 15]``

Prints the most complex blocks and exits 1 when a block outside the compiled kernels exceeds
the limit. The compiled kernels (numba) are written loop by loop to match the reference
implementations bit for bit, so their branches are the model's, not the code's; they are
listed but not held to the limit.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from radon.complexity import cc_rank, cc_visit

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "src" / "ceasefire"
# Modules whose functions are compiled kernels (see the module docstrings).
COMPILED = {"bargaining/smp_compiled.py"}


def blocks(source: Path) -> list[tuple[int, str, str]]:
    """Every function and method under ``source`` as (complexity, module, name:line)."""
    found = []
    for path in sorted(source.rglob("*.py")):
        module = path.relative_to(source).as_posix()
        for block in cc_visit(path.read_text("utf-8")):
            if block.letter == "C":  # a class: its methods are listed on their own
                continue
            found.append((block.complexity, module, f"{block.fullname}:{block.lineno}"))
    return sorted(found, reverse=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=20)
    parser.add_argument("--top", type=int, default=15)
    args = parser.parse_args()
    found = blocks(SOURCE)
    over = [b for b in found if b[0] > args.limit and b[1] not in COMPILED]
    print(f"{len(found)} blocks; mean complexity {sum(b[0] for b in found) / len(found):.2f}")
    for cc, module, name in found[: args.top]:
        mark = " (compiled kernel)" if module in COMPILED else ""
        print(f"  {cc:3d} {cc_rank(cc)}  {module}  {name}{mark}")
    if over:
        print(f"{len(over)} block(s) over complexity {args.limit} outside the compiled kernels:")
        for cc, module, name in over:
            print(f"  {cc:3d}  {module}  {name}")
        return 1
    print(f"no block over complexity {args.limit} outside the compiled kernels")
    return 0


if __name__ == "__main__":
    sys.exit(main())

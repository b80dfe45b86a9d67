"""Fit the combined forecast's weights on a DEU III table and write them beside this script.

Run from the repository root: ``uv run python scripts/fit_stacking.py DEU3.csv [--capability
gdp] [--date 2026-11-30]``. DEU III (``deu3.csv`` of ``blksv/predictioneers_game``) has an
unverified licence and is never committed: give its path. The script runs the whole backtest
(``ceasefire.backtest.runner.backtest``: every engine and baseline, the stacking fitted by least
absolute error, scored by 10-fold cross-validation with folds by legislative proposal) and
writes ``scripts/stacking_weights.json``: the weights fitted on every scored issue, their range
over the folds, the cross-validated MAE with its bootstrap interval against the
salience-weighted mean, and the input's sha256, so that the numbers can be traced and re-made.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from ceasefire.backtest import runner  # noqa: E402
from ceasefire.backtest.deu import parse  # noqa: E402

OUT = Path(__file__).with_name("stacking_weights.json")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("file", type=Path)
    ap.add_argument("--capability", default="gdp", choices=("gdp", "equal", "votes"))
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--date", default=dt.date.today().isoformat())
    args = ap.parse_args()
    raw = args.file.read_bytes()
    data = parse(raw.decode("utf-8-sig"), args.file.name)
    res = runner.backtest(
        data, source=args.file.name, sha256=hashlib.sha256(raw).hexdigest(),
        capability=args.capability, seed=args.seed,
    )  # fmt: skip
    if res.stacking is None:
        sys.exit("no stacking: fewer than two legislative proposals")
    mae = {r.label: r.overall.mae for r in res.records}
    combined = next(r for r in res.records if r.label == runner.COMBINED)
    out = {
        "fitted": args.date,
        "input": {"file": args.file.name, "sha256": res.sha256, "scored": res.scored},
        "capability": args.capability,
        "seed": args.seed,
        "method": "weights >= 0 summing to 1, least absolute error (LP, HiGHS); "
        "10-fold cross-validation, folds by legislative proposal",
        "weights": res.stacking.weights,
        "fold_range": res.stacking.fold_range,
        "mae": mae,
        "combined_cv": {
            "mae": combined.overall.mae,
            "difference_vs_weighted_mean": None
            if combined.difference is None
            else combined.difference.model_dump(),
        },
    }
    OUT.write_text(json.dumps(out, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {OUT.relative_to(ROOT)}: combined CV MAE {combined.overall.mae:.2f}")


if __name__ == "__main__":
    main()

"""Regenerate ``src/ceasefire/track_record.json``: each model stage's measured record.

Run from the repository root::

    uv run python scripts/track_record.py                 # re-measure the historical cases
    uv run python scripts/track_record.py --deu deu3.csv  # ... and DEU III from your copy

The cases part is ``ceasefire backtest cases`` on every built-in case with ``[[observed]]``
rows. The DEU part is ``ceasefire backtest deu`` on the DEU III file you give (the derived
``deu3.csv`` layout or the deposit's; its licence is unverified, so it is never shipped): the
per-engine figures are recorded with the file's sha256 and the date of measurement. Without
``--deu`` the DEU figures already in the record are kept. The pure part is
``ceasefire.backtest.record.build``; ``tests/unit/test_track_record.py`` checks that the
shipped file is exactly what it produces from the recorded inputs.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import sys
from pathlib import Path

from ceasefire import __version__
from ceasefire.backtest import record
from ceasefire.backtest.cases import run_cases
from ceasefire.backtest.deu import DeuFormatError, parse
from ceasefire.backtest.models import DeuBacktest
from ceasefire.backtest.runner import backtest
from ceasefire.results import TrackRecord
from ceasefire.scenario import builtin_ids, load

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "src" / "ceasefire" / record.RECORD_FILE


def measure_deu(path: Path, seed: int) -> DeuBacktest:
    """``backtest deu`` on ``path`` with the CLI's defaults (GDP capabilities when present)."""
    text = path.read_text(encoding="utf-8-sig")
    data = parse(text, str(path))
    return backtest(
        data,
        source=path.name,
        sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        capability="gdp" if data.gdp is not None else "equal",
        seed=seed,
        package_version=__version__,
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--deu", type=Path, help="your copy of DEU III (never copied into the repo)")
    ap.add_argument("--seed", type=int, default=0, help="seed of the DEU bootstrap and engines")
    ap.add_argument("--date", default=dt.datetime.now(dt.UTC).date().isoformat(),
                    help="date of measurement (default: today, UTC)")  # fmt: skip
    ap.add_argument("--out", type=Path, default=OUT, help="where to write the record")
    args = ap.parse_args(argv)
    previous = TrackRecord.model_validate_json(OUT.read_text()) if OUT.exists() else None
    try:
        deu = measure_deu(args.deu, args.seed) if args.deu else None
    except (OSError, DeuFormatError) as err:
        located = err.located(str(args.deu)) if isinstance(err, DeuFormatError) else str(err)
        print(located, file=sys.stderr)
        return 2
    ids = [sid for sid in builtin_ids() if load(sid).observed]
    cases = run_cases([load(sid) for sid in ids], package_version=__version__)
    result = record.build(cases, args.date, deu, args.date, previous)
    args.out.write_text(record.dumps(result), encoding="utf-8")
    print(f"wrote {args.out}: cases {', '.join(ids)}; DEU " + (
        f"measured on {args.deu.name}" if deu else "kept from the previous record"))  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())

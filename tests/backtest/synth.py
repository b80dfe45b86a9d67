"""Small DEU III tables written by the tests themselves (the real file is not shipped).

``table`` writes the derived layout of ``blksv/predictioneers_game``'s ``deu3.csv`` (tab,
quoted headers, a GDP row as row 2) or the deposit layout (semicolon, no GDP row, ``999`` for
a missing value); the columns are those of the real file, in its order, with a reduced actor
list by default.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

ID_COLUMNS = (
    "prnrnmc", "isnrnmc", "prnr", "prname", "isnr", "type", "council", "proc", "counvte",
    "proccde", "issues", "intro", "finact",
)  # fmt: skip
ACTORS = ("com", "ep", "de", "fr", "pl")
GDP = (4.1, 4.1, 4.1, 2.8, 0.55)

Issue = tuple[str, str, Sequence[float | None], Sequence[float | None], float | None, float | None]


def _cell(v: float | None, missing: str) -> str:
    return missing if v is None else f"{v:g}"


def table(
    issues: Sequence[Issue],
    *,
    layout: str = "derived",
    actors: Sequence[str] = ACTORS,
    gdp: Sequence[float | None] = GDP,
) -> str:
    """The text of a table; each issue is ``(isnr, counvte, positions, saliences, rp, out)``."""
    derived = layout == "derived"
    sep = "\t" if derived else ";"
    missing = "" if derived else "999"
    names = [*ID_COLUMNS, *(f"p{a}" for a in actors), *(f"s{a}" for a in actors), "rp", "out"]
    lines = [sep.join(f'"{n}"' if derived else n for n in names)]
    if derived:
        blank = [""] * len(ID_COLUMNS)
        lines.append(sep.join([*blank, *(f'"{g:g}"' for g in gdp), *[""] * (len(actors) + 2)]))
    for k, (isnr, rule, pos, sal, rp, out) in enumerate(issues):
        # three issues per legislative proposal (as in DEU III, where proposals hold 1-10)
        prnr = f"d{k // 3:04d}"
        ids = [str(k + 1), str(k + 1), prnr, "test", isnr, "Reg", "Gen", "COD", rule, "3",
               "1", "01-01-00", "999"]  # fmt: skip
        if derived:
            ids = [f'"{c}"' if j in (2, 3, 4, 5, 6, 7, 8, 11) else c for j, c in enumerate(ids)]
        cells = [_cell(v, missing) for v in (*pos, *sal, rp, out)]
        lines.append(sep.join([*ids, *cells]))
    return "\n".join(lines) + "\n"


def random_issues(n: int, seed: int = 0, actors: int = 30) -> list[Issue]:
    """``n`` issues shaped like DEU III: positions on a coarse 0-100 grid (a third of the
    issues with every actor at 0 or 100), saliences 10-100, some actors absent, a reference
    point on 70% of them, QMV or unanimity."""
    rng = np.random.default_rng(seed)
    out: list[Issue] = []
    for k in range(n):
        grid = (0.0, 100.0) if k % 3 == 0 else (0.0, 20.0, 50.0, 70.0, 100.0)
        present = rng.random(actors) < 0.8
        present[:3] = True
        pos = [float(rng.choice(grid)) if present[a] else None for a in range(actors)]
        sal = [float(rng.integers(1, 11) * 10) if present[a] else None for a in range(actors)]
        rp = float(rng.choice((0.0, 100.0, 50.0))) if rng.random() < 0.7 else None
        out.append((f"i{k}", "QMV" if rng.random() < 0.8 else "Unan", pos, sal, rp,
                    float(rng.choice(grid))))  # fmt: skip
    return out


#: the actor codes of the real file, in its order (the Commission, the Parliament, 28 states)
ALL_ACTORS = (
    "com", "ep", "at", "be", "bu", "cr", "cy", "cz", "dk", "ee", "fi", "fr", "de", "el", "hu",
    "ie", "it", "lv", "lt", "lu", "mt", "nl", "pl", "pt", "ro", "si", "sk", "es", "se", "uk",
)  # fmt: skip


def random_table(n: int, seed: int = 0, layout: str = "derived") -> str:
    """A table of ``n`` :func:`random_issues` over the 30 actors of the real file, with a
    synthetic GDP row (0.5, 0.6, ...; not real figures)."""
    gdp = tuple(0.5 + 0.1 * k for k in range(len(ALL_ACTORS)))
    return table(random_issues(n, seed), layout=layout, actors=ALL_ACTORS, gdp=gdp)

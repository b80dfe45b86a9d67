"""The command line's consoles and its one way to fail (shared by ``cli`` and ``backtest.cli``).

Bad input ends with a located message per problem on stderr and exit status
:data:`EXIT_BAD_INPUT`, never a traceback.
"""

from __future__ import annotations

from typing import NoReturn

import typer
from rich.console import Console

#: the exit status of every command on bad input (a file, an option, a scenario)
EXIT_BAD_INPUT = 2

out_console = Console(highlight=False, soft_wrap=False)
err_console = Console(stderr=True, highlight=False, soft_wrap=True)


def fail(lines: list[str]) -> NoReturn:
    """Print each line on stderr (no markup) and exit with :data:`EXIT_BAD_INPUT`."""
    for line in lines:
        err_console.print(line, markup=False)
    raise typer.Exit(EXIT_BAD_INPUT)

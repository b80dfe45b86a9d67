"""``python -m ceasefire``: the command line."""

from ceasefire.cli import main

main()

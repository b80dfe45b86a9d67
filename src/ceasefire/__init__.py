"""ceasefire: judge proposals to end a war."""

__version__ = "0.1.0"

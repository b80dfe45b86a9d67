"""Rendering of an Analysis: terminal summary, self-contained HTML report, charts."""

"""Backtests: how accurate are the models on real decisions with known outcomes.

* :mod:`ceasefire.backtest.deu` reads the DEU III data (EU legislative decisions; Arregui &
  Perarnaud 2021, doi:10.34810/data53) from text: pure parsing, no I/O.
* :mod:`ceasefire.backtest.stats` holds the accuracy statistics (pure functions).
* :mod:`ceasefire.backtest.runner` runs every registered engine on every issue through the
  batch API and scores it against the baselines; results are the pydantic models of
  :mod:`ceasefire.backtest.models`.
* :mod:`ceasefire.backtest.render` prints them (rich) and writes the HTML report.
* :mod:`ceasefire.backtest.cases` scores the historical cases' ``[[observed]]`` rows
  (docs/specs/observed.md); :mod:`ceasefire.backtest.render_cases` shows the scorecard.
* :mod:`ceasefire.backtest.record` builds the track record (each stage's measured accuracy,
  ``ceasefire/track_record.json``) from both backtests and reads the shipped one.
* :mod:`ceasefire.backtest.cli` is the ``ceasefire backtest`` sub-command group.
"""

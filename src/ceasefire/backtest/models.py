"""Typed results of a DEU backtest (pydantic; ``DeuBacktest.model_dump_json`` is results.json)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

SCHEMA_VERSION = "1.0"


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ErrorStats(_Model):
    """Errors of one forecaster on a set of issues, beside the salience-weighted mean's."""

    n: int
    mae: float | None
    median_ae: float | None
    #: the salience-weighted mean's MAE on the same issues
    baseline_mae: float | None


class Interval(_Model):
    """A bootstrap interval of ``MAE_model - MAE_baseline`` (negative = model better)."""

    estimate: float
    low: float
    high: float
    confidence: float
    draws: int


class Refusal(_Model):
    """An issue a forecaster gave no forecast for, and why."""

    issue: str
    line: int
    reason: str


class Record(_Model):
    """One forecaster (an engine variant or a baseline) over all issues."""

    label: str
    kind: str  # "engine" or "baseline"
    engine: str | None = None
    params: dict[str, object] = {}
    overall: ErrorStats
    beats_share: float | None = None
    ties_share: float | None = None
    difference: Interval | None = None
    by_voting_rule: dict[str, ErrorStats]
    by_reference_point: dict[str, ErrorStats]
    refusals: list[Refusal] = []
    #: issues whose forecast equals a baseline's (|difference| <= 1e-9), by baseline
    identical_to: dict[str, int] = {}
    #: the engine's own per-issue classification (e.g. nash's ``case``), counted
    cases: dict[str, int] = {}


class IssueRow(_Model):
    """One scored issue: inputs that classify it, the outcome and every forecast."""

    id: str
    line: int
    voting_rule: str
    reference_point: float | None
    outcome: float
    actors: int
    forecasts: dict[str, float | None]


class Skipped(_Model):
    """An issue not scored, and why (no outcome; no actor with a position and salience)."""

    issue: str
    line: int
    reason: str


class DeuBacktest(_Model):
    """Everything ``ceasefire backtest deu`` measured (results.json)."""

    schema_version: str = SCHEMA_VERSION
    package_version: str
    source: str
    sha256: str
    layout: str
    capability: str
    seed: int
    issues_in_file: int
    scored: int
    skipped: list[Skipped]
    baseline: str
    records: list[Record]
    issues: list[IssueRow]
    notes: list[str]
    #: the combined forecast's weights (issue 16); None when it could not be fitted
    stacking: Stacking | None = None


class Stacking(_Model):
    """The combined forecast: non-negative weights summing to 1 over the forecasters, fitted
    by least absolute error; its record is scored out of sample (cross-validated by proposal)."""

    folds: int
    proposals: int
    seed: int
    #: forecaster label -> weight fitted on every scored issue
    weights: dict[str, float]
    #: forecaster label -> [lowest, highest] weight over the folds' fits
    fold_range: dict[str, list[float]]


DeuBacktest.model_rebuild()

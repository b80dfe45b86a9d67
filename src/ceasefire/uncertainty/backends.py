"""Sweeps in chunks on ``serial``, ``processes`` or ``dask``, streamed to disk, resumable.

This is the I/O edge of the uncertainty stage. A sweep of N draws is split into chunks of K;
chunk ``c`` gets the child seed ``SeedSequence(seed).spawn(n_chunks)[c]``, spawned here in the
parent, and its draws and outputs depend on nothing else — so serial, processes and Dask give
the same numbers bit for bit, whatever the number of workers.

With ``out`` (a folder) the sweep writes

* ``manifest.json`` — seed, method, draws, chunk size, engines, rounds, win-sets, the
  scenario's id and sha256, the package version, the backend, and the ranged inputs' keys;
* ``chunks/chunk-NNNNNN.npz`` — one compressed NumPy archive per chunk: the input values
  ``(K, d)`` and every output array of :func:`~ceasefire.uncertainty.pipeline.evaluate`
  (NumPy rather than JSON lines: a million draws of 200 inputs are ~1.6 GB as float64 text);
  each is written to a temporary name and renamed, so a file that exists is complete;
* ``progress.jsonl`` — one JSON line per finished chunk (index, start, count, sha256 of the
  file, seconds), appended after the chunk's file is in place.

Rerunning into the same folder resumes: chunks listed in ``progress.jsonl`` whose file has the
recorded sha256 are kept, the rest are run. A manifest that disagrees on seed, method, draws,
chunk, engines, rounds, win-sets or the scenario's sha256 is refused (:class:`SweepError`).
Aggregation reads the chunks back one output column at a time.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ceasefire import __version__
from ceasefire.outputs import atomic_write
from ceasefire.scenario import Scenario
from ceasefire.sweep_results import SweepSettings, SweepSummary
from ceasefire.uncertainty.pipeline import DEFAULT_ENGINES, Model, SweepSpec, evaluate
from ceasefire.uncertainty.ranges import chunk_plan, chunk_seeds, sample_chunk

BACKENDS: tuple[str, ...] = ("serial", "processes", "dask")
Arrays = dict[str, NDArray[Any]]


class SweepError(Exception):
    """A sweep that cannot run: bad options, a mismatched manifest, an unreachable cluster."""


def run_chunk(
    model: Model,
    spec: SweepSpec,
    start: int,
    count: int,
    child: np.random.SeedSequence,
) -> Arrays:
    """Draw and evaluate one chunk (pure; module-level so that workers can unpickle it)."""
    values = sample_chunk(model.inputs, spec.method, start, count, child, spec.seed)
    # the engines' seed is a grandchild, so it never coincides with the sampling stream
    out = evaluate(model, values, seed=child.spawn(1)[0], winsets=spec.winsets)
    return {"values": values, **{k: np.asarray(v) for k, v in out.items()}}


# ---------------------------------------------------------------------------------------------
# Stores: where finished chunks go


class MemoryStore:
    """Chunks kept in memory (``run --draws`` and tests)."""

    def __init__(self) -> None:
        self.chunks: dict[int, Arrays] = {}

    def done(self) -> set[int]:
        return set(self.chunks)

    def put(self, index: int, start: int, arrays: Arrays, seconds: float) -> None:
        self.chunks[index] = arrays

    def column(self, key: str) -> Iterator[NDArray[Any]]:
        for i in sorted(self.chunks):
            if key in self.chunks[i]:
                yield self.chunks[i][key]


class DirStore:
    """Chunks streamed to ``folder`` (module docstring)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.chunk_dir = folder / "chunks"
        self.progress = folder / "progress.jsonl"

    def path(self, index: int) -> Path:
        return self.chunk_dir / f"chunk-{index:06d}.npz"

    def done(self) -> set[int]:
        if not self.progress.exists():
            return set()
        out = set()
        for line in self.progress.read_text("utf-8").splitlines():
            try:
                rec = json.loads(line)
                p = self.path(int(rec["chunk"]))
                if p.exists() and hashlib.sha256(p.read_bytes()).hexdigest() == rec["sha256"]:
                    out.add(int(rec["chunk"]))
            except (ValueError, KeyError, TypeError):
                continue  # a line cut short by an interruption
        return out

    def put(self, index: int, start: int, arrays: Arrays, seconds: float) -> None:
        self.chunk_dir.mkdir(parents=True, exist_ok=True)
        buf = io.BytesIO()
        np.savez_compressed(buf, **arrays)  # type: ignore[arg-type]
        data = buf.getvalue()
        atomic_write(self.path(index), data)
        rec = {
            "chunk": index,
            "start": start,
            "count": int(arrays["values"].shape[0]),
            "sha256": hashlib.sha256(data).hexdigest(),
            "seconds": round(seconds, 4),
        }
        with self.progress.open("a", encoding="utf-8") as f:
            f.write(json.dumps(rec) + "\n")
            f.flush()
            os.fsync(f.fileno())

    def indices(self) -> list[int]:
        return sorted(int(p.stem.split("-")[1]) for p in self.chunk_dir.glob("chunk-*.npz"))

    def column(self, key: str) -> Iterator[NDArray[Any]]:
        for i in self.indices():
            with np.load(self.path(i)) as z:
                if key in z.files:
                    yield z[key]


def manifest(model: Model, spec: SweepSpec, sha256: str, backend: str) -> dict[str, Any]:
    """The manifest of a sweep (identity fields first); engines and rounds are the model's."""
    return {
        **asdict(spec),
        "engines": list(model.engine_names),
        "rounds": model.rounds,
        "scenario_id": model.scenario_id,
        "scenario_sha256": sha256,
        "package_version": __version__,
        "backend": backend,
        "inputs": [x.key for x in model.inputs],
    }


IDENTITY = ("draws", "seed", "method", "chunk", "engines", "rounds", "winsets", "scenario_sha256")


def prepare_folder(folder: Path, man: dict[str, Any]) -> bool:
    """Create ``folder`` with its manifest, or check an existing one; True when resuming."""
    path = folder / "manifest.json"
    if path.exists():
        try:
            old = json.loads(path.read_text("utf-8"))
        except (OSError, ValueError) as err:
            raise SweepError(f"{path}: unreadable manifest ({err})") from None
        diffs = [
            f"{k}: {old.get(k)!r} here, {man[k]!r} asked" for k in IDENTITY if old.get(k) != man[k]
        ]
        if diffs:
            raise SweepError(
                f"{folder}: holds a different sweep; will not resume it ("
                + "; ".join(diffs)
                + "). Choose another --out or remove the folder."
            )
        return True
    if folder.exists() and any(folder.iterdir()):
        raise SweepError(f"{folder}: exists and is not a sweep folder (no manifest.json)")
    folder.mkdir(parents=True, exist_ok=True)
    atomic_write(path, json.dumps(man, indent=2) + "\n")
    return False


# ---------------------------------------------------------------------------------------------
# Backends


Progress = Callable[[int], None]


def _serial(
    model: Model,
    spec: SweepSpec,
    todo: list[tuple[int, int, int, Any]],
    store: Any,
    progress: Progress | None,
) -> None:
    for index, start, count, child in todo:
        t0 = time.perf_counter()
        arrays = run_chunk(model, spec, start, count, child)
        store.put(index, start, arrays, time.perf_counter() - t0)
        if progress:
            progress(count)


def _exit_with_parent(parent: int) -> None:
    """Pool initializer: the worker exits once the sweep's process is gone.

    A parent killed with SIGKILL cannot shut its pool down, and the forked workers, which hold
    both ends of the pool's pipes, would wait on its queue for ever (issue 18, item 9: two
    orphans in two of four kills). A daemon thread watches the parent's pid.
    """
    import threading

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.25)
        os._exit(1)

    threading.Thread(target=watch, name="ceasefire-parent-watch", daemon=True).start()


def _processes(
    model: Model,
    spec: SweepSpec,
    todo: list[tuple[int, int, int, Any]],
    store: Any,
    progress: Progress | None,
    workers: int | None,
) -> None:
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

    n = workers or os.cpu_count() or 1
    with ProcessPoolExecutor(
        max_workers=n, initializer=_exit_with_parent, initargs=(os.getpid(),)
    ) as pool:
        pending: dict[Any, tuple[int, int, int, float]] = {}
        queue = list(todo)
        while queue or pending:
            # a bounded window of chunks in flight: results are written as they come
            while queue and len(pending) < 2 * n:
                index, start, count, child = queue.pop(0)
                fut = pool.submit(run_chunk, model, spec, start, count, child)
                pending[fut] = (index, start, count, time.perf_counter())
            finished, _ = wait(pending, return_when=FIRST_COMPLETED)
            for fut in finished:
                index, start, count, t0 = pending.pop(fut)
                store.put(index, start, fut.result(), time.perf_counter() - t0)
                if progress:
                    progress(count)


def _dask(
    model: Model,
    spec: SweepSpec,
    todo: list[tuple[int, int, int, Any]],
    store: Any,
    progress: Progress | None,
    workers: int | None,
    address: str | None,
    local_processes: bool,
) -> None:
    try:
        from dask.distributed import Client, LocalCluster, as_completed
    except ImportError:
        raise SweepError(
            "the dask backend needs dask[distributed] (pip install 'ceasefire[dist]')"
        ) from None
    cluster = None
    try:
        if address is None:
            import dask

            # Dask starts workers with MALLOC_TRIM_THRESHOLD_=65536, which makes glibc hand
            # the engines' per-round work arrays back to the OS and page-fault them in again:
            # measured, it halves bdm's throughput (benchmarks/bench_sweep.py). Keep its other
            # pre-spawn settings (one BLAS thread per worker).
            environ = dict(dask.config.get("distributed.nanny.pre-spawn-environ", {}))
            environ.pop("MALLOC_TRIM_THRESHOLD_", None)
            # loopback only; no dashboard (it would listen on another port)
            with dask.config.set({"distributed.nanny.pre-spawn-environ": environ}):
                cluster = LocalCluster(
                    n_workers=workers or 2,
                    threads_per_worker=1,
                    processes=local_processes,
                    # tcp on loopback also for in-process workers (their default is inproc://,
                    # which rejects a host)
                    protocol="tcp://",
                    host="127.0.0.1",
                    dashboard_address=None,
                )
            client = Client(cluster)
        else:
            try:
                client = Client(address, timeout=10)
            except (OSError, TimeoutError) as err:
                raise SweepError(f"--address {address}: cannot connect ({err})") from None
        with client:
            remote = client.scatter(model, broadcast=True)
            meta = {}
            futures = []
            for index, start, count, child in todo:
                fut = client.submit(run_chunk, remote, spec, start, count, child, pure=False)
                meta[fut.key] = (index, start, count, time.perf_counter())
                futures.append(fut)
            finished = as_completed(futures)
            del futures  # as_completed holds them; each is dropped once written
            for fut in finished:
                index, start, count, t0 = meta.pop(fut.key)
                store.put(index, start, fut.result(), time.perf_counter() - t0)
                fut.release()
                if progress:
                    progress(count)
    finally:
        if cluster is not None:
            cluster.close()


@dataclass
class SweepRun:
    """What a sweep did: the store to aggregate from, and how much was resumed."""

    store: Any
    resumed_chunks: int
    total_chunks: int


def run_sweep(
    model: Model,
    spec: SweepSpec,
    *,
    backend: str = "serial",
    out: Path | None = None,
    sha256: str = "",
    workers: int | None = None,
    address: str | None = None,
    local_processes: bool = True,
    progress: Progress | None = None,
) -> SweepRun:
    """Run (or resume) a sweep; chunks go to ``out`` or, without it, stay in memory."""
    if backend not in BACKENDS:
        raise SweepError(f"unknown backend {backend!r}; choose from {', '.join(BACKENDS)}")
    if address is not None and backend != "dask":
        raise SweepError("--address needs --backend dask")
    if (spec.engines, spec.rounds) != (model.engine_names, model.rounds):
        raise SweepError(
            f"the sweep asks for engines {spec.engines} and {spec.rounds} rounds, but the model "
            f"was compiled with {model.engine_names} and {model.rounds}: compile it from the "
            "same SweepSpec"
        )
    plan = chunk_plan(spec.draws, spec.chunk)
    seeds = chunk_seeds(spec.seed, len(plan))
    store: Any
    done: set[int] = set()
    if out is not None:
        prepare_folder(out, manifest(model, spec, sha256, backend))
        store = DirStore(out)
        done = store.done()
    else:
        store = MemoryStore()
    todo = [(i, s, c, seeds[i]) for i, (s, c) in enumerate(plan) if i not in done]
    if progress and done:
        progress(sum(plan[i][1] for i in done))
    if backend == "serial":
        _serial(model, spec, todo, store, progress)
    elif backend == "processes":
        _processes(model, spec, todo, store, progress, workers)
    else:
        _dask(model, spec, todo, store, progress, workers, address, local_processes)
    return SweepRun(store=store, resumed_chunks=len(done), total_chunks=len(plan))


def write_json(path: Path, data: Any) -> None:
    """Write JSON atomically (``outputs.atomic_write``: temporary file, then rename)."""
    atomic_write(path, json.dumps(data, indent=2, allow_nan=False) + "\n")


def summarise_run(
    model: Model,
    spec: SweepSpec,
    run: SweepRun,
    *,
    sensitivity: str = "rbd-fast",
    sobol_n: int | None = None,
    morris_r: int | None = None,
    backend: str | None = None,
    scenario_sha256: str | None = None,
) -> SweepSummary:
    """The sweep's summary: aggregates, sensitivity and switch points.

    ``sensitivity``: "rbd-fast" (given-data indices from the draws, no extra evaluation),
    "sobol" or "morris" (those too, plus that analysis on a design sized from the draws or
    from ``sobol_n`` / ``morris_r``), or "none".
    """
    from ceasefire.uncertainty import sensitivity as sens
    from ceasefire.uncertainty.summary import summarise

    settings = SweepSettings(
        method=spec.method,
        seed=spec.seed,
        chunk=spec.chunk,
        engines=list(spec.engines),
        rounds=spec.rounds,
        winsets=spec.winsets,
        backend=backend,
    )
    indices = None
    if sensitivity != "none":
        indices = sens.analyze(
            model,
            run.store.column,
            seed=spec.seed,
            method=sensitivity,
            draws=spec.draws,
            sobol_n=sobol_n,
            morris_r=morris_r,
        )
    return summarise(
        model,
        run.store.column,
        draws=spec.draws,
        spec=settings,
        scenario_sha256=scenario_sha256,
        switch_points=sens.switch_points(model),
        sensitivity=indices,
    )


def sweep_in_memory(
    scenario: Scenario,
    draws: int,
    seed: int,
    *,
    method: str = "lhs",
    engines: tuple[str, ...] = DEFAULT_ENGINES,
    sensitivity: str = "rbd-fast",
    sobol_n: int | None = None,
    morris_r: int | None = None,
    progress: Progress | None = None,
) -> SweepSummary:
    """A serial sweep kept in memory, summarised (what ``ceasefire run --draws N`` adds).

    ``progress``, when given, is called with the number of draws of each finished chunk.
    """
    from ceasefire.uncertainty.pipeline import compile_model

    spec = SweepSpec(draws=draws, seed=seed, method=method, engines=engines)
    model = compile_model(scenario, spec)
    run = run_sweep(model, spec, backend="serial", progress=progress)
    return summarise_run(
        model, spec, run, sensitivity=sensitivity, sobol_n=sobol_n, morris_r=morris_r
    )

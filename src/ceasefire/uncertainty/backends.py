"""Sweeps in chunks on ``serial``, ``processes`` or ``dask``, streamed to disk, resumable.

This is the I/O edge of the uncertainty stage. A sweep of N draws is split into chunks of K;
chunk ``c`` gets the child seed ``SeedSequence(seed).spawn(n_chunks)[c]``, spawned here in the
parent, and its draws and outputs depend on nothing else — so serial, processes and Dask give
the same numbers bit for bit, whatever the number of workers.

With ``out`` (a folder) the sweep writes

* ``manifest.json`` — seed, method, draws, chunk size, engines, rounds, win-sets, the
  scenario's id and sha256, the package version, the backend, and the ranged inputs' keys;
* ``chunks/chunk-NNNNNN.npz`` — one NumPy archive per chunk: the input values
  ``(K, d)`` and every output array of :func:`~ceasefire.uncertainty.pipeline.evaluate`
  (NumPy rather than JSON lines: a million draws of 200 inputs are ~1.6 GB as float64 text);
  each is written to a temporary name and renamed, so a file that exists is complete;
* ``progress.jsonl`` — one JSON line per finished chunk (index, start, count, sha256 of the
  file, seconds), appended after the chunk's file is in place.

* ``switch_points.json`` — the switch points (``sensitivity.switch_points``), computed by one
  more job on the same backend beside the draws;
* ``sensitivity-<method>/`` — with ``--sensitivity sobol|morris``, that design's chunks,
  progress and manifest, laid out as the draws' (:func:`run_design`).

Every backend runs a list of :class:`Job` s (a module-level function of the model and its
arguments, and what the parent does with the result), so draws, switch points and designs share
one scheduler per backend.

Rerunning into the same folder resumes: chunks listed in ``progress.jsonl`` whose file has the
recorded sha256 are kept, the rest are run; kept switch points are read back. A manifest that
disagrees on seed, method, draws, chunk, engines, rounds, win-sets or the scenario's sha256 is
refused (:class:`SweepError`).
Aggregation reads the chunks back one output column at a time.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import struct
import time
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ceasefire import __version__
from ceasefire._types import FloatArray
from ceasefire.outputs import atomic_write
from ceasefire.scenario import Scenario
from ceasefire.sweep_results import DecisionSwitches, SweepSettings, SweepSummary
from ceasefire.uncertainty.pipeline import DEFAULT_ENGINES, Model, SweepSpec, evaluate
from ceasefire.uncertainty.ranges import chunk_plan, chunk_seeds, sample_chunk

BACKENDS: tuple[str, ...] = ("serial", "processes", "dask")
#: the switch points' file in a sweep folder (they depend on the scenario only: kept on resume)
SWITCH_POINTS = "switch_points.json"
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
    out = evaluate(
        model, values, seed=child.spawn(1)[0], winsets=spec.winsets, rescues=spec.rescues
    )
    return {"values": values, **{k: np.asarray(v) for k, v in out.items()}}


# ---------------------------------------------------------------------------------------------
# Stores: where finished chunks go


class MemoryStore:
    """Chunks kept in memory (``run --draws`` and tests)."""

    def __init__(self) -> None:
        self.chunks: dict[int, Arrays] = {}
        self.extras: dict[str, Any] = {}

    def done(self) -> set[int]:
        return set(self.chunks)

    def put(self, index: int, start: int, arrays: Arrays, seconds: float) -> None:
        self.chunks[index] = arrays

    def column(self, key: str) -> Iterator[NDArray[Any]]:
        for i in sorted(self.chunks):
            if key in self.chunks[i]:
                yield self.chunks[i][key]

    def get_json(self, name: str) -> Any:
        return self.extras.get(name)

    def put_json(self, name: str, data: Any) -> None:
        self.extras[name] = data


class DirStore:
    """Chunks streamed to ``folder`` (module docstring)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.chunk_dir = folder / "chunks"
        self.progress = folder / "progress.jsonl"
        #: per chunk file: each array's offset in it (:func:`_stored_offsets`)
        self._offsets: dict[int, dict[str, int] | None] = {}

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
        # uncompressed: the outputs are mostly random doubles (measured: zlib saves 16 % of
        # the bytes and costs the parent 0.13 s per 500 draws of the built-in scenario)
        np.savez(buf, **arrays)  # type: ignore[arg-type]
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
            if i not in self._offsets:
                self._offsets[i] = _stored_offsets(self.path(i))
            offsets = self._offsets[i]
            if offsets is None:  # compressed (written by an earlier version)
                with np.load(self.path(i)) as z:
                    if key in z.files:
                        yield z[key]
            elif key in offsets:
                with self.path(i).open("rb") as f:
                    f.seek(offsets[key])
                    yield np.lib.format.read_array(f, allow_pickle=False)

    def get_json(self, name: str) -> Any:
        """A JSON file the sweep wrote beside its chunks, or None (absent or unreadable)."""
        try:
            return json.loads((self.folder / name).read_text("utf-8"))
        except (OSError, ValueError):
            return None

    def put_json(self, name: str, data: Any) -> None:
        atomic_write(self.folder / name, json.dumps(data, indent=2, allow_nan=False) + "\n")


def _stored_offsets(path: Path) -> dict[str, int] | None:
    """Where each array of an uncompressed ``.npz`` starts in the file, or None if a member
    is compressed. Summaries read one output column of every chunk at a time; ``np.load``
    parses the archive's directory on every read (measured: 3 s of a 10,000-draw summary of
    the built-in scenario), this once per chunk."""
    out: dict[str, int] = {}
    with zipfile.ZipFile(path) as z, path.open("rb") as f:
        for info in z.infolist():
            if info.compress_type != zipfile.ZIP_STORED or not info.filename.endswith(".npy"):
                return None
            # the local header: 30 bytes, then the name and an extra field of its own length
            f.seek(info.header_offset + 26)
            name_len, extra_len = struct.unpack("<HH", f.read(4))
            out[info.filename[:-4]] = info.header_offset + 30 + name_len + extra_len
    return out


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


IDENTITY = (
    "draws", "seed", "method", "chunk", "engines", "rounds", "winsets", "rescues",
    "scenario_sha256",
)  # fmt: skip
#: identity fields added after sweep folders were first written: an older manifest without
#: one holds a sweep made with its default
IDENTITY_DEFAULTS: dict[str, Any] = {"rescues": False}


def prepare_folder(folder: Path, man: dict[str, Any], identity: tuple[str, ...] = IDENTITY) -> bool:
    """Create ``folder`` with its manifest, or check an existing one on ``identity``'s
    fields; True when resuming."""
    path = folder / "manifest.json"
    if path.exists():
        try:
            old = json.loads(path.read_text("utf-8"))
        except (OSError, ValueError) as err:
            raise SweepError(f"{path}: unreadable manifest ({err})") from None
        diffs = [
            f"{k}: {old.get(k, IDENTITY_DEFAULTS.get(k))!r} here, {man[k]!r} asked"
            for k in identity
            if old.get(k, IDENTITY_DEFAULTS.get(k)) != man[k]
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


@dataclass(frozen=True)
class Job:
    """One unit of work for a backend: ``fn(model, *args)`` runs in a worker (``fn`` is a
    module-level function, so that workers can unpickle it); the parent hands its result to
    ``done(result, seconds)`` and advances the progress bar by ``draws``."""

    fn: Callable[..., Any]
    args: tuple[Any, ...]
    done: Callable[[Any, float], None]
    draws: int = 0


def _finish(job: Job, result: Any, t0: float, progress: Progress | None) -> None:
    job.done(result, time.perf_counter() - t0)
    if progress and job.draws:
        progress(job.draws)


def _serial(model: Model, jobs: list[Job], progress: Progress | None) -> None:
    for job in jobs:
        t0 = time.perf_counter()
        _finish(job, job.fn(model, *job.args), t0, progress)


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
    model: Model, jobs: list[Job], progress: Progress | None, workers: int | None
) -> None:
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

    n = workers or os.cpu_count() or 1
    with ProcessPoolExecutor(
        max_workers=n, initializer=_exit_with_parent, initargs=(os.getpid(),)
    ) as pool:
        pending: dict[Any, tuple[Job, float]] = {}
        queue = list(jobs)
        while queue or pending:
            # a bounded window of jobs in flight: results are written as they come
            while queue and len(pending) < 2 * n:
                job = queue.pop(0)
                fut = pool.submit(job.fn, model, *job.args)
                pending[fut] = (job, time.perf_counter())
            finished, _ = wait(pending, return_when=FIRST_COMPLETED)
            for fut in finished:
                job, t0 = pending.pop(fut)
                _finish(job, fut.result(), t0, progress)


def _dask(
    model: Model,
    jobs: list[Job],
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
            for job in jobs:
                fut = client.submit(job.fn, remote, *job.args, pure=False)
                meta[fut.key] = (job, time.perf_counter())
                futures.append(fut)
            finished = as_completed(futures)
            del futures  # as_completed holds them; each is dropped once written
            for fut in finished:
                job, t0 = meta.pop(fut.key)
                _finish(job, fut.result(), t0, progress)
                fut.release()
    finally:
        if cluster is not None:
            cluster.close()


@dataclass(frozen=True)
class Where:
    """Where a sweep's jobs run: the backend and its options (``run_sweep``'s keywords)."""

    backend: str = "serial"
    workers: int | None = None
    address: str | None = None
    local_processes: bool = True


def run_jobs(model: Model, jobs: list[Job], where: Where, progress: Progress | None) -> None:
    """Run ``jobs`` on ``where.backend``; each result reaches its ``done`` in the parent."""
    if not jobs:
        return
    if where.backend == "serial":
        _serial(model, jobs, progress)
    elif where.backend == "processes":
        _processes(model, jobs, progress, where.workers)
    else:
        _dask(model, jobs, progress, where.workers, where.address, where.local_processes)


def switch_points_job(model: Model) -> list[Any]:
    """The switch points of ``model`` (``sensitivity.switch_points``), as a backend job."""
    from ceasefire.uncertainty.sensitivity import switch_points

    return switch_points(model)


@dataclass
class SweepRun:
    """What a sweep did: the store to aggregate from, how much was resumed, where it ran, and
    the switch points (computed by a job on the same backend, or read back on resume)."""

    store: Any
    resumed_chunks: int
    total_chunks: int
    where: Where = Where()
    switch_points: list[DecisionSwitches] | None = None


def _check(model: Model, spec: SweepSpec, where: Where) -> None:
    """Refuse an unknown backend, a misplaced address and a spec the model was not built from."""
    if where.backend not in BACKENDS:
        raise SweepError(f"unknown backend {where.backend!r}; choose from {', '.join(BACKENDS)}")
    if where.address is not None and where.backend != "dask":
        raise SweepError("--address needs --backend dask")
    if (spec.engines, spec.rounds) != (model.engine_names, model.rounds):
        raise SweepError(
            f"the sweep asks for engines {spec.engines} and {spec.rounds} rounds, but the model "
            f"was compiled with {model.engine_names} and {model.rounds}: compile it from the "
            "same SweepSpec"
        )


def _switch_job(store: Any, run: SweepRun) -> list[Job]:
    """The switch points' job, unless the store holds them from an earlier (resumed) run."""
    cached = store.get_json(SWITCH_POINTS)
    if cached is not None:
        run.switch_points = [DecisionSwitches.model_validate(x) for x in cached]
        return []

    def done(result: list[DecisionSwitches], seconds: float) -> None:
        run.switch_points = result
        store.put_json(SWITCH_POINTS, [x.model_dump(mode="json") for x in result])

    return [Job(switch_points_job, (), done)]


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
    """Run (or resume) a sweep; chunks go to ``out`` or, without it, stay in memory.

    The switch points run as one more job on the same backend, alongside the draws (they
    need no draw), and are kept in the store (``switch_points.json`` in ``out``).
    """
    where = Where(backend, workers, address, local_processes)
    _check(model, spec, where)
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
    run = SweepRun(store=store, resumed_chunks=len(done), total_chunks=len(plan), where=where)
    if progress and done:
        progress(sum(plan[i][1] for i in done))
    jobs = _switch_job(store, run) + [
        Job(run_chunk, (spec, start, count, seeds[i]), _putter(store, i, start), count)
        for i, (start, count) in enumerate(plan)
        if i not in done
    ]
    run_jobs(model, jobs, where, progress)
    return run


def _putter(store: Any, index: int, start: int) -> Callable[[Arrays, float], None]:
    """A job's ``done``: put the chunk's arrays into the store."""

    def done(arrays: Arrays, seconds: float) -> None:
        store.put(index, start, arrays, seconds)

    return done


def write_json(path: Path, data: Any) -> None:
    """Write JSON atomically (``outputs.atomic_write``: temporary file, then rename)."""
    atomic_write(path, json.dumps(data, indent=2, allow_nan=False) + "\n")


def design_chunk(model: Model, unit: FloatArray, seed: int) -> Arrays:
    """Evaluate one chunk of a Sobol' or Morris design (a backend job): the points as
    ``values`` and every headline output (``sensitivity.headline_outputs``)."""
    from ceasefire.uncertainty.sensitivity import headline_outputs

    return {"values": unit, **headline_outputs(model, unit, seed)}


#: what a resumed design folder must agree on (``Design.identity``, plus the chunk size)
DESIGN_IDENTITY = ("method", "rows", "seed", "sobol_n", "morris_r", "design_sha256", "chunk")


def run_design(
    model: Model,
    design: Any,
    *,
    where: Where,
    chunk: int,
    seed: int,
    out: Path | None = None,
    progress: Progress | None = None,
    on_design: Callable[[int, int], None] | None = None,
) -> dict[str, FloatArray]:
    """Evaluate a ``sensitivity.Design`` on ``where``'s backend in chunks of ``chunk`` points.

    With ``out`` (the sweep's folder) the chunks stream to ``out/sensitivity-<method>/`` as
    the draws do (chunk files, ``progress.jsonl``, a manifest with the design's identity), so
    an interrupted design resumes; a folder holding another design is refused.
    ``on_design(total, left)`` is told the design's points and those left to run before the
    first runs.
    """
    from ceasefire.uncertainty.summary import headline_keys

    plan = chunk_plan(int(design.unit.shape[0]), chunk)
    store: Any = MemoryStore()
    done: set[int] = set()
    if out is not None:
        folder = out / f"sensitivity-{design.method}"
        man = {**design.identity(), "chunk": chunk, "inputs": [x.key for x in model.inputs]}
        prepare_folder(folder, man, DESIGN_IDENTITY)
        store = DirStore(folder)
        done = store.done()
    if progress and done:
        progress(sum(plan[i][1] for i in done))
    unit = design.unit
    jobs = [
        Job(design_chunk, (unit[a : a + n], seed), _putter(store, i, a), n)
        for i, (a, n) in enumerate(plan)
        if i not in done
    ]
    if on_design:
        on_design(len(design.unit), sum(job.draws for job in jobs))
    run_jobs(model, jobs, where, progress)
    keys = [head.key for head, _ in headline_keys(model, all_dimensions=True)]
    return {k: np.concatenate(list(store.column(k))) for k in keys}


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
    out: Path | None = None,
    progress: Progress | None = None,
    on_design: Callable[[int, int], None] | None = None,
) -> SweepSummary:
    """The sweep's summary: aggregates, sensitivity and switch points.

    ``sensitivity``: "rbd-fast" (given-data indices from the draws, no extra evaluation),
    "sobol" or "morris" (those too, plus that analysis on a design sized from the draws or
    from ``sobol_n`` / ``morris_r``, run on the sweep's backend, streamed to ``out`` and
    resumable, ``progress`` advanced per point, ``on_design`` told its size before it starts),
    or "none". The switch points are the run's
    (computed beside the draws), or computed here for a run that has none.
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
        rescues=spec.rescues,
    )
    indices = None
    if sensitivity != "none":

        def runner(design: sens.Design) -> dict[str, FloatArray]:
            where, chunk = run.where, spec.chunk
            return run_design(
                model, design, where=where, chunk=chunk, seed=spec.seed, out=out,
                progress=progress, on_design=on_design,
            )  # fmt: skip

        indices = sens.analyze(
            model,
            run.store.column,
            seed=spec.seed,
            method=sensitivity,
            draws=spec.draws,
            sobol_n=sobol_n,
            morris_r=morris_r,
            run_design=runner,
        )
    switches = run.switch_points
    return summarise(
        model,
        run.store.column,
        draws=spec.draws,
        spec=settings,
        scenario_sha256=scenario_sha256,
        switch_points=sens.switch_points(model) if switches is None else switches,
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

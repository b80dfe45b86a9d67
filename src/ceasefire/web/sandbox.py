"""Untrusted work in a child process with a time and a memory budget.

Parsing a user's TOML and analysing a user's scenario are the two things a request can make
arbitrarily expensive (reliability.md §2.2: a 200 KB dotted key grew the server to 23.6 GB; a
1,036-actor scenario ran for more than five minutes). The text limits of
:func:`ceasefire.scenario.parse_toml` stop the known bombs before the parser; this module is
the second line: the work runs in a child process whose address space is capped
(``RLIMIT_AS``) and which is killed when it overruns its time, so the worst a request can do
is lose its own child. The server process only waits (in a worker thread) and keeps answering.

Children are forked from one ``forkserver`` process that has the package imported once
(importing the analysis takes seconds), so a child starts in milliseconds. The child says
"ready" before the clock starts: the first child waits for the fork server to import, and that
wait is not the request's fault. Each child leads its own process group, so killing it kills
anything it started.
"""

from __future__ import annotations

import multiprocessing
import os
import resource
import signal
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.context import ForkServerContext
from multiprocessing.process import BaseProcess
from typing import Any

from ceasefire.scenario import Problem, ScenarioError

MiB = 1024 * 1024
#: judgement, 100x what was measured: reading and validating a 1 MiB text (the size limit) took
#: 0.10 s in a worker on the shared test machine
PARSE_SECONDS = 10.0
#: memory a parse may add to the child (judgement: a text at the limits parses in tens of MB)
PARSE_MEMORY = 512 * MiB
#: children parsing at once (more wait): a burst of uploads cannot fork without bound
PARSE_SLOTS = 4
#: how long the first child may wait for the fork server to import the package
STARTUP_SECONDS = 120.0
#: what the fork server imports once, for every child; "__main__" too (the ``ceasefire``
#: script, or pytest): a child then need not run the parent's main module again
PRELOAD = (
    "__main__",
    "ceasefire.web.work",
    "ceasefire.run",
    "ceasefire.outputs",
    "ceasefire.report.html",
    "ceasefire.backtest.record",
    "ceasefire.web.views",
)

_lock = threading.Lock()
_slots = threading.BoundedSemaphore(PARSE_SLOTS)


class BudgetExceeded(Exception):
    """Work stopped by its budget (``kind``: ``time`` or ``memory``) or lost with its child."""

    def __init__(self, kind: str, message: str):
        self.kind = kind
        super().__init__(message)


class WorkerError(RuntimeError):
    """The child's work raised an unexpected exception (a bug: logged, answered with 500)."""


def context() -> ForkServerContext:
    """The fork server context, with the package preloaded (idempotent)."""
    ctx = multiprocessing.get_context("forkserver")
    with _lock:
        ctx.set_forkserver_preload(list(PRELOAD))
    return ctx


def warm() -> None:
    """Start the fork server now (the first request then does not wait for its imports)."""
    from multiprocessing import forkserver

    context()
    forkserver.ensure_running()


def _vm_bytes() -> int:
    """This process's address space (``VmSize``) in bytes, 0 when /proc cannot say."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def limit_memory(extra: int) -> None:
    """Cap this process's address space at what it uses now plus ``extra`` bytes.

    Relative to the current size because the imported package (numpy, scipy, numba) already
    reserves hundreds of MB of address space that it never touches.
    """
    size = _vm_bytes()
    if extra <= 0 or size == 0:  # no /proc (not Linux): the time budget still holds
        return
    cap = size + extra
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        cap = min(cap, hard)
    resource.setrlimit(resource.RLIMIT_AS, (cap, hard))


def memory_message(what: str, memory: int) -> str:
    return f"{what} stopped: it needed more than its memory budget of {memory // MiB:,} MB"


def time_message(what: str, seconds: float) -> str:
    return f"{what} stopped: it took longer than its time budget of {seconds:g} s"


#: the children's scheduling priority below the server's (``nice``): on a busy machine the
#: server process answers first, its workers take what CPU is left
NICE = 10


def _child(conn: Connection, memory: int, fn: Callable[..., Any], args: tuple[Any, ...]) -> None:
    """Run ``fn(*args)`` under the memory cap and send back what happened (never raises)."""
    os.setpgrp()
    os.nice(NICE)
    conn.send(("ready",))
    limit_memory(memory)
    result: tuple[Any, ...]
    try:
        result = ("ok", fn(*args))
    except ScenarioError as err:
        result = ("scenario", err.source, list(err.problems))
    except MemoryError:
        result = ("memory",)
    except RecursionError:
        result = ("scenario", "", [Problem("", "nested too deeply to read")])
    except Exception:  # a bug: its traceback goes to the parent's log, not to the user
        result = ("error", traceback.format_exc())
    try:
        conn.send(result)
    except MemoryError:
        conn.send(("memory",))


def kill(proc: BaseProcess) -> None:
    """Kill a child and everything it started (its process group), then reap it."""
    if proc.pid is not None and proc.is_alive():
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            proc.kill()
    proc.join(5)


@dataclass
class Child:
    """A started child: its process and the read end of its pipe."""

    proc: BaseProcess
    conn: Connection

    def ready(self) -> None:
        """Wait until the child runs (the fork server may still be importing)."""
        try:
            if self.conn.poll(STARTUP_SECONDS):
                self.conn.recv()
                return
        except (EOFError, OSError):
            pass
        kill(self.proc)
        raise WorkerError("the worker process did not start (see the server's log)")


def start(fn: Callable[..., Any], args: tuple[Any, ...], memory: int) -> Child:
    """Start ``fn(*args)`` in a child capped at ``memory`` more bytes."""
    ctx = context()
    read, write = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(write, memory, fn, args), daemon=False)
    proc.start()
    write.close()
    return Child(proc, read)


def outcome(child: Child, seconds: float, what: str, memory: int) -> Any:
    """Wait up to ``seconds`` for the child's result; its value, or the exception it stands for."""
    try:
        if not child.conn.poll(seconds):
            raise BudgetExceeded("time", time_message(what, seconds))
        try:
            result = child.conn.recv()
        except (EOFError, OSError):  # died without a word: the kernel's OOM killer, or a signal
            raise BudgetExceeded("memory", memory_message(what, memory)) from None
    finally:
        kill(child.proc)
        child.conn.close()
    if result[0] == "ok":
        return result[1]
    if result[0] == "scenario":
        raise ScenarioError(result[1], result[2])
    if result[0] == "error":
        raise WorkerError(f"{what} failed in its worker process:\n{result[1]}")
    raise BudgetExceeded("memory", memory_message(what, memory))


def call(
    fn: Callable[..., Any],
    *args: Any,
    seconds: float | None = None,
    memory: int | None = None,
    what: str = "reading the scenario",
) -> Any:
    """``fn(*args)`` in a bounded child: its value, :class:`ScenarioError` as raised there, or
    :class:`BudgetExceeded` (time or memory). Blocks the calling thread, never the server's
    event loop when called from a plain ``def`` route or ``run_in_threadpool``. The budgets
    default to :data:`PARSE_SECONDS` and :data:`PARSE_MEMORY`."""
    seconds = PARSE_SECONDS if seconds is None else seconds
    memory = PARSE_MEMORY if memory is None else memory
    with _slots:
        child = start(fn, args, memory)
        try:
            child.ready()
        except BaseException:
            child.conn.close()
            raise
        return outcome(child, seconds, what, memory)

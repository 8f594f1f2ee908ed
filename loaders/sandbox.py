"""Parsing an upload in a child process with memory and time limits, so that nothing a file does
(a reader that aborts, allocates without bound or never ends) can take the app or the CLI down.

The child comes from a *fork server* (``multiprocessing`` 'forkserver', loaders preloaded): it is
single-threaded when it forks, so a child never inherits a lock held by one of the app's threads,
and a fork costs milliseconds instead of a fresh interpreter. In the child, ``RLIMIT_DATA`` caps the
memory it may allocate beyond what it starts with (``MEMORY_LIMIT``), ``RLIMIT_CPU`` backs the wall
clock limit (``TIME_LIMIT``) the parent enforces. The result (a :class:`~loaders.base.Parsed` or a
loader's refusal) comes back pickled through a pipe; anything else becomes a :class:`Refused` that
says what happened and what to do.

``ISOLATED = False`` runs in-process (tests that monkeypatch loaders; the demo build, which parses
its own generated files in a process pool already).
"""

from __future__ import annotations

import multiprocessing
import os
import resource
import signal
import sys
import threading
import types
from collections.abc import Callable
from typing import Any

from loaders.detect import LOADER_MODULES
from loaders.errors import LoaderError, Refused

ISOLATED = os.environ.get("PMO_PARSE_ISOLATED", "1") != "0"
#: Bytes a parse may allocate on top of what the child starts with.
MEMORY_LIMIT = int(float(os.environ.get("PMO_PARSE_MEMORY_MB", "1536")) * 2**20)
#: Seconds a parse may take (wall clock; CPU time is capped a little above it too).
TIME_LIMIT = float(os.environ.get("PMO_PARSE_SECONDS", "60"))

#: Modules the fork server imports once, so a child starts with them loaded (every loader: importing
#: them took a child about 0.2 s of CPU per file).
PRELOAD = [
    "loaders.ingest",
    *LOADER_MODULES,
    "pandas",
    "numpy",
    "pyarrow.pandas_compat",
    "python_calamine",
    "lxml.etree",
]

_lock = threading.Lock()
_context: Any = None
#: What ``sys.modules["__main__"]`` is while a child starts (see :func:`_neutral_main`).
_NEUTRAL_MAIN = types.ModuleType("__main__")

_SIGNALS = {
    signal.SIGABRT: "the reader aborted",
    signal.SIGSEGV: "the reader crashed",
    signal.SIGBUS: "the reader crashed",
    signal.SIGKILL: "the reader was stopped",
    signal.SIGXCPU: "the reader used too much CPU time",
}


def run(fn: Callable[..., Any], *args: Any, file_name: str, **kwargs: Any) -> Any:
    """``fn(*args, **kwargs)`` in a limited child process; its result, or its
    :class:`~loaders.errors.LoaderError` re-raised here. Raises :class:`Refused` naming
    ``file_name`` when the child runs out of memory or time, or dies."""
    if not ISOLATED:
        return fn(*args, **kwargs)
    ctx = _forkserver()
    receiver, sender = ctx.Pipe(duplex=False)
    child = ctx.Process(target=_child, args=(sender, fn, args, kwargs, MEMORY_LIMIT, TIME_LIMIT), daemon=True)
    with _lock:
        _start(child)
    sender.close()
    try:
        if not receiver.poll(TIME_LIMIT):
            raise Refused(
                f"{file_name}: reading the file took over {TIME_LIMIT:.0f} s, so it was stopped. "
                "Export a smaller file (fewer rows or columns), or save it again from the tool that wrote it."
            )
        try:
            outcome = receiver.recv()
        except (EOFError, OSError):
            child.join(5)
            raise Refused(_death_message(file_name, child.exitcode)) from None
    finally:
        receiver.close()
        if child.is_alive():
            child.kill()
        child.join(5)
    return _unwrap(outcome, file_name)


def _forkserver():
    global _context
    with _lock:
        if _context is None:
            ctx = multiprocessing.get_context("forkserver")
            ctx.set_forkserver_preload(PRELOAD)
            _context = ctx
        return _context


def _start(child) -> None:
    """Start ``child`` with a neutral ``__main__``.

    ``multiprocessing`` re-runs the parent's ``__main__`` file in every child it starts (its
    "prepare" step). Under Streamlit ``__main__`` is the page script being run, and under pytest's
    page tests it is whichever page ran last, so a child would execute a page before parsing (and
    fail on its first Streamlit call). The swap is put back only if nothing replaced it meanwhile:
    a Streamlit session that starts its script in between keeps its own ``__main__``.
    """
    main = sys.modules.get("__main__")
    sys.modules["__main__"] = _NEUTRAL_MAIN
    try:
        child.start()
    finally:
        if sys.modules.get("__main__") is _NEUTRAL_MAIN and main is not None:
            sys.modules["__main__"] = main


def _child(sender, fn, args, kwargs, memory: int, seconds: float) -> None:
    """In the child: set the limits, run, send back ("ok", result) or a refusal's parts."""
    try:
        _quiet()
        _limit(memory, seconds)
        outcome = ("ok", fn(*args, **kwargs))
    except LoaderError as err:
        outcome = ("loader_error", type(err), str(err), dict(vars(err)))
    except MemoryError:
        outcome = ("memory", None)
    except RecursionError:
        outcome = ("error", "the file is nested too deeply to read")
    except BaseException as err:
        outcome = ("error", f"{type(err).__name__}: {err}")
    try:
        sender.send(outcome)
    except MemoryError:
        sender.send(("memory", None))
    except Exception as err:
        sender.send(("error", f"the result could not be returned ({type(err).__name__}: {err})"))
    finally:
        sender.close()


def _quiet() -> None:
    """A reader library that aborts prints its own report (a Rust panic, a backtrace) on standard
    error; the user gets the refusal instead, so the child's standard error goes nowhere."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    os.close(devnull)


def _limit(memory: int, seconds: float) -> None:
    """Cap the data segment at what the child has now plus ``memory``; cap CPU time."""
    used = _data_bytes()
    resource.setrlimit(resource.RLIMIT_DATA, (used + memory, used + memory))
    cpu = int(seconds) + 5
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 5))


def _data_bytes() -> int:
    """VmData of this process (what RLIMIT_DATA counts), in bytes."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmData:"):
                return int(line.split()[1]) * 1024
    return 0


def _unwrap(outcome: tuple, file_name: str) -> Any:
    kind = outcome[0]
    if kind == "ok":
        return outcome[1]
    if kind == "loader_error":
        cls, message, attributes = outcome[1:]
        err = cls.__new__(cls)
        Exception.__init__(err, message)
        err.__dict__.update(attributes)
        raise err
    if kind == "memory":
        raise Refused(_memory_message(file_name))
    raise Refused(f"{file_name}: the file could not be read ({outcome[1]}).")


def _memory_message(file_name: str) -> str:
    return (
        f"{file_name}: reading the file needed more than {MEMORY_LIMIT / 2**30:.1f} GB of memory, so it was "
        "stopped. A workbook that declares a huge sheet or expands enormously cannot be read: save it again "
        "from the tool that wrote it, or export only the rows and columns you need (CSV is lightest)."
    )


def _death_message(file_name: str, exitcode: int | None) -> str:
    if exitcode is not None and exitcode < 0:
        what = _SIGNALS.get(-exitcode, f"the reader stopped (signal {-exitcode})")
        if -exitcode == signal.SIGABRT:
            return _memory_message(file_name).replace(
                "reading the file needed more than", "the reader aborted: the file likely needs more than"
            )
        return f"{file_name}: {what} on this file. Save it again from the tool that wrote it and re-upload."
    return (
        f"{file_name}: the reader stopped without a result (exit code {exitcode}). Save the file again and re-upload."
    )

"""Actions the cluster tests register: each call is written to the file named by
VIVIDO_CLUSTER_LOG as one line (`begin`/`end`, run, task, attempt, the worker's process id),
so a test can tell which worker executed what, and how often."""

import os
import time


def _write(what: str, run_id: int, task: str, attempt: int) -> None:
    # One short write in append mode: lines from several processes never interleave.
    line = f"{what} {run_id} {task} {attempt} {os.getppid()}\n"
    with open(os.environ["VIVIDO_CLUSTER_LOG"], "a") as log:
        log.write(line)


def record(*, run_id: int, task: str, attempt: int, document: dict) -> None:
    _write("begin", run_id, task, attempt)
    time.sleep(0.05)
    _write("end", run_id, task, attempt)


def slow(*, run_id: int, task: str, attempt: int, document: dict) -> None:
    _write("begin", run_id, task, attempt)
    time.sleep(1.0)
    _write("end", run_id, task, attempt)


def hang(*, run_id: int, task: str, attempt: int, document: dict) -> None:
    _write("begin", run_id, task, attempt)
    time.sleep(60)
    _write("end", run_id, task, attempt)

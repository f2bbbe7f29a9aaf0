"""Actions registered for the tests, as a deployer would in settings."""

CALLS: list[tuple[str, int]] = []


def record(*, run_id: int, task: str, attempt: int, document: dict) -> None:
    CALLS.append((task, attempt))


def refuse(*, run_id: int, task: str, attempt: int, document: dict) -> None:
    raise RuntimeError(f"{task} could not reach the printer")


UNDONE: list[tuple[str, int]] = []


def undo(*, run_id: int, task: str, attempt: int, document: dict) -> None:
    """A compensation: undoes what `record` did."""
    UNDONE.append((task, attempt))

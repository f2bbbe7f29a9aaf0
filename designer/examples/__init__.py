"""The guide's three scenarios as flow documents, loaded by `manage.py load_examples`."""

import json
from pathlib import Path
from typing import Any

EXAMPLES_DIR = Path(__file__).resolve().parent


def example_documents() -> list[dict[str, Any]]:
    """Every example flow document, in a stable order."""
    return [
        json.loads(path.read_text("utf-8"))
        for path in sorted(EXAMPLES_DIR.glob("*.json"))
        if path.name != "assessments.json"
    ]


def example_assessments() -> dict[str, dict[str, Any]]:
    """Completed wizard answers for each example flow, by flow name."""
    answers: dict[str, dict[str, Any]] = json.loads(
        (EXAMPLES_DIR / "assessments.json").read_text("utf-8")
    )
    return answers

"""`manage.py simulate FLOW`: the figures as a table, JSON or CSV."""

import csv
import io
import json

import pytest
from django.core.management import CommandError, call_command


def run(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("simulate", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_table_by_name(content_flow):
    out, _ = run("Content production", "--iterations", "200", "--seed", "4")
    lines = out.splitlines()
    assert (
        lines[0] == "Content production: 200 iterations, seed 4, retry limit 2 (figures in hours)"
    )
    assert lines[1].split() == ["blueprint", "deterministic", "p50", "p80", "p95", "mean", "std"]
    assert lines[2].split()[:2] == ["sequential", "34.5"]
    assert lines[3].split()[:2] == ["hybrid", "31.75"]
    assert lines[4].split()[:2] == ["parallel", "30.5"]
    assert lines[5].startswith("hybrid finishes before sequential in ")
    assert lines[-1].startswith("most critical: T1 100%")


def test_json_by_id_is_repeatable(content_flow):
    first = json.loads(
        run(str(content_flow.pk), "--iterations", "100", "--seed", "3", "--format", "json")[0]
    )
    second = json.loads(
        run(str(content_flow.pk), "--iterations", "100", "--seed", "3", "--format", "json")[0]
    )
    assert first["flow"] == "Content production"
    assert first["results"] == second["results"]
    assert first["seed"] == 3


def test_csv(content_flow):
    out, _ = run(
        "Content production",
        "--iterations",
        "50",
        "--seed",
        "1",
        "--format",
        "csv",
        "--blueprints",
        "hybrid",
    )
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0] == ["blueprint", "deterministic", "p50", "p80", "p95", "mean", "std"]
    assert [row[0] for row in rows[1:]] == ["hybrid"]
    assert rows[1][1] == "31.75"


def test_progress_bar_reaches_the_end(content_flow):
    _, err = run("Content production", "--iterations", "100", "--seed", "1", "--progress")
    assert "[##############################] 100%" in err


def test_unknown_flow_and_bad_values(content_flow):
    with pytest.raises(CommandError, match="no flow with id or name 'Nope'"):
        run("Nope")
    with pytest.raises(CommandError, match="iterations must be between 1 and 100000"):
        run("Content production", "--iterations", "0")
    with pytest.raises(CommandError, match="'fast' is not one of sequential, hybrid, parallel"):
        run("Content production", "--blueprints", "fast")

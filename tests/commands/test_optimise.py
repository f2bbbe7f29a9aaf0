"""`manage.py optimise FLOW`: greedy and optimal cycle times, side by side."""

import io

import pytest
from django.core.management import CommandError, call_command

from designer import services
from tests.analysis.test_optimise import crossing


def run(*args) -> str:
    out = io.StringIO()
    call_command("optimise", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def crossing_flow(alice):
    document = crossing()
    document["name"] = "Crossing"
    return services.flow_import(owner=alice, document=document)


def test_prints_greedy_and_the_proven_optimum(crossing_flow):
    assert run("Crossing", "--blueprint", "parallel").splitlines() == [
        "Crossing, parallel: greedy 6.5 h, optimal 5.5 h (proven optimal); saving 1 h (15.4%)"
    ]


def test_both_blueprints_by_default(crossing_flow):
    lines = run(str(crossing_flow.pk), "--time-limit", "2").splitlines()
    assert [line.split(":")[0] for line in lines] == ["Crossing, parallel", "Crossing, hybrid"]


def test_a_time_limit_outside_the_range_is_refused(crossing_flow):
    with pytest.raises(CommandError, match="time_limit must be between 1 and 60 seconds"):
        run("Crossing", "--time-limit", "90")

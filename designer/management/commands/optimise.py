from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from designer import selectors
from designer.analysis.errors import FlowError
from designer.analysis.model import format_duration
from designer.management.commands.simulate import Command as Simulate
from designer.optimisations import DEFAULT_TIME_LIMIT, optimisation_compute, read_choices


class Command(BaseCommand):
    help = "Print a flow's greedy levelled cycle time and the optimal one (CP-SAT)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("flow", help="the flow's id, or its name")
        parser.add_argument(
            "--blueprint",
            action="append",
            choices=("parallel", "hybrid", "sequential"),
            help="repeat for several (default: parallel and hybrid)",
        )
        parser.add_argument(
            "--time-limit",
            type=float,
            default=DEFAULT_TIME_LIMIT,
            help="seconds the solver may take per blueprint, 1 to 60",
        )
        parser.add_argument("--owner", help="the flow owner's name, when names are ambiguous")

    def handle(self, *args: Any, **options: Any) -> None:
        flow = Simulate()._flow(options["flow"], options["owner"])
        spec = selectors.flow_spec(flow)
        unit = flow.time_unit
        for name in options["blueprint"] or ["parallel", "hybrid"]:
            try:
                blueprint, limit = read_choices(
                    {"blueprint": name, "time_limit": options["time_limit"]}
                )
                result = optimisation_compute(spec, blueprint=blueprint, time_limit=limit)
            except FlowError as error:
                raise CommandError(error.message) from None
            greedy, best = result["greedy_cycle_time"], result["cycle_time"]
            if result["status"] == "optimal":
                quality = "proven optimal"
            else:
                quality = f"best found, within {result['gap']:.1%} of optimal"
            share = f" ({1 - best / greedy:.1%})" if greedy > 0 else ""
            self.stdout.write(
                f"{flow.name}, {blueprint}: greedy {format_duration(greedy, unit)}, "
                f"optimal {format_duration(best, unit)} ({quality}); "
                f"saving {format_duration(greedy - best, unit)}{share}"
            )

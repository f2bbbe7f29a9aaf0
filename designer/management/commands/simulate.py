import csv
import json
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from designer.analysis.errors import FlowError
from designer.analysis.plans import BLUEPRINTS
from designer.models import Flow
from designer.simulations.services import simulation_compute

FIGURES = ("deterministic", "p50", "p80", "p95", "mean", "std")


class Command(BaseCommand):
    help = "Simulate a flow's blueprints (Monte Carlo) and print the figures."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("flow", help="the flow's id, or its name")
        parser.add_argument("--iterations", type=int, default=1000)
        parser.add_argument("--seed", type=int, default=None)
        parser.add_argument("--max-retries", type=int, default=2)
        parser.add_argument(
            "--blueprints", default=",".join(BLUEPRINTS), help="comma-separated (default: all)"
        )
        parser.add_argument("--format", choices=("table", "json", "csv"), default="table")
        parser.add_argument("--owner", help="the flow owner's name, when names are ambiguous")
        parser.add_argument(
            "--progress",
            action="store_true",
            help="show a progress bar (shown anyway when standard error is a terminal)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        flow = self._flow(options["flow"], options["owner"])
        show_progress = options["progress"] or sys.stderr.isatty()
        try:
            result = simulation_compute(
                flow=flow,
                iterations=options["iterations"],
                seed=options["seed"],
                blueprints=[b.strip() for b in options["blueprints"].split(",") if b.strip()],
                max_retries=options["max_retries"],
                overrides={},
                progress=self._bar if show_progress else None,
            )
        except FlowError as error:
            raise CommandError(error.message) from None
        if show_progress:
            self.stderr.write("")
        getattr(self, f"_print_{options['format']}")(flow, result)

    def _flow(self, reference: str, owner: str | None) -> Flow:
        flows = Flow.objects.all()
        if owner:
            flows = flows.filter(owner__username=owner)
        matches = list(flows.filter(pk=int(reference))) if reference.isdigit() else []
        matches = matches or list(flows.filter(name=reference))
        if not matches:
            raise CommandError(f"no flow with id or name {reference!r}")
        if len(matches) > 1:
            raise CommandError(
                f"{len(matches)} flows are named {reference!r}: use the id or --owner"
            )
        return matches[0]

    def _bar(self, share: float) -> None:
        percent = int(share * 100)
        if percent == getattr(self, "_shown", None):
            return
        self._shown = percent
        filled = round(share * 30)
        self.stderr.write(f"\r[{'#' * filled}{'.' * (30 - filled)}] {share:4.0%}", ending="")
        self.stderr.flush()

    def _print_table(self, flow: Flow, result: dict[str, Any]) -> None:
        unit = flow.time_unit
        self.stdout.write(
            f"{flow.name}: {result['iterations']} iterations, seed {result['seed']}, "
            f"retry limit {result['max_retries']} (figures in {unit})"
        )
        self.stdout.write(f"{'blueprint':<12}" + "".join(f"{name:>15}" for name in FIGURES))
        for blueprint, figures in result["results"].items():
            cells = "".join(f"{_number(figures[name]):>15}" for name in FIGURES)
            self.stdout.write(f"{blueprint:<12}{cells}")
        for blueprint, versus in result["comparison"].items():
            self.stdout.write(
                f"{blueprint} finishes before sequential in {versus['faster_share']:.0%} of "
                f"iterations, {_number(versus['mean_saving'])} {unit} sooner on average"
            )
        if result["failed_share"]:
            self.stdout.write(f"failed for good: {result['failed_share']:.1%} of iterations")
        ranked = sorted(result["criticality"].items(), key=lambda item: -item[1])[:10]
        self.stdout.write("most critical: " + ", ".join(f"{k} {v:.0%}" for k, v in ranked))

    def _print_json(self, flow: Flow, result: dict[str, Any]) -> None:
        self.stdout.write(json.dumps({"flow": flow.name, **result}, indent=2))

    def _print_csv(self, flow: Flow, result: dict[str, Any]) -> None:
        writer = csv.writer(self.stdout)
        writer.writerow(["blueprint", *FIGURES])
        for blueprint, figures in result["results"].items():
            writer.writerow([blueprint, *(figures[name] for name in FIGURES)])


def _number(value: float | None) -> str:
    return "-" if value is None else f"{value:,.2f}".rstrip("0").rstrip(".")

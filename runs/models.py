"""Runs: one execution of a frozen flow document under a blueprint and a failure policy.

A run's state lives only here. Every transition is written with its RunEvent (a gap-free
sequence number per run) in one transaction.
"""

from django.conf import settings
from django.db import models

from designer.analysis.plans import BLUEPRINTS as BLUEPRINT_NAMES

BLUEPRINTS = [(b, b) for b in BLUEPRINT_NAMES]
POLICIES = [
    ("fail_fast", "fail fast"),
    ("continue_with_compensation", "continue with compensation"),
    ("retry_and_proceed", "retry and proceed"),
]
RUN_STATUSES = [
    ("running", "running"),
    ("paused", "paused"),
    ("succeeded", "succeeded"),
    ("failed", "failed"),
    ("cancelled", "cancelled"),
]
TASK_STATES = [
    (s, s)
    for s in (
        "pending",
        "ready",
        "running",
        "succeeded",
        "failed",
        "retrying",
        "skipped",
        "cancelled",
        "compensating",
        "compensated",
    )
]


class Run(models.Model):
    flow = models.ForeignKey("designer.Flow", on_delete=models.CASCADE, related_name="runs")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    document = models.JSONField(help_text="The flow document as it was when the run started.")
    blueprint = models.CharField(max_length=12, choices=BLUEPRINTS)
    failure_policy = models.CharField(max_length=32, choices=POLICIES)
    max_retries = models.PositiveSmallIntegerField(default=2)
    time_scale = models.FloatField(help_text="Seconds of real time per unit of the flow's time.")
    seed = models.BigIntegerField()
    status = models.CharField(max_length=12, choices=RUN_STATUSES, default="running")
    last_seq = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # The failed or cancelled run this one re-runs from its failure (its succeeded tasks
    # were carried over); kept as null when that run is deleted.
    rerun_of = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="reruns"
    )
    # When the engine must advance the run again (a phase's barrier opening after the
    # handoff and sync, a retry's backoff ending), kept here so that any process can keep
    # the appointment: the sweep advances a running run whose wake_at has long passed.
    wake_at = models.DateTimeField(null=True, blank=True)
    # When a sweep last took charge of the run's lost steps: two sweeps at once never both.
    swept_at = models.DateTimeField(null=True, blank=True)
    # A run started "following the optimised plan": the solver's schedule of the frozen
    # document (`{order, tasks, cycle_time, status, greedy_cycle_time}`). The engine takes
    # `order` as its priority list; null = longest remaining path first.
    optimised_plan = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "wake_at"], name="run_status_wake")]

    def __str__(self) -> str:
        return f"Run {self.pk} of {self.document.get('name', '?')} ({self.blueprint})"


class TaskRun(models.Model):
    run = models.ForeignKey(Run, on_delete=models.CASCADE, related_name="tasks")
    key = models.CharField(max_length=32)
    position = models.PositiveIntegerField()
    executor = models.CharField(max_length=64)
    state = models.CharField(max_length=16, choices=TASK_STATES, default="pending")
    attempts = models.PositiveSmallIntegerField(default=0)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # When the running attempt of a simulated task ends; when a retry may start.
    due_at = models.DateTimeField(null=True, blank=True)
    not_before = models.DateTimeField(null=True, blank=True)
    # A Celery worker executing the running attempt's action (or registered compensation)
    # holds it until then; another may take it over only after. `claims` counts the takes of
    # this attempt, so an action that keeps killing its worker fails instead of looping.
    lease_until = models.DateTimeField(null=True, blank=True)
    claims = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["position"]
        constraints = [models.UniqueConstraint(fields=["run", "key"], name="task_run_unique_key")]

    def __str__(self) -> str:
        return f"{self.key}: {self.state}"


class RunEvent(models.Model):
    run = models.ForeignKey(Run, on_delete=models.CASCADE, related_name="events")
    seq = models.PositiveIntegerField()
    at = models.DateTimeField()
    kind = models.CharField(max_length=24)
    task = models.CharField(max_length=32, blank=True)
    data = models.JSONField(default=dict)

    class Meta:
        ordering = ["seq"]
        constraints = [models.UniqueConstraint(fields=["run", "seq"], name="run_event_unique_seq")]

    def __str__(self) -> str:
        return f"#{self.seq} {self.kind} {self.task}"

"""Flows as stored: the relational form of the flow document.

Positions keep every list in the order the user gave it, so a document read back from the
database is the document that was written.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from designer.analysis.model import STRENGTHS, TIME_UNITS


class Flow(models.Model):
    """A process design: tasks, dependencies, resource pools, phases and settings."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="flows"
    )
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    time_unit = models.CharField(
        max_length=16, choices=[(u, u) for u in TIME_UNITS], default="hours"
    )
    handoff_delay = models.FloatField(default=0)
    sync_overhead = models.FloatField(default=0)
    # What one time unit saved is worth; null = not set (the cost of speed is not shown).
    value_per_time_unit = models.FloatField(null=True, blank=True)
    # Bumped by every change to the flow document; the graph endpoint's ETag.
    version = models.PositiveIntegerField(default=1)
    # Each blueprint's cycle time at this version, stored by every save so the flow list
    # reads it instead of analysing every flow; null until a save stores it.
    cycle_times = models.JSONField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(handoff_delay__gte=0) & Q(sync_overhead__gte=0),
                name="flow_delays_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(value_per_time_unit__isnull=True) | Q(value_per_time_unit__gte=0),
                name="flow_value_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ResourcePool(models.Model):
    """A named resource with a capacity in units (two designers, four build agents)."""

    flow = models.ForeignKey(Flow, on_delete=models.CASCADE, related_name="resources")
    name = models.CharField(max_length=200)
    capacity = models.PositiveIntegerField()
    description = models.TextField(blank=True)
    # What one unit costs per time unit of use; null = not set.
    cost_per_unit = models.FloatField(null=True, blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["flow", "name"], name="pool_name_unique_in_flow"),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="pool_capacity_positive"),
            models.CheckConstraint(
                condition=Q(cost_per_unit__isnull=True) | Q(cost_per_unit__gte=0),
                name="pool_cost_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.capacity})"


class Phase(models.Model):
    """An ordered macro step of a hybrid flow; it ends when all its tasks end."""

    flow = models.ForeignKey(Flow, on_delete=models.CASCADE, related_name="phases")
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["flow", "name"], name="phase_name_unique_in_flow"),
        ]

    def __str__(self) -> str:
        return self.name


class Task(models.Model):
    """A unit of work with a three-point duration estimate in the flow's time unit."""

    flow = models.ForeignKey(Flow, on_delete=models.CASCADE, related_name="tasks")
    key = models.CharField(max_length=32)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    optimistic = models.FloatField()
    likely = models.FloatField()
    pessimistic = models.FloatField()
    phase = models.ForeignKey(
        Phase, on_delete=models.SET_NULL, null=True, blank=True, related_name="tasks"
    )
    failure_rate = models.FloatField(default=0)
    executor = models.CharField(max_length=64, default="simulated")
    x = models.FloatField(default=0)
    y = models.FloatField(default=0)
    position = models.PositiveIntegerField(default=0)
    pools = models.ManyToManyField(ResourcePool, through="ResourceNeed", related_name="tasks")

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["flow", "key"], name="task_key_unique_in_flow"),
            models.CheckConstraint(
                condition=Q(optimistic__gte=0)
                & Q(likely__gte=F("optimistic"))
                & Q(pessimistic__gte=F("likely")),
                name="task_estimate_in_order",
            ),
            models.CheckConstraint(
                condition=Q(failure_rate__gte=0) & Q(failure_rate__lte=1),
                name="task_failure_rate_is_share",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.key} {self.name}"


class ResourceNeed(models.Model):
    """Units of a pool a task holds while it runs."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="needs")
    pool = models.ForeignKey(ResourcePool, on_delete=models.CASCADE, related_name="needs")
    units = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["task", "pool"], name="need_unique_per_pool"),
            models.CheckConstraint(condition=Q(units__gte=1), name="need_units_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.task.key} needs {self.units} × {self.pool.name}"


class Dependency(models.Model):
    """`target` needs an output of `source`; strength hard, soft or none."""

    flow = models.ForeignKey(Flow, on_delete=models.CASCADE, related_name="dependencies")
    source = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="outgoing")
    target = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="incoming")
    strength = models.CharField(max_length=8, choices=[(s, s) for s in STRENGTHS], default="hard")
    note = models.TextField(blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name_plural = "dependencies"
        constraints = [
            models.UniqueConstraint(fields=["source", "target"], name="dependency_unique_pair"),
            models.CheckConstraint(
                condition=~Q(source=F("target")), name="dependency_not_to_itself"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source.key} → {self.target.key} ({self.strength})"


class Simulation(models.Model):
    """A stored simulation result, kept so two can be compared later."""

    flow = models.ForeignKey(Flow, on_delete=models.CASCADE, related_name="simulations")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    flow_version = models.PositiveIntegerField()
    iterations = models.PositiveIntegerField()
    seed = models.BigIntegerField()
    max_retries = models.PositiveSmallIntegerField()
    blueprints = models.JSONField()
    overrides = models.JSONField(default=dict, blank=True)
    result = models.JSONField()
    elapsed_seconds = models.FloatField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.flow.name}: {self.iterations} iterations, seed {self.seed}"


class SimulationJob(models.Model):
    """A simulation too costly to run inside a request: it runs in the background, reports
    its progress, can be cancelled, and keeps its result as a `Simulation` when it ends.

    An optimisation given more than a few seconds is such a job too (`kind`): its progress
    is the share of its time limit used, with the best schedule and bound so far in
    `result`, which holds the optimised schedule when it ends.
    """

    class State(models.TextChoices):
        QUEUED = "queued"
        RUNNING = "running"
        SUCCEEDED = "succeeded"
        FAILED = "failed"
        CANCELLED = "cancelled"

    class Kind(models.TextChoices):
        SIMULATION = "simulation"
        OPTIMISATION = "optimisation"

    flow = models.ForeignKey(Flow, on_delete=models.CASCADE, related_name="simulation_jobs")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.SIMULATION)
    parameters = models.JSONField()
    cost = models.BigIntegerField()
    result = models.JSONField(null=True, blank=True)
    state = models.CharField(max_length=16, choices=State.choices, default=State.QUEUED)
    progress = models.FloatField(default=0.0)
    cancel_requested = models.BooleanField(default=False)
    error = models.TextField(blank=True, default="")
    simulation = models.ForeignKey(
        Simulation, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Simulation job {self.pk} of {self.flow.name}: {self.state}"


class Assessment(models.Model):
    """A flow's pass through the six-step wizard: its answers and how far it has come.

    `progress` records, per step, the revision at which it was last confirmed and the
    flow's version then, so a step left behind by a later change shows as needing attention.
    """

    flow = models.OneToOneField(Flow, on_delete=models.CASCADE, related_name="assessment")
    answers = models.JSONField(default=dict, blank=True)
    progress = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Assessment of {self.flow.name}"

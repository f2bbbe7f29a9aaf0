"""What the runs API accepts and answers. The answers are built by `runs.selectors` (the
websocket sends the very same dicts); these serializers describe them for the OpenAPI
schema and pass them through as built."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from runs.models import BLUEPRINTS, POLICIES, RUN_STATUSES, TASK_STATES


class RunRequestSerializer(serializers.Serializer):
    blueprint = serializers.ChoiceField(choices=BLUEPRINTS, default="hybrid")
    failure_policy = serializers.ChoiceField(choices=POLICIES, default="retry_and_proceed")
    time_scale = serializers.FloatField(
        min_value=0.001, max_value=86_400, default=1.0, help_text="Seconds per time unit."
    )
    max_retries = serializers.IntegerField(min_value=0, max_value=20, default=2)
    seed = serializers.IntegerField(min_value=0, max_value=2**63 - 1, allow_null=True, default=None)
    follow_optimised_plan = serializers.BooleanField(
        default=False,
        help_text="Plan the run with the constraint solver first and start tasks in the "
        "optimised plan's order instead of longest remaining path first.",
    )


class TaskActionSerializer(serializers.Serializer):
    error = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class _AsBuilt(serializers.Serializer):
    """An answer `runs.selectors` built: the fields document it, the dict goes out as is."""

    def to_representation(self, instance: Any) -> Any:
        return instance


class RunCreatedSerializer(_AsBuilt):
    id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=RUN_STATUSES)


class EventSerializer(_AsBuilt):
    """One run event, the same over HTTP and the websocket."""

    seq = serializers.IntegerField(help_text="Gap-free sequence number within the run.")
    kind = serializers.CharField(help_text="task, run, …")
    task = serializers.CharField(allow_blank=True, help_text="The task's key; blank for the run.")
    state = serializers.CharField(allow_null=True, help_text="The state moved to, if any.")
    at = serializers.DateTimeField(help_text="ISO 8601, with the UTC offset.")
    data = serializers.DictField()


class AttemptSerializer(_AsBuilt):
    kind = serializers.ChoiceField(choices=["attempt", "compensation"])
    attempt = serializers.IntegerField()
    started_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)
    outcome = serializers.CharField(allow_null=True)
    error = serializers.CharField(allow_blank=True)
    started_by = serializers.CharField()
    ended_by = serializers.CharField(allow_null=True)


class TaskStateSerializer(_AsBuilt):
    state = serializers.ChoiceField(choices=TASK_STATES)
    attempts = serializers.IntegerField()
    executor = serializers.CharField()
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
    error = serializers.CharField(allow_blank=True)
    history = AttemptSerializer(many=True)


class RunStateSerializer(_AsBuilt):
    """The whole state of a run, as a dashboard starts from it."""

    id = serializers.IntegerField()
    flow = serializers.IntegerField()
    name = serializers.CharField(allow_null=True)
    status = serializers.ChoiceField(choices=RUN_STATUSES)
    blueprint = serializers.ChoiceField(choices=BLUEPRINTS)
    failure_policy = serializers.ChoiceField(choices=POLICIES)
    time_scale = serializers.FloatField()
    max_retries = serializers.IntegerField()
    seed = serializers.IntegerField()
    last_seq = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)
    rerun_of = serializers.IntegerField(allow_null=True)
    tasks = serializers.DictField(child=TaskStateSerializer(), help_text="By task key.")


class TaskDetailSerializer(_AsBuilt):
    """One task of a run: every attempt, and its events."""

    key = serializers.CharField()
    name = serializers.CharField(allow_blank=True)
    state = serializers.ChoiceField(choices=TASK_STATES)
    executor = serializers.CharField()
    attempts = serializers.IntegerField()
    error = serializers.CharField(allow_blank=True)
    history = AttemptSerializer(many=True)
    events = EventSerializer(many=True)


class RunSummarySerializer(_AsBuilt):
    """A line of a flow's run list, with every task's state for its grid."""

    id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=RUN_STATUSES)
    blueprint = serializers.ChoiceField(choices=BLUEPRINTS)
    failure_policy = serializers.ChoiceField(choices=POLICIES)
    created_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)
    duration_seconds = serializers.FloatField(allow_null=True)
    rerun_of = serializers.IntegerField(allow_null=True)
    counts = serializers.DictField(child=serializers.IntegerField(), help_text="Tasks by state.")
    tasks = serializers.DictField(
        child=serializers.ChoiceField(choices=TASK_STATES), help_text="Each task's state."
    )

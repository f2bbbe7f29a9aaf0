"""Flows store each blueprint's cycle time on save; existing flows get theirs here."""

from typing import Any

from django.db import migrations, models


def store_cycle_times(apps: Any, schema_editor: Any) -> None:
    """Analyse every existing flow once (a flow the core refuses keeps null: the flow
    list then computes it as before)."""
    from designer.analysis.errors import FlowError
    from designer.selectors import flow_cycle_times

    Flow = apps.get_model("designer", "Flow")
    for flow in Flow.objects.all().iterator():
        try:
            cycle_times = flow_cycle_times(flow)
        except FlowError:
            continue
        Flow.objects.filter(pk=flow.pk).update(cycle_times=cycle_times)


class Migration(migrations.Migration):
    dependencies = [
        ("designer", "0005_simulation_job"),
    ]

    operations = [
        migrations.AddField(
            model_name="flow",
            name="cycle_times",
            field=models.JSONField(blank=True, editable=False, null=True),
        ),
        migrations.RunPython(store_cycle_times, migrations.RunPython.noop),
    ]

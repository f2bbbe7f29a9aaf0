"""Websocket routes: one live feed per run, and one run list per flow."""

from django.urls import path

from runs.consumers import FlowRunsConsumer, RunConsumer

websocket_urlpatterns = [
    path("ws/runs/<int:run_id>/", RunConsumer.as_asgi()),
    path("ws/flows/<int:flow_id>/runs/", FlowRunsConsumer.as_asgi()),
]

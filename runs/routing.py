"""Websocket routes: one live feed per run."""

from django.urls import path

from runs.consumers import RunConsumer

websocket_urlpatterns = [path("ws/runs/<int:run_id>/", RunConsumer.as_asgi())]

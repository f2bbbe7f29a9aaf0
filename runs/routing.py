"""Websocket routes; the run dashboards' consumers join here."""

from django.urls import URLPattern

websocket_urlpatterns: list[URLPattern] = []

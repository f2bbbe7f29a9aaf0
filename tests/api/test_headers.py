"""Security headers on pages and API answers; HSTS only when served over HTTPS."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings


@pytest.mark.parametrize("path", ["/accounts/login/", "/api/flows/"])
def test_pages_and_api_carry_the_security_headers(db, path):
    response = Client().get(path)
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    policy = response["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in policy
    assert "Strict-Transport-Security" not in response


def test_hsts_when_served_over_https(db):
    with override_settings(SECURE_HSTS_SECONDS=31_536_000, SECURE_HSTS_INCLUDE_SUBDOMAINS=True):
        response = Client().get("/accounts/login/", secure=True)
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_behind_a_proxy_https_is_read_from_x_forwarded_proto(db):
    with override_settings(
        SECURE_SSL_REDIRECT=True, SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https")
    ):
        plain = Client().get("/accounts/login/")
        proxied = Client().get("/accounts/login/", HTTP_X_FORWARDED_PROTO="https")
    assert plain.status_code == 301
    assert plain["Location"].startswith("https://")
    assert proxied.status_code == 200

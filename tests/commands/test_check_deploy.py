"""`manage.py check --deploy` with the production settings gives no warnings."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "VIVIDO_", "DATABASE_URL", "REDIS_URL"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="designer.settings",
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY="x7#Qm2!vL9@pR4$tW8^zK1&nB6*cF3(hJ5)dG0-sY2+aE7=uN4_oI9",
        DJANGO_ALLOWED_HOSTS="vivido.example.org",
        DJANGO_HTTPS="true",
        VIVIDO_VAR_DIR=str(tmp_path),
    )
    result = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_without_https_the_deploy_check_names_what_is_missing(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "VIVIDO_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="designer.settings",
        DJANGO_SECRET_KEY="x7#Qm2!vL9@pR4$tW8^zK1&nB6*cF3(hJ5)dG0-sY2+aE7=uN4_oI9",
        VIVIDO_VAR_DIR=str(tmp_path),
    )
    result = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "check", "--deploy"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "security.W004" in result.stderr + result.stdout  # no HSTS over plain HTTP

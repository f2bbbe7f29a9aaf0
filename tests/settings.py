"""Test settings: the project's own, with a fast hasher and a throwaway data folder."""

import os
import tempfile

os.environ.setdefault("DJANGO_SECRET_KEY", "tests-only-not-secret")
os.environ.setdefault("VIVIDO_VAR_DIR", tempfile.mkdtemp(prefix="vivido-tests-"))
# Suites send many requests a minute as one user; tests/api/test_throttling.py sets its own.
os.environ.setdefault("VIVIDO_THROTTLE_TOKEN", "100000/min")
os.environ.setdefault("VIVIDO_THROTTLE_SIGNIN", "100000/min")
os.environ.setdefault("VIVIDO_THROTTLE_EXPENSIVE", "100000/min")

from designer.settings import *  # noqa: F403
from designer.settings import DATABASES, VAR_DIR

# Engine tests drive runs step by step; the dispatcher's own tests switch it on.
VIVIDO_RUN_DISPATCH = "off"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Threads the tests start (the dispatcher's, Channels') must not keep connections past a
# test, or the test database could not be dropped.
DATABASES["default"]["CONN_MAX_AGE"] = 0
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not :memory:, so a live server thread and the tests share one database.
    DATABASES["default"].setdefault("TEST", {})["NAME"] = str(VAR_DIR / "test.sqlite3")

(VAR_DIR / "static").mkdir(exist_ok=True)

"""The cluster tests' processes: the project's settings with actions registered, as a
deployer registers them in a settings module of their own."""

from designer.settings import *  # noqa: F403

VIVIDO_ACTIONS = {
    "record": "tests.cluster.actions.record",
    "slow": "tests.cluster.actions.slow",
    "hang": "tests.cluster.actions.hang",
}
# A short limit, so that a killed worker's action is taken over within seconds.
VIVIDO_ACTION_TIME_LIMITS = {"record": 3, "slow": 3, "hang": 1}
# Pages name their static files without the manifest that collectstatic writes: the tests
# talk to the API and the websockets, and several processes start at once.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

"""The one ASGI application: pages and API over HTTP, run dashboards over websockets."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "designer.settings")

from django.core.asgi import get_asgi_application

http_application = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from designer.consumers import websocket_urlpatterns as simulation_urlpatterns  # noqa: E402
from runs.auth import OriginValidator, TokenAuthMiddleware  # noqa: E402
from runs.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": http_application,
        "websocket": OriginValidator(
            AuthMiddlewareStack(
                TokenAuthMiddleware(URLRouter(websocket_urlpatterns + simulation_urlpatterns))
            )
        ),
    }
)

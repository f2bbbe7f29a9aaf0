"""`POST /api/auth/token/`: a token for a name and password, throttled against guessing."""

from __future__ import annotations

from rest_framework.authtoken.views import ObtainAuthToken

from designer.parsing import PARSERS
from designer.throttling import TokenAccountThrottle, TokenAddressThrottle


class TokenView(ObtainAuthToken):
    """DRF's token view with Vivido's parsers (depth and size limits) and two throttles:
    per account named and per address (`VIVIDO_THROTTLE_TOKEN`), 429 with Retry-After."""

    parser_classes = PARSERS
    throttle_classes = [TokenAddressThrottle, TokenAccountThrottle]


obtain_auth_token = TokenView.as_view()

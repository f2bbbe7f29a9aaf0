"""The sign-in page, throttled per account named and per address like the token endpoint."""

from __future__ import annotations

import math
from typing import Any

from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse

from designer.throttling import SignInAccountThrottle, SignInAddressThrottle


class SignInView(auth_views.LoginView):
    """Django's LoginView; past `VIVIDO_THROTTLE_SIGNIN` attempts a minute for one account
    or from one address, the page says how long to wait (429 with Retry-After) and the
    password is not checked."""

    throttle_classes = (SignInAddressThrottle, SignInAccountThrottle)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        waits = [
            throttle.wait() or 1
            for throttle in (cls() for cls in self.throttle_classes)
            if not throttle.allow_request(request, self)
        ]
        if not waits:
            return super().post(request, *args, **kwargs)
        seconds = max(1, math.ceil(max(waits)))
        form = self.get_form()  # shown again with the name typed; never validated here
        response = self.render_to_response(
            self.get_context_data(form=form, throttled_for=seconds), status=429
        )
        response["Retry-After"] = str(seconds)
        return response

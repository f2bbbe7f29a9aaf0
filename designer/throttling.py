"""Abuse limits: DRF's throttles, counted in Django's cache, with rates from the settings.

- Password guessing: `POST /api/auth/token/` (`VIVIDO_THROTTLE_TOKEN`) and the sign-in page
  (`VIVIDO_THROTTLE_SIGNIN`), each counted per account named and per address.
- Expensive work, per user (`VIVIDO_THROTTLE_EXPENSIVE`): simulations, layout, routes,
  drawings, the analysis of unsaved documents, starting runs.

Windows are short (a minute by default), so an attacker who exhausts an account's count
locks its owner out for a minute at most; `manage.py reset_throttles` clears the counts.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from rest_framework.permissions import SAFE_METHODS
from rest_framework.throttling import SimpleRateThrottle

from designer.env import rate_parts

CACHE_PREFIX = "throttle_"


class SettingsRateThrottle(SimpleRateThrottle):
    """A throttle whose rate is read from `VIVIDO_THROTTLE_RATES` at each request (so a
    changed setting applies at once) and may name a period of several units (`30/5m`)."""

    cache_format = CACHE_PREFIX + "%(scope)s_%(ident)s"

    def get_rate(self) -> str | None:
        rate: str | None = settings.VIVIDO_THROTTLE_RATES.get(self.scope)
        return rate

    def parse_rate(self, rate: str | None) -> tuple[int | None, int | None]:
        if not rate:
            return None, None
        return rate_parts(rate)

    def get_cache_key(self, request: Any, view: Any) -> str | None:
        ident = self.identify(request)
        if ident is None:
            return None
        return self.cache_format % {"scope": self.scope, "ident": ident}

    def identify(self, request: Any) -> str | None:
        raise NotImplementedError


class AddressThrottle(SettingsRateThrottle):
    """Counted per client address (the proxy-aware one when `VIVIDO_PROXIES` is set)."""

    def identify(self, request: Any) -> str | None:
        return str(self.get_ident(request))


class AccountThrottle(SettingsRateThrottle):
    """Counted per account named in the request (`username`), whoever sends it."""

    def identify(self, request: Any) -> str | None:
        data = request.data if hasattr(request, "data") else request.POST
        name = data.get("username") if hasattr(data, "get") else None
        if not isinstance(name, str) or not name.strip():
            return None  # nothing to guess against; the address count still applies
        return hashlib.sha256(name.strip().casefold().encode()).hexdigest()[:32]


class TokenAddressThrottle(AddressThrottle):
    scope = "token"


class TokenAccountThrottle(AccountThrottle):
    scope = "token"
    cache_format = CACHE_PREFIX + "%(scope)s_account_%(ident)s"


class SignInAddressThrottle(AddressThrottle):
    scope = "signin"


class SignInAccountThrottle(AccountThrottle):
    scope = "signin"
    cache_format = CACHE_PREFIX + "%(scope)s_account_%(ident)s"


class ExpensiveThrottle(SettingsRateThrottle):
    """Per user, on the requests of a view that compute (not its plain reads)."""

    scope = "expensive"
    counts_reads = False

    def allow_request(self, request: Any, view: Any) -> bool:
        if request.method in SAFE_METHODS and not self.counts_reads:
            return True
        return bool(super().allow_request(request, view))

    def identify(self, request: Any) -> str | None:
        user = request.user
        if user is not None and user.is_authenticated:
            return f"user_{user.pk}"
        return f"address_{self.get_ident(request)}"


class ExpensiveReadThrottle(ExpensiveThrottle):
    """The same count, for a GET that computes (a drawing rendered by Graphviz)."""

    counts_reads = True


PASSWORD_THROTTLES = (TokenAddressThrottle, TokenAccountThrottle)


def throttles_reset() -> int | None:
    """Forget every throttle count: whoever was locked out may try again at once.

    On Redis only the throttles' keys go (the channel layer may share the database), and
    their number is returned; local memory holds nothing else, so it is cleared (None).
    """
    backend = caches["default"]
    if isinstance(backend, RedisCache):
        client = backend._cache.get_client(write=True)
        keys = list(client.scan_iter(match=backend.make_key(f"{CACHE_PREFIX}*")))
        if keys:
            client.delete(*keys)
        return len(keys)
    backend.clear()
    return None

"""Rate limits counted per caller rather than per network address."""

from rest_framework.throttling import ScopedRateThrottle

from customer_service.access import caller_of


class CallerRateThrottle(ScopedRateThrottle):
    """The view's ``throttle_scope`` rate, counted per OAuth client or user.

    Many services sit behind one address, and one service can spread over
    many: the client is what the rate is granted to. Callers without
    credentials fall back to their address.
    """

    def get_cache_key(self, request, view):
        caller = caller_of(request)
        if caller.application is not None:
            ident = f"client:{caller.application.pk}"
        elif caller.user is not None:
            ident = f"user:{caller.user.pk}"
        else:
            ident = f"address:{self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}


class AddressRateThrottle(ScopedRateThrottle):
    """The view's ``throttle_scope`` rate, counted per client address only.

    For doors open to anyone, where a session cookie that happens to come
    along must not give a caller a count of its own.
    """

    def get_cache_key(self, request, view):
        return self.cache_format % {
            "scope": self.scope,
            "ident": f"address:{self.get_ident(request)}",
        }

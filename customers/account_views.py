"""The sign-in page the customer app opens during OAuth authorization.

The app sends the customer to /oauth/authorize/, which sends them here;
after signing in they go back to the authorization endpoint (``next``),
which hands the app a code. Failures get one generic message, whatever
went wrong, and are counted per client address and per email.
"""

import hashlib
import logging

from django import forms
from django.contrib.auth import authenticate, login, logout
from django.core.cache import cache
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle

from customer_service.oauth import may_sign_in

logger = logging.getLogger(__name__)

SIGN_IN_FAILED = "The email or password is not correct."
TOO_MANY_FAILURES = "Too many failed attempts. Please try again later."
PERIODS = {"s": 1, "m": 60, "h": 60 * 60, "d": 24 * 60 * 60}


class SignInForm(forms.Form):
    email = forms.EmailField(
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    password = forms.CharField(
        strip=False,
        max_length=4096,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, request, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request
        self.user = None

    def clean(self):
        data = super().clean()
        if self.errors:
            raise forms.ValidationError(SIGN_IN_FAILED, code="sign_in_failed")
        self.user = authenticate(
            self.request, email=data["email"], password=data["password"]
        )
        if self.user is None:
            raise forms.ValidationError(SIGN_IN_FAILED, code="sign_in_failed")
        return data


class FailedSignIns:
    """A fixed-window count of failures per client address and per email.

    The limit is the ``signin`` throttle rate (``SIGNIN_RATE``). Counting
    per email too stops a spread-out guess at one account.
    """

    def __init__(self, request, email: str):
        rate = api_settings.DEFAULT_THROTTLE_RATES["signin"]
        count, period = rate.split("/")
        self.limit = int(count)
        self.period = PERIODS[period[0]]
        address = BaseThrottle().get_ident(request)
        account = hashlib.sha256(email.strip().lower().encode()).hexdigest()
        self.keys = [
            f"signin-failures:ip:{address}",
            f"signin-failures:email:{account}",
        ]

    def blocked(self) -> bool:
        counts = cache.get_many(self.keys)
        return any(value >= self.limit for value in counts.values())

    def record(self) -> None:
        for key in self.keys:
            cache.add(key, 0, timeout=self.period)
            try:
                cache.incr(key)
            except ValueError:
                # Expired between the two calls: start a new window.
                cache.set(key, 1, timeout=self.period)


def safe_next(request) -> str:
    """Where to go after signing in: only back to this site."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("account-login")


@method_decorator(
    [sensitive_post_parameters("password"), csrf_protect, never_cache],
    name="dispatch",
)
class SignInView(View):
    template_name = "account/login.html"

    def get(self, request):
        return self.page(request, SignInForm(request))

    def post(self, request):
        failures = FailedSignIns(request, request.POST.get("email", ""))
        if failures.blocked():
            logger.warning("sign-in refused after too many failures")
            response = self.page(
                request, SignInForm(request), error=TOO_MANY_FAILURES, status=429
            )
            response["Retry-After"] = str(failures.period)
            return response

        form = SignInForm(request, data=request.POST)
        if not form.is_valid():
            failures.record()
            logger.info("customer sign-in failed")
            return self.page(request, form)

        login(request, form.user)
        logger.info("customer %s signed in", form.user.customer.public_id)
        return redirect(safe_next(request))

    def page(self, request, form, *, error: str = "", status: int = 200):
        context = {
            "form": form,
            # Only the generic message: no hint at which part was wrong.
            "error": error or (SIGN_IN_FAILED if form.errors else ""),
            # Checked when used, in safe_next().
            "next": request.POST.get("next") or request.GET.get("next", ""),
            "signed_in": may_sign_in(request.user),
        }
        return render(request, self.template_name, context, status=status)


@method_decorator([csrf_protect, never_cache], name="dispatch")
class SignOutView(View):
    def post(self, request):
        logout(request)
        return redirect("account-login")


@method_decorator(never_cache, name="dispatch")
class CallbackView(View):
    """Shows an authorization code, for trying the sign-in in a browser.

    Only reached when this page is one of CUSTOMER_APP_REDIRECT_URIS (the
    development default); the code is useless without the PKCE verifier.
    """

    def get(self, request):
        context = {
            name: request.GET.get(name, "")
            for name in ("code", "state", "error", "error_description")
        }
        return render(request, "account/callback.html", context)

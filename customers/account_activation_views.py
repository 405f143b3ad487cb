"""Activation of a customer's login: a web page and API endpoints.

The page and the API both set the first password from the emailed
one-time link through ``customers.accounts.account_activate``, and share
one rate per client address; after that the customer signs in through the
app. A customer who lost the link, or let it expire, asks for a new one.
"""

import math

from django import forms
from django.shortcuts import render
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from customer_service.access import ANONYMOUS, Channel
from customer_service.openapi import PROBLEM, PROBLEM_SCHEMA
from customer_service.throttling import AddressRateThrottle
from customers.accounts import (
    account_activate,
    account_activation_resend,
    account_for_activation,
)
from customers.errors import InvalidActivationLink, PasswordRefused
from customers.selectors import customer_get_by_email
from customers.serializers import (
    StrictCharField,
    StrictEmailField,
    StrictSerializer,
)

TOO_MANY_ATTEMPTS = "Too many attempts. Please try again later."
RESEND_MESSAGE = (
    "If this email belongs to a verified customer who has not chosen a "
    "password yet, a new activation link is on its way."
)


class ActivationForm(forms.Form):
    password = forms.CharField(
        label="Choose a password",
        strip=False,
        max_length=4096,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password_confirm = forms.CharField(
        label="Type it again",
        strip=False,
        max_length=4096,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        cleaned = super().clean()
        first, second = cleaned.get("password"), cleaned.get("password_confirm")
        if first and second and first != second:
            self.add_error("password_confirm", "The two passwords do not match.")
        return cleaned


def page(request, template: str, context=None, status: int = 200):
    response = render(request, template, context, status=status)
    # The link's token must not travel on in a Referer header.
    response["Referrer-Policy"] = "no-referrer"
    return response


@method_decorator(
    [never_cache, csrf_protect, sensitive_post_parameters()], name="dispatch"
)
class AccountActivatePage(View):
    template_name = "account/activate.html"
    # Shared with POST /api/v1/auth/activate: one count per address.
    throttle_scope = "activate"

    def get(self, request, uid: str, token: str):
        try:
            account_for_activation(uid=uid, token=token)
        except InvalidActivationLink:
            return self.invalid_link(request)
        return self.form_page(request, ActivationForm())

    def post(self, request, uid: str, token: str):
        throttle = AddressRateThrottle()
        if not throttle.allow_request(request, self):
            response = self.form_page(
                request, ActivationForm(), error=TOO_MANY_ATTEMPTS, status=429
            )
            response["Retry-After"] = str(math.ceil(throttle.wait() or 1))
            return response

        form = ActivationForm(request.POST)
        if not form.is_valid():
            return self.form_page(request, form)

        try:
            account_activate(
                uid=uid, token=token, password=form.cleaned_data["password"]
            )
        except InvalidActivationLink:
            return self.invalid_link(request)
        except PasswordRefused as error:
            for problem in error.errors:
                form.add_error("password", problem.message)
            return self.form_page(request, form)

        return page(request, "account/activate_done.html")

    def form_page(
        self, request, form: ActivationForm, *, error: str = "", status: int = 200
    ):
        context = {"form": form, "error": error}
        return page(request, self.template_name, context, status=status)

    def invalid_link(self, request):
        return page(request, "account/activate_invalid.html", status=400)


class AccountActivateInput(StrictSerializer):
    uid = StrictCharField(max_length=64)
    token = StrictCharField(max_length=128)
    password = StrictCharField(max_length=4096, trim_whitespace=False, write_only=True)


class AccountActivateView(APIView):
    """The app's way to set the first password from the emailed link."""

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [AddressRateThrottle]
    throttle_scope = "activate"

    @extend_schema(
        operation_id="account_activate",
        summary="Activate a customer's login with the emailed link",
        description=(
            "Takes the two parts of `/account/activate/<uid>/<token>/` and the "
            "chosen password. Django's password rules apply; a link works "
            "once and for 72 hours."
        ),
        request=AccountActivateInput,
        responses={
            204: OpenApiResponse(description="The password is set; sign in next."),
            400: OpenApiResponse(
                PROBLEM_SCHEMA,
                description=(
                    "invalid_activation_link, or validation_error with the "
                    "password rules broken under errors"
                ),
            ),
            429: PROBLEM,
        },
    )
    def post(self, request):
        serializer = AccountActivateInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        account_activate(**serializer.validated_data)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ActivationResendInput(StrictSerializer):
    """The email the customer signed up with, in any letter case."""

    email = StrictEmailField(max_length=254)


class ActivationResendAccepted(serializers.Serializer):
    message = serializers.CharField()


class ActivationResendView(APIView):
    """A new activation link, for a customer who lost theirs or let it expire.

    The answer is the same whoever the email belongs to, or if it belongs
    to no one, so it cannot tell anybody who is a customer.
    """

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [AddressRateThrottle]
    throttle_scope = "activation_resend"

    @extend_schema(
        operation_id="account_activation_resend",
        summary="Email a new activation link",
        description=(
            "For a verified customer who has not chosen a password yet: a new "
            "link, valid for 72 hours, goes to their email and the earlier "
            "links stop working. The answer is always the same 202, whether "
            "or not the email belongs to such a customer. Throttled per "
            "client address."
        ),
        request=ActivationResendInput,
        responses={
            202: ActivationResendAccepted,
            400: OpenApiResponse(
                PROBLEM_SCHEMA,
                description="validation_error: not an email, or unknown fields",
            ),
            429: PROBLEM,
        },
    )
    def post(self, request):
        serializer = ActivationResendInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        customer = customer_get_by_email(email=serializer.validated_data["email"])
        if customer is not None:
            account_activation_resend(
                customer=customer, actor=ANONYMOUS, channel=Channel.API
            )
        return Response({"message": RESEND_MESSAGE}, status=status.HTTP_202_ACCEPTED)

"""Activation of a customer's login: a web page and an API endpoint.

Both set the first password from the emailed one-time link through
``customers.accounts.account_activate``; after that the customer signs in
through the app.
"""

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
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from customer_service.errors import ServiceError
from customer_service.openapi import PROBLEM, PROBLEM_SCHEMA
from customers.accounts import account_activate, account_for_activation
from customers.serializers import StrictSerializer


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

    def get(self, request, uid: str, token: str):
        try:
            account_for_activation(uid=uid, token=token)
        except ServiceError:
            return self.invalid_link(request)
        return self.form_page(request, ActivationForm())

    def post(self, request, uid: str, token: str):
        form = ActivationForm(request.POST)
        if not form.is_valid():
            return self.form_page(request, form)

        try:
            account_activate(
                uid=uid, token=token, password=form.cleaned_data["password"]
            )
        except ServiceError as error:
            if not error.errors:
                return self.invalid_link(request)
            for problem in error.errors:
                form.add_error("password", problem.message)
            return self.form_page(request, form)

        return page(request, "account/activate_done.html")

    def form_page(self, request, form: ActivationForm):
        return page(request, self.template_name, {"form": form})

    def invalid_link(self, request):
        return page(request, "account/activate_invalid.html", status=400)


class AccountActivateInput(StrictSerializer):
    uid = serializers.CharField(max_length=64)
    token = serializers.CharField(max_length=128)
    password = serializers.CharField(
        max_length=4096, trim_whitespace=False, write_only=True
    )


class AccountActivateView(APIView):
    """The app's way to set the first password from the emailed link."""

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
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

from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from oauth2_provider.views import RevokeTokenView, TokenView

from customer_service import health, oauth, problems
from customers.account_activation_views import (
    AccountActivateView,
    ActivationResendView,
)

api_v1 = [
    path("", include("customers.urls")),
    path("", include("kyc.urls")),
    path("auth/activate", AccountActivateView.as_view(), name="account-activate-api"),
    path(
        "auth/activation/resend",
        ActivationResendView.as_view(),
        name="account-activation-resend",
    ),
    path("schema", SpectacularAPIView.as_view(), name="schema"),
    path("docs", SpectacularSwaggerView.as_view(url_name="schema"), name="docs"),
]

# Only the endpoints clients need: no application management pages.
oauth_endpoints = [
    path(
        "authorize/",
        oauth.refuses_nul(oauth.CustomerAuthorizationView.as_view()),
        name="authorize",
    ),
    path("token/", oauth.refuses_nul(TokenView.as_view()), name="token"),
    path("revoke/", oauth.refuses_nul(RevokeTokenView.as_view()), name="revoke-token"),
    path(
        "introspect/",
        oauth.refuses_nul(oauth.IntrospectView.as_view()),
        name="introspect",
    ),
]

urlpatterns = [
    path("api/v1/", include(api_v1)),
    # Matched here, not by handler404, so that DEBUG does not turn the
    # answer into an HTML page.
    re_path(r"^api/", problems.api_not_found, name="api-not-found"),
    path("oauth/", include((oauth_endpoints, "oauth2_provider"))),
    path("admin/", admin.site.urls),
    path("account/", include("customers.account_urls")),
    path("health", health.live, name="health"),
    path("health/ready", health.ready, name="health-ready"),
]

handler404 = "customer_service.problems.api_aware_404"
handler500 = "customer_service.problems.api_aware_500"

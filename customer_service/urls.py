from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from oauth2_provider.views import RevokeTokenView, TokenView

from customer_service import health, oauth
from customers.account_activation_views import AccountActivateView

api_v1 = [
    path("", include("customers.urls")),
    path("", include("kyc.urls")),
    path("auth/activate", AccountActivateView.as_view(), name="account-activate-api"),
    path("schema", SpectacularAPIView.as_view(), name="schema"),
    path("docs", SpectacularSwaggerView.as_view(url_name="schema"), name="docs"),
]

# Only the endpoints clients need: no application management pages.
oauth_endpoints = [
    path("authorize/", oauth.CustomerAuthorizationView.as_view(), name="authorize"),
    path("token/", TokenView.as_view(), name="token"),
    path("revoke/", RevokeTokenView.as_view(), name="revoke-token"),
    path("introspect/", oauth.IntrospectView.as_view(), name="introspect"),
]

urlpatterns = [
    path("api/v1/", include(api_v1)),
    path("oauth/", include((oauth_endpoints, "oauth2_provider"))),
    path("admin/", admin.site.urls),
    path("account/", include("customers.account_urls")),
    path("health", health.live, name="health"),
    path("health/ready", health.ready, name="health-ready"),
]

handler404 = "customer_service.problems.api_aware_404"
handler500 = "customer_service.problems.api_aware_500"

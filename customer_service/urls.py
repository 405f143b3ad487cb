from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from customer_service import health

api_v1 = [
    path("", include("customers.urls")),
    path("schema", SpectacularAPIView.as_view(), name="schema"),
    path("docs", SpectacularSwaggerView.as_view(url_name="schema"), name="docs"),
]

urlpatterns = [
    path("api/v1/", include(api_v1)),
    path("admin/", admin.site.urls),
    path("health", health.live, name="health"),
    path("health/ready", health.ready, name="health-ready"),
]

handler404 = "customer_service.problems.api_aware_404"
handler500 = "customer_service.problems.api_aware_500"

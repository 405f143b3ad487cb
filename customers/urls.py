from django.urls import path

from customers import views

urlpatterns = [
    path("customers", views.CustomerCollectionView.as_view(), name="customer-list"),
    # Before customers/<id>, which would take these words for an id.
    path("customers/me", views.OwnProfileView.as_view(), name="customer-me"),
    path(
        "customers/exists", views.CustomerExistsView.as_view(), name="customer-exists"
    ),
    path(
        "customers/by-external-id/<str:externalId>",
        views.CustomerByExternalIdView.as_view(),
        name="customer-by-external-id",
    ),
    path(
        "customers/<str:id>",
        views.CustomerDetailView.as_view(),
        name="customer-detail",
    ),
]

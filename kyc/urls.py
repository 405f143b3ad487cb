from django.urls import path

from kyc import views

urlpatterns = [
    path(
        "customers/<str:id>/kyc/approve",
        views.KycApproveView.as_view(),
        name="kyc-approve",
    ),
    path(
        "customers/<str:id>/kyc/fail",
        views.KycFailView.as_view(),
        name="kyc-fail",
    ),
    path(
        "customers/<str:id>/kyc/history",
        views.KycHistoryView.as_view(),
        name="kyc-history",
    ),
]

"""Pages a customer opens in a browser, under /account/."""

from django.urls import path

from customers import account_activation_views, account_views

urlpatterns = [
    path("login/", account_views.SignInView.as_view(), name="account-login"),
    path("logout/", account_views.SignOutView.as_view(), name="account-logout"),
    path("callback/", account_views.CallbackView.as_view(), name="account-callback"),
    path(
        "activate/<str:uid>/<str:token>/",
        account_activation_views.AccountActivatePage.as_view(),
        name="account-activate",
    ),
]

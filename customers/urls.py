from django.urls import path

from customers import views

urlpatterns = [
    path("customers", views.CustomerCollectionView.as_view(), name="customer-list"),
]

"""Web push API, mounted at ``/api/v1/push/``."""

from django.urls import path

from . import views

app_name = "push"

urlpatterns = [
    path("vapid-public-key/", views.vapid_public_key, name="vapid_public_key"),
    path("subscriptions/", views.subscriptions, name="subscriptions"),
]

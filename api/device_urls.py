"""``/compte/appareils/``: the member's connected apps."""

from django.urls import path

from . import device_views

app_name = "devices"

urlpatterns = [
    path("", device_views.device_list, name="list"),
    path("<int:pk>/deconnecter/", device_views.device_revoke, name="revoke"),
]

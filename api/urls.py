"""``/api/v1/``: the API, its OpenAPI document and docs; problems for any other address."""

from django.urls import path, re_path

from .main import api
from .problems import api_not_found

urlpatterns = [
    path("", api.urls),
    re_path(r"^.*$", api_not_found),
]

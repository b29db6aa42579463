from django.urls import path

from . import views

app_name = "dashboard_police"

urlpatterns = [
    path("", views.police_dashboard, name="index"),
    path("chiffres/", views.police_figures, name="figures"),
    path("carte/", views.police_map_data, name="map"),
]

from django.urls import path

from . import views

app_name = "alerts"

urlpatterns = [
    path("", views.alert_list, name="list"),
    path("terminees/", views.alert_ended_list, name="ended"),
    path("nouvelle/", views.alert_create, name="create"),
    path("police/", views.police_feed, name="police"),
    path("<int:pk>/", views.alert_detail, name="detail"),
    path("<int:pk>/progression/", views.alert_progress_json, name="progress"),
    path("<int:pk>/injoignables/", views.alert_call_list, name="call_list"),
    path("<int:pk>/suivi/", views.alert_follow_up_post, name="follow_up"),
    path("<int:pk>/fin/", views.alert_close_post, name="close"),
    path("<int:pk>/prise-en-charge/", views.alert_police_take_post, name="police_take"),
    path("<int:pk>/signaler/", views.alert_report_post, name="report"),
]

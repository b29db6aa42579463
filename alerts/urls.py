from django.urls import path

from .views import actions, pages, police, post, staff

app_name = "alerts"

urlpatterns = [
    path("", pages.alert_list, name="list"),
    path("terminees/", pages.alert_ended_list, name="ended"),
    path("nouvelle/", post.alert_create, name="create"),
    path("police/", police.police_feed, name="police"),
    path("<int:pk>/", pages.alert_detail, name="detail"),
    path("<int:pk>/progression/", pages.alert_progress_json, name="progress"),
    path("<int:pk>/injoignables/", staff.alert_call_list, name="call_list"),
    path("<int:pk>/telephone/", staff.alert_author_phone_post, name="author_phone"),
    path("<int:pk>/suivi/", actions.alert_follow_up_post, name="follow_up"),
    path("<int:pk>/fin/", actions.alert_close_post, name="close"),
    path("<int:pk>/prise-en-charge/", police.alert_police_take_post, name="police_take"),
    path("<int:pk>/signaler/", actions.alert_report_post, name="report"),
]

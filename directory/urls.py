from django.urls import path

from . import views

app_name = "directory"

urlpatterns = [
    path("", views.member_list, name="list"),
    path("<int:pk>/", views.member_profile, name="profile"),
    path("<int:pk>/photo/", views.member_photo, name="photo"),
]

"""Account settings, mounted at ``/compte/`` (outside the language prefix: one address)."""

from django.urls import path

from . import settings_views as views

app_name = "account_settings"

urlpatterns = [
    path("", views.profile_edit, name="profile"),
    path("photo/", views.own_photo, name="photo"),
    path("notifications/", views.notifications_edit, name="notifications"),
    path("langue/", views.language_edit, name="language"),
    path("communaute/", views.community_edit, name="community"),
    path("communaute/quitter/", views.community_leave, name="leave"),
    path("inscrire-un-voisin/", views.neighbour_add, name="neighbour"),
    path("donnees/", views.data_export, name="export"),
    path("supprimer/", views.account_delete, name="erase"),
    path("confidentialite/", views.privacy_notice, name="privacy"),
]

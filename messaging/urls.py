from django.urls import path

from . import views

app_name = "messaging"

urlpatterns = [
    path("", views.conversation_list, name="list"),
    path("archives/", views.conversation_list, {"archived": True}, name="archives"),
    path("nouvelle/", views.conversation_new, name="new"),
    path("bloques/", views.block_list, name="blocks"),
    path("bloquer/<int:user_pk>/", views.block, name="block"),
    path("debloquer/<int:user_pk>/", views.unblock, name="unblock"),
    path("<int:pk>/", views.conversation_detail, name="conversation"),
    path("<int:pk>/nouveaux/", views.conversation_poll, name="poll"),
    path("<int:pk>/archiver/", views.conversation_archive_toggle, name="archive"),
    path("<int:pk>/quitter/", views.conversation_leave_confirm, name="leave"),
    path("<int:pk>/messages/<int:message_pk>/signaler/", views.message_report, name="report"),
]

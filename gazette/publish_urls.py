"""The gazette's front-end actions, under /publier/ (no Wagtail page slug can collide)."""

from django.urls import path

from . import views

app_name = "gazette_publish"

urlpatterns = [
    path("", views.post_create, name="create"),
    path("mes-publications/", views.my_posts, name="mine"),
    path("<int:pk>/modifier/", views.post_edit, name="edit"),
    path("<int:pk>/supprimer/", views.post_delete, name="delete"),
    path("<int:pk>/commentaires/", views.comment_create, name="comment"),
    path("<int:pk>/signaler/", views.post_report, name="report"),
    path("commentaires/<int:pk>/modifier/", views.comment_edit, name="comment_edit"),
    path("commentaires/<int:pk>/supprimer/", views.comment_delete, name="comment_delete"),
    path("commentaires/<int:pk>/signaler/", views.comment_report, name="comment_report"),
]

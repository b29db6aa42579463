from django.urls import path

from . import views

app_name = "moderation"

urlpatterns = [
    path("inscriptions/", views.registration_queue, name="queue"),
    path("inscriptions/<int:pk>/", views.registration_detail, name="detail"),
    path("inscriptions/<int:pk>/justificatif/", views.registration_proof, name="proof"),
    path("inscriptions/<int:pk>/valider/", views.registration_approve, name="approve"),
    path("inscriptions/<int:pk>/refuser/", views.registration_reject, name="reject"),
]

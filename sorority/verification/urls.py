from django.urls import path

from sorority.verification import views

app_name = "verification"
URL_PREFIX = "verification/"

urlpatterns = [
    path("", views.start, name="start"),
    path("challenge/", views.challenge_new, name="challenge"),
    path("capture/", views.capture, name="capture"),
    path("submit/", views.submit, name="submit"),
    path("status/", views.status, name="status"),
    path("withdraw/", views.withdraw, name="withdraw"),
    path("attestation/", views.attestation, name="attestation"),
    path("moderation/", views.moderation_queue, name="moderation_queue"),
    path("moderation/next/", views.moderation_next, name="moderation_next"),
    path("moderation/stats/", views.moderation_stats, name="moderation_stats"),
    path("moderation/<uuid:case_id>/", views.moderation_detail, name="moderation_detail"),
    path("moderation/<uuid:case_id>/recuse/", views.moderation_recuse, name="moderation_recuse"),
    path("moderation/<uuid:case_id>/claim/", views.moderation_claim, name="moderation_claim"),
    path(
        "moderation/<uuid:case_id>/documents/<slug:name>/",
        views.moderation_document,
        name="moderation_document",
    ),
    path(
        "moderation/<uuid:case_id>/decision/",
        views.moderation_decide,
        name="moderation_decide",
    ),
]

from django.urls import path

from sorority.privacy import views

app_name = "privacy"
# Mounted at the root: the manifest and the service worker must live at "/".
URL_PREFIX = ""

urlpatterns = [
    path("privacy/", views.index, name="index"),
    path("privacy/export/", views.export_page, name="export"),
    path("privacy/export/download/", views.export_download, name="export_download"),
    path("privacy/export/view/", views.export_view, name="export_view"),
    path("privacy/delete/", views.erase_page, name="delete"),
    path("privacy/discreet/", views.discreet_toggle, name="discreet"),
    path("privacy/sessions/", views.sessions_page, name="sessions"),
    path("privacy/flags/", views.flags_page, name="flags"),
    path("privacy/flags/<int:flag_id>/withdraw/", views.flag_withdraw, name="flag_withdraw"),
    path("privacy/notice/", views.notice, name="notice"),
    path("privacy/terms/", views.terms, name="terms"),
    path("manifest.webmanifest", views.manifest, name="manifest"),
    path("sw.js", views.service_worker, name="service_worker"),
]

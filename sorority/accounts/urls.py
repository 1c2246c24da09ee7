from django.urls import path

from sorority.accounts import views

app_name = "accounts"
URL_PREFIX = "me/"

urlpatterns = [
    path("status/", views.status, name="status"),
    path("second-factor/", views.second_factor, name="second_factor"),
    path("settings/", views.settings_page, name="settings"),
]

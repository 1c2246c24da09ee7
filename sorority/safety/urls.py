from django.urls import path

from sorority.safety import views

app_name = "safety"
URL_PREFIX = "safety/"

urlpatterns = [
    path("", views.safety_page, name="page"),
    path("directory/", views.directory_edit, name="directory"),
]

from django.urls import path

from sorority.core import views

app_name = "core"
URL_PREFIX = ""

urlpatterns = [
    path("", views.landing, name="landing"),
    path("before-you-start/", views.before_signup, name="before_signup"),
    path("home/", views.home, name="home"),
    path("exit/", views.quick_exit, name="quick_exit"),
    path("offline/", views.offline, name="offline"),
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
]

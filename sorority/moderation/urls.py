from django.urls import path

from sorority.moderation import views

app_name = "moderation"
URL_PREFIX = "moderation/"

urlpatterns = [
    path("report/", views.report_new, name="report_new"),
    path("reports/", views.reports, name="reports"),
    path("reports/<int:pk>/", views.report_detail, name="report_detail"),
    path("reports/bans/<int:pk>/", views.ban_detail, name="ban_detail"),
]

from django.urls import path

from sorority.associations import views

app_name = "associations"
URL_PREFIX = "associations/"

urlpatterns = [
    path("", views.home, name="home"),
    path("register/", views.register, name="register"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/staff/invite/", views.staff_invite, name="staff_invite"),
    path(
        "<int:pk>/staff/<int:membership_pk>/remove/",
        views.staff_remove,
        name="staff_remove",
    ),
    path(
        "<int:pk>/invitations/<int:invitation_pk>/withdraw/",
        views.staff_invitation_withdraw,
        name="staff_invitation_withdraw",
    ),
    path("<int:pk>/export/", views.export, name="export"),
    path("invitations/<int:pk>/", views.invitation_answer, name="invitation_answer"),
    path("review/", views.review_list, name="review_list"),
    path("review/<int:pk>/", views.review, name="review"),
    path("cases/", views.case_list, name="case_list"),
    path("cases/new/", views.case_new, name="case_new"),
    path("cases/<int:pk>/", views.case_detail, name="case_detail"),
    path("cases/<int:pk>/edit/", views.case_edit, name="case_edit"),
    path("cases/<int:pk>/safety/", views.case_safety, name="case_safety"),
    path("cases/<int:pk>/notes/", views.case_notes, name="case_notes"),
    path("cases/<int:pk>/status/", views.case_status, name="case_status"),
    path("cases/<int:pk>/referent/", views.case_referent, name="case_referent"),
    path("cases/<int:pk>/outreach/", views.case_outreach, name="case_outreach"),
    path(
        "cases/<int:pk>/requests/<int:request_pk>/answer/",
        views.request_record,
        name="request_record",
    ),
    path("cases/<int:pk>/place/", views.case_place, name="case_place"),
    path(
        "cases/<int:pk>/placements/<int:placement_pk>/follow-ups/",
        views.follow_up_new,
        name="follow_up_new",
    ),
    path(
        "cases/<int:pk>/placements/<int:placement_pk>/end/",
        views.placement_end,
        name="placement_end",
    ),
    path(
        "cases/<int:pk>/check-ins/<int:follow_up_pk>/", views.check_in, name="check_in"
    ),
    path("requests/<int:pk>/", views.request_detail, name="request_detail"),
    path("hosting/<int:pk>/", views.hosting_detail, name="hosting_detail"),
    path("c/<str:key>/", views.guest_check_in, name="guest_check_in"),
]

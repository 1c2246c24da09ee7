from django.urls import path

from sorority.places import views

app_name = "places"
URL_PREFIX = "places/"

urlpatterns = [
    path("profile/", views.profile_edit, name="profile"),
    path("search/support/", views.search_support, name="search_support"),
    path("search/safe-place/", views.search_safe_place, name="search_safe_place"),
    path("map/", views.map_page, name="map"),
    path("map/cells/<str:cell>/", views.map_cell, name="map_cell"),
]

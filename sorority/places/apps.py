from django.apps import AppConfig


class PlacesConfig(AppConfig):
    name = "sorority.places"
    label = "places"

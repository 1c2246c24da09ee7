from django.urls import path

from sorority.chat import views

app_name = "chat"
URL_PREFIX = "chat/"

urlpatterns = [
    path("", views.conversation_list, name="list"),
    path("<int:pk>/", views.conversation_detail, name="detail"),
    path("<int:pk>/send/", views.message_send, name="send"),
    path("new/<int:member_id>/", views.conversation_new, name="new"),
    path("block/<int:member_id>/", views.block_confirm, name="block"),
    path("settings/", views.chat_settings, name="settings"),
    path("several/", views.contact_several, name="several"),
]

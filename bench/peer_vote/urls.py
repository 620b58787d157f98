from django.urls import path

from bench.peer_vote import views

urlpatterns = [
    path("vote/cast/", views.cast),
    path("vote/<str:code>/", views.ballot),
]

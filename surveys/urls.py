"""Answering surveys, at /survey/ (config/urls.py): a consultant's own invitations (logged
in) and the public pages a survey e-mail links to (no log-in: the token is the key)."""

from django.urls import path

from surveys import views

app_name = "surveys"

urlpatterns = [
    # Before "<str:token>/": "mine" would otherwise be taken for a token.
    path("mine/", views.mine, name="mine"),
    path("mine/<int:pk>/", views.mine_answer, name="mine-answer"),
    path("mine/<int:pk>/save/", views.mine_save, name="mine-save"),
    path("<str:token>/", views.answer, name="answer"),
    path("<str:token>/save/", views.save, name="save"),
    path("<str:token>/opt-out/", views.optout, name="optout"),
]

"""Survey answering under /api/v1/ (config/api_urls.py): the public link and a
consultant's own invitations."""

from django.urls import path

from surveys import api

urlpatterns = [
    path(
        "survey-responses/<str:token>/",
        api.SurveyResponseView.as_view(),
        name="survey-response-api",
    ),
    path(
        "survey-responses/<str:token>/answers/",
        api.SurveyAnswersView.as_view(),
        name="survey-response-api-answers",
    ),
    path(
        "survey-responses/<str:token>/submit/",
        api.SurveySubmitView.as_view(),
        name="survey-response-api-submit",
    ),
    path(
        "survey-responses/<str:token>/opt-out/",
        api.SurveyOptOutView.as_view(),
        name="survey-response-api-optout",
    ),
    path("my-surveys/", api.MySurveyListView.as_view(), name="my-survey-api-list"),
    path("my-surveys/<int:pk>/", api.MySurveyDetailView.as_view(), name="my-survey-api-detail"),
    path(
        "my-surveys/<int:pk>/answers/",
        api.MySurveyAnswersView.as_view(),
        name="my-survey-api-answers",
    ),
    path(
        "my-surveys/<int:pk>/submit/",
        api.MySurveySubmitView.as_view(),
        name="my-survey-api-submit",
    ),
]

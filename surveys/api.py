"""Answering a survey as an API: the public link (/api/v1/survey-responses/{token}/, no
log-in: the token is the only credential) and a consultant's own invitations
(/api/v1/my-surveys/, logged in). The same services, token rules (404 unknown, 410 expired
or already submitted) and rate limit as the pages (surveys.views)."""

from dataclasses import asdict
from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.utils.decorators import method_decorator
from django.utils.translation import get_language
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
)
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from common.errors import NotFound, PermissionDenied
from common.ratelimit import ratelimit
from consultants.permissions import HasRole
from consultants.roles import Role, consultant_of
from surveys.forms import choice_label
from surveys.logic import visible_keys
from surveys.models import Invitation, Question
from surveys.queries import (
    InvitationState,
    answers_of,
    invitation_by_token,
    invitation_state,
    invitations_of,
    questions_of,
    subject_of,
)
from surveys.services import (
    InvitationExpired,
    answers_save,
    invitation_open,
    optout_create,
    response_submit,
)
from surveys.views import RATE_SCOPE

TAG = "survey answers"
TOKEN = OpenApiParameter(
    "token",
    str,
    OpenApiParameter.PATH,
    description="The token from the survey e-mail (the last part of its /survey/ link).",
)
PK = OpenApiParameter("id", int, OpenApiParameter.PATH, description="The invitation's id.")

# --- Serializers -----------------------------------------------------------------------------


class SurveyErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="Per question key (or field), what is wrong.",
    )


class SurveyChoiceSerializer(serializers.Serializer):
    value = serializers.JSONField(help_text="What to send as the answer.")
    label = serializers.CharField(help_text="In the request's language.")


class SurveyQuestionSerializer(serializers.ModelSerializer):
    kind = serializers.CharField(
        help_text="likert (an integer 1-5), single (one choice value), multiple (a list of "
        "distinct choice values), yes_no (true or false), number (an integer from 0) or "
        "text (up to 4,000 characters)."
    )
    text = serializers.CharField(source="localized_text", help_text="In the request's language.")
    choices = serializers.SerializerMethodField(
        help_text="The options; for a likert question, the labels of its two ends."
    )

    class Meta:
        model = Question
        fields = ["key", "kind", "text", "required", "choices"]

    @extend_schema_field(SurveyChoiceSerializer(many=True))
    def get_choices(self, question: Question) -> list[dict[str, Any]]:
        return [{"value": c.get("value"), "label": choice_label(c)} for c in question.choices]


class SurveyInfoSerializer(serializers.Serializer):
    key = serializers.CharField()
    version = serializers.IntegerField()
    title = serializers.CharField(help_text="In the request's language.")
    intro = serializers.CharField(help_text="In the request's language.")


class SurveySubjectSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text="visit (company), jobcentre or campaign (consultant).")
    campaign = serializers.CharField()
    jobcentre = serializers.CharField(help_text="Empty for a campaign.")
    starts_at = serializers.DateTimeField(allow_null=True, help_text="Visits only.")
    ends_at = serializers.DateTimeField(allow_null=True, help_text="Visits only.")
    consultants = serializers.ListField(child=serializers.CharField(), help_text="Visits only.")


class SurveyResponseSerializer(serializers.Serializer):
    survey = SurveyInfoSerializer()
    subject = SurveySubjectSerializer()
    state = serializers.CharField(help_text="open, submitted or expired.")
    expires_at = serializers.DateTimeField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    questions = SurveyQuestionSerializer(
        many=True, help_text="The questions shown for the answers saved now, in order."
    )
    answers = serializers.DictField(
        child=serializers.JSONField(), help_text="The saved answers: question key to value."
    )


class MySurveyResponseSerializer(SurveyResponseSerializer):
    id = serializers.IntegerField()


class SurveyAnswersSerializer(serializers.Serializer):
    answers = serializers.DictField(
        child=serializers.JSONField(allow_null=True),
        help_text="Question key to value; null or an empty value removes the answer. "
        "All or nothing: one refused value saves none.",
    )


class SurveySubmitSerializer(serializers.Serializer):
    answers = serializers.DictField(
        child=serializers.JSONField(allow_null=True),
        required=False,
        help_text="Answers to save before submitting (optional).",
    )


class SurveyOptOutSerializer(serializers.Serializer):
    opted_out = serializers.BooleanField()


class MySurveySerializer(serializers.ModelSerializer):
    title = serializers.CharField(source="survey.localized_title")
    campaign = serializers.CharField(source="campaign.name")
    state = serializers.SerializerMethodField(help_text="open, submitted or expired.")

    class Meta:
        model = Invitation
        fields = ["id", "title", "campaign", "state", "expires_at", "opened_at", "submitted_at"]

    def get_state(self, invitation: Invitation) -> str:
        return invitation_state(invitation)


def response_data(invitation: Invitation) -> dict[str, Any]:
    """What the API says about an invitation: the survey, what it is about, its state, the
    questions shown now and the saved answers."""
    survey = invitation.survey
    questions = questions_of(invitation)
    answers = answers_of(invitation)
    visible = visible_keys(questions, answers)
    info = {
        "key": survey.key,
        "version": survey.version,
        "title": survey.localized_title(),
        "intro": survey.intro_en if get_language() == "en" and survey.intro_en else survey.intro,
    }
    return {
        "survey": info,
        "subject": asdict(subject_of(invitation)),
        "state": invitation_state(invitation),
        "expires_at": invitation.expires_at,
        "submitted_at": invitation.submitted_at,
        "questions": [q for q in questions if q.key in visible],
        "answers": answers,
    }


ERRORS = {
    400: OpenApiResponse(
        SurveyErrorSerializer,
        description='Refused answers, per question: {"detail": "...", "errors": {"key": '
        '["..."]}}. Nothing of the request is saved.',
    ),
    404: OpenApiResponse(SurveyErrorSerializer, description="No such invitation."),
    410: OpenApiResponse(
        SurveyErrorSerializer, description="The survey has expired or was already submitted."
    ),
}
PUBLIC_ERRORS = {
    **ERRORS,
    429: OpenApiResponse(SurveyErrorSerializer, description="Too many requests from this address."),
}


def _show(invitation: Invitation) -> dict[str, Any]:
    if invitation_state(invitation) == InvitationState.EXPIRED:
        raise InvitationExpired()
    if invitation.submitted_at is None:
        invitation_open(invitation)
    return response_data(invitation)


def _save(invitation: Invitation, data) -> dict[str, Any]:
    serializer = SurveyAnswersSerializer(data=data)
    serializer.is_valid(raise_exception=True)
    answers_save(invitation=invitation, answers=serializer.validated_data["answers"])
    return response_data(invitation)


def _submit(invitation: Invitation, data) -> dict[str, Any]:
    serializer = SurveySubmitSerializer(data=data)
    serializer.is_valid(raise_exception=True)
    response_submit(invitation=invitation, answers=serializer.validated_data.get("answers"))
    return response_data(invitation)


# --- The public link -------------------------------------------------------------------------


@method_decorator([login_not_required, ratelimit(RATE_SCOPE, json=True)], name="dispatch")
class PublicSurveyView(APIView):
    """Base: anyone with a token; no authentication, no session (so no CSRF either)."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        response["Cache-Control"] = "no-store"
        response["Referrer-Policy"] = "no-referrer"
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response


class SurveyResponseView(PublicSurveyView):
    @extend_schema(
        operation_id="survey_response",
        tags=[TAG],
        parameters=[TOKEN],
        responses={200: SurveyResponseSerializer, **PUBLIC_ERRORS},
        summary="The survey, the questions shown now and the saved answers",
        description="Marks the invitation opened. A submitted invitation answers with state "
        "submitted; an expired one 410.",
    )
    def get(self, request, token: str):
        return Response(SurveyResponseSerializer(_show(invitation_by_token(token))).data)


class SurveyAnswersView(PublicSurveyView):
    @extend_schema(
        operation_id="survey_response_answers",
        tags=[TAG],
        parameters=[TOKEN],
        request=SurveyAnswersSerializer,
        responses={200: SurveyResponseSerializer, **PUBLIC_ERRORS},
        summary="Save answers",
        description="Answers to questions hidden by the (new) answers are refused; saved "
        "answers of questions the new answers hide are removed.",
    )
    def patch(self, request, token: str):
        data = _save(invitation_by_token(token), request.data)
        return Response(SurveyResponseSerializer(data).data)


class SurveySubmitView(PublicSurveyView):
    @extend_schema(
        operation_id="survey_response_submit",
        tags=[TAG],
        parameters=[TOKEN],
        request=SurveySubmitSerializer,
        responses={200: SurveyResponseSerializer, **PUBLIC_ERRORS},
        summary="Submit the answers",
        description="Saves the given answers first (kept even when the submit is refused), "
        "then checks that every required question shown is answered.",
    )
    def post(self, request, token: str):
        data = _submit(invitation_by_token(token), request.data)
        return Response(SurveyResponseSerializer(data).data)


class SurveyOptOutView(PublicSurveyView):
    @extend_schema(
        operation_id="survey_response_opt_out",
        tags=[TAG],
        parameters=[TOKEN],
        request=None,
        responses={
            200: SurveyOptOutSerializer,
            404: PUBLIC_ERRORS[404],
            429: PUBLIC_ERRORS[429],
        },
        summary="Send no more survey e-mail to the invitation's address",
        description="Works whatever the invitation's state. Idempotent.",
    )
    def post(self, request, token: str):
        optout_create(email=invitation_by_token(token).email)
        return Response({"opted_out": True})


# --- A consultant's own invitations ----------------------------------------------------------


class MySurveyView(APIView):
    """Base: a logged-in consultant's own invitations; another's is 404."""

    permission_classes = [HasRole]
    roles = (Role.CONSULTANT,)

    def invitations(self):
        consultant = consultant_of(self.request.user)
        if consultant is None:
            raise PermissionDenied()
        return invitations_of(consultant)

    def invitation(self, pk: int) -> Invitation:
        invitation = self.invitations().filter(pk=pk).first()
        if invitation is None:
            raise NotFound()
        return invitation

    def detail(self, invitation: Invitation, data: dict) -> Response:
        return Response(MySurveyResponseSerializer({**data, "id": invitation.pk}).data)


class MySurveyListView(MySurveyView):
    @extend_schema(
        operation_id="my_surveys",
        tags=[TAG],
        responses={200: MySurveySerializer(many=True)},
        summary="My survey invitations, newest first",
    )
    def get(self, request):
        return Response(MySurveySerializer(self.invitations(), many=True).data)


class MySurveyDetailView(MySurveyView):
    @extend_schema(
        operation_id="my_survey",
        tags=[TAG],
        parameters=[PK],
        responses={200: MySurveyResponseSerializer, **ERRORS},
        summary="One of my surveys: the questions shown now and my saved answers",
    )
    def get(self, request, pk: int):
        invitation = self.invitation(pk)
        return self.detail(invitation, _show(invitation))


class MySurveyAnswersView(MySurveyView):
    @extend_schema(
        operation_id="my_survey_answers",
        tags=[TAG],
        parameters=[PK],
        request=SurveyAnswersSerializer,
        responses={200: MySurveyResponseSerializer, **ERRORS},
        summary="Save answers to one of my surveys",
    )
    def patch(self, request, pk: int):
        invitation = self.invitation(pk)
        return self.detail(invitation, _save(invitation, request.data))


class MySurveySubmitView(MySurveyView):
    @extend_schema(
        operation_id="my_survey_submit",
        tags=[TAG],
        parameters=[PK],
        request=SurveySubmitSerializer,
        responses={200: MySurveyResponseSerializer, **ERRORS},
        summary="Submit my answers to one of my surveys",
    )
    def post(self, request, pk: int):
        invitation = self.invitation(pk)
        return self.detail(invitation, _submit(invitation, request.data))

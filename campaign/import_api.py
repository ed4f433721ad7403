"""The company import over the API, under /api/v1/imports/: upload a file (multipart), read
its preview, confirm or discard it. Agency staff only; campaign.imports does the work."""

from django.template.defaultfilters import filesizeformat
from django.urls import path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import generics, serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from campaign.import_files import MAX_FILE_BYTES
from campaign.import_rows import DuplicateKind
from campaign.imports import (
    import_batch_commit,
    import_batch_create,
    import_batch_discard,
    import_batch_preview,
    import_batches_for,
)
from campaign.models import Campaign, ImportBatch, Track
from consultants.permissions import HasRole
from consultants.roles import Role


class ImportUploadSerializer(serializers.Serializer):
    campaign = serializers.PrimaryKeyRelatedField(queryset=Campaign.objects.all())
    track = serializers.ChoiceField(choices=Track.choices)
    file = serializers.FileField(help_text=_("CSV (UTF-8, ; or , separated) or XLSX."))

    def validate_file(self, value):
        if value.size > MAX_FILE_BYTES:
            raise serializers.ValidationError(
                _("The file is larger than %(size)s.") % {"size": filesizeformat(MAX_FILE_BYTES)}
            )
        return value


class DuplicateSerializer(serializers.Serializer):
    # Plain strings, not enums: a named enum component would collide with the API's other
    # "kind" and "status" enums.
    kind = serializers.CharField(help_text=" | ".join(DuplicateKind.labels))
    label = serializers.CharField()
    detail = serializers.CharField()


class PreviewRowSerializer(serializers.Serializer):
    row = serializers.IntegerField(help_text=_("Row number in the file; the header is row 1."))
    cvr = serializers.CharField()
    name = serializers.CharField()
    employees = serializers.IntegerField(allow_null=True)
    sites = serializers.IntegerField(allow_null=True)
    municipality = serializers.CharField()
    jobcentre = serializers.CharField()
    eligibility = serializers.CharField()
    flags = serializers.ListField(child=serializers.CharField())
    reasons = serializers.ListField(child=serializers.CharField())
    duplicates = DuplicateSerializer(many=True)
    existing_company = serializers.BooleanField()
    result = serializers.CharField(help_text=_("After the import: created or updated."))


class CountsSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    accepted = serializers.IntegerField()
    flagged = serializers.IntegerField()
    rejected = serializers.IntegerField()
    duplicate = serializers.IntegerField()


class JobcentreCountSerializer(serializers.Serializer):
    jobcentre = serializers.CharField()
    companies = serializers.IntegerField()


class PreviewSerializer(serializers.Serializer):
    validated = serializers.BooleanField()
    counts = CountsSerializer()
    jobcentres = JobcentreCountSerializer(many=True)
    accepted = PreviewRowSerializer(many=True)
    rejected = PreviewRowSerializer(many=True)
    duplicates = PreviewRowSerializer(many=True)


class ImportBatchSerializer(serializers.ModelSerializer):
    uploaded_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    status = serializers.CharField(read_only=True, help_text=" | ".join(ImportBatch.Status))

    class Meta:
        model = ImportBatch
        fields = [
            "id",
            "campaign",
            "track",
            "filename",
            "status",
            "total_rows",
            "processed_rows",
            "error",
            "uploaded_by",
            "created_at",
            "committed_at",
        ]
        read_only_fields = fields


class ImportBatchDetailSerializer(ImportBatchSerializer):
    preview = serializers.SerializerMethodField()

    class Meta(ImportBatchSerializer.Meta):
        fields = [*ImportBatchSerializer.Meta.fields, "preview"]
        read_only_fields = fields

    @extend_schema_field(PreviewSerializer)
    def get_preview(self, batch: ImportBatch) -> dict:
        preview = import_batch_preview(batch=batch)
        preview["jobcentres"] = [
            {"jobcentre": name, "companies": count} for name, count in preview["jobcentres"]
        ]
        return PreviewSerializer(preview).data


class AgencyOnly:
    permission_classes = [HasRole]
    roles = (Role.AGENCY,)


def _detail(batch: ImportBatch, code: int = status.HTTP_200_OK) -> Response:
    return Response(ImportBatchDetailSerializer(batch).data, status=code)


class ImportListCreateAPIView(AgencyOnly, generics.ListAPIView):
    """Company imports, newest first; POST uploads a file and validates it (a long file is
    validated in the background: poll the import until its status is "preview")."""

    serializer_class = ImportBatchSerializer
    parser_classes = [MultiPartParser, FormParser]

    def get_queryset(self):
        return import_batches_for(self.request.user).defer("content", "rows")

    @extend_schema(
        request={"multipart/form-data": ImportUploadSerializer},
        responses={201: ImportBatchDetailSerializer},
    )
    def post(self, request):
        upload = ImportUploadSerializer(data=request.data)
        upload.is_valid(raise_exception=True)
        data = upload.validated_data
        batch = import_batch_create(
            actor=request.user,
            campaign=data["campaign"],
            track=data["track"],
            filename=data["file"].name,
            content=data["file"].read(),
        )
        return _detail(batch, status.HTTP_201_CREATED)


class ImportDetailAPIView(AgencyOnly, generics.RetrieveAPIView):
    """An import with its status, progress and preview: accepted rows (with the reason they
    fit the track and any flags), rejected rows (with reasons) and duplicates (with kinds)."""

    serializer_class = ImportBatchDetailSerializer

    def get_queryset(self):
        return import_batches_for(self.request.user).defer("content")


class ImportCommitAPIView(AgencyOnly, APIView):
    """Confirm a previewed import: its accepted rows are stored in one transaction. 200 when
    stored; 202 when a long import is stored in the background (poll the import)."""

    @extend_schema(
        request=None,
        responses={
            200: ImportBatchDetailSerializer,
            202: ImportBatchDetailSerializer,
            409: OpenApiResponse(description="Not waiting for confirmation, or it failed."),
        },
    )
    def post(self, request, pk: int):
        batch = generics.get_object_or_404(import_batches_for(request.user).defer("content"), pk=pk)
        batch = import_batch_commit(actor=request.user, batch=batch)
        done = batch.status == ImportBatch.Status.DONE
        return _detail(batch, status.HTTP_200_OK if done else status.HTTP_202_ACCEPTED)


class ImportDiscardAPIView(AgencyOnly, APIView):
    """Discard an import that is not stored; its file and rows are deleted."""

    @extend_schema(request=None, responses={200: ImportBatchSerializer})
    def post(self, request, pk: int):
        batch = generics.get_object_or_404(
            import_batches_for(request.user).defer("content", "rows"), pk=pk
        )
        batch = import_batch_discard(actor=request.user, batch=batch)
        return Response(ImportBatchSerializer(batch).data)


urlpatterns = [
    path("imports/", ImportListCreateAPIView.as_view(), name="api-import-list"),
    path("imports/<int:pk>/", ImportDetailAPIView.as_view(), name="api-import-detail"),
    path("imports/<int:pk>/commit/", ImportCommitAPIView.as_view(), name="api-import-commit"),
    path("imports/<int:pk>/discard/", ImportDiscardAPIView.as_view(), name="api-import-discard"),
]

"""REST API of the certificates app: my certificates, and public verification."""

from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from certificates import selectors
from certificates.models import CertificateStatus
from certificates.ratelimit import verification_allowed
from common.errors import DomainError, NotFound


class VerificationRateLimited(DomainError):
    status_code = 429
    default_code = "rate_limited"


class CertificateMineApi(APIView):
    """My certificates, newest first, with their state and PDF address."""

    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        code = serializers.CharField(source="display_code")
        achievement = serializers.CharField(source="achievement_localized")
        issued_at = serializers.DateTimeField()
        status = serializers.ChoiceField(choices=CertificateStatus.choices)
        revoked_at = serializers.DateTimeField(allow_null=True)
        download_url = serializers.SerializerMethodField()
        verification_url = serializers.SerializerMethodField()

        def get_download_url(self, certificate) -> str | None:
            if not certificate.is_valid:
                return None
            return reverse("certificates:download", args=[certificate.pk])

        def get_verification_url(self, certificate) -> str:
            return reverse("certificates:verify_code", args=[certificate.code])

    @extend_schema(responses=OutputSerializer(many=True))
    def get(self, request):
        certificates = selectors.certificates_of_user(user=request.user)
        return Response(self.OutputSerializer(certificates, many=True).data)


class CertificateVerifyApi(APIView):
    """Check a certificate by its code: what is printed on it, and its status.

    Public, rate-limited per address (429 when over the limit). The code is
    case-insensitive; spaces and dashes are ignored.
    """

    authentication_classes: list = []
    permission_classes = [AllowAny]

    class OutputSerializer(serializers.Serializer):
        code = serializers.CharField()
        status = serializers.ChoiceField(choices=CertificateStatus.choices)
        name = serializers.CharField()
        achievement = serializers.CharField()
        issued_on = serializers.DateField()
        school = serializers.CharField()
        issuer = serializers.CharField()
        revoked_on = serializers.DateField(allow_null=True)
        replaced = serializers.BooleanField()

    @extend_schema(
        responses={
            200: OutputSerializer,
            404: OpenApiResponse(description="No certificate has this code."),
            429: OpenApiResponse(description="Too many lookups from this address."),
        }
    )
    def get(self, request, code: str):
        if not verification_allowed(request):
            raise VerificationRateLimited(
                _("Too many checks from this address. Please try again in 10 minutes.")
            )
        verification = selectors.certificate_verification(code=code)
        if verification is None:
            raise NotFound(_("No certificate was found with this code."))
        response = Response(self.OutputSerializer(verification).data)
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response

"""Token login for the phone app."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from audits.login import LoginFailed, LoginThrottled, token_login
from backend.schema import ERRORS


class TokenLoginApi(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []

    class Input(serializers.Serializer):
        username = serializers.CharField(max_length=150)
        password = serializers.CharField(max_length=128, trim_whitespace=False)

    class Output(serializers.Serializer):
        token = serializers.CharField()
        role = serializers.CharField()
        username = serializers.CharField()

    @extend_schema(
        summary="Exchange a username and password for an API token",
        description="Failed attempts are counted per username and per address; past the limit the answer is 429.",
        request=Input,
        responses={200: Output, **ERRORS(400, 429)},
    )
    def post(self, request):
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            token = token_login(
                request=request,
                username=data.validated_data["username"],
                password=data.validated_data["password"],
                address=request.META.get("REMOTE_ADDR", ""),
            )
        except LoginThrottled as throttled:
            return Response(
                {"detail": "Too many failed logins; try again later.", "code": "throttled"},
                status=status.HTTP_429_TOO_MANY_REQUESTS,
                headers={"Retry-After": str(throttled.retry_after)},
            )
        except LoginFailed:
            return Response(
                {"detail": "Wrong username or password.", "errors": {"non_field_errors": ["Wrong username or password."]}},
                status=status.HTTP_400_BAD_REQUEST,
            )
        user = token.user
        return Response(self.Output({"token": token.key, "role": user.role, "username": user.username}).data)

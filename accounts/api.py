"""Token sign-in and sign-out for the phone app."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.authentication import ExpiringTokenAuthentication
from accounts.login import LoginFailed, LoginThrottled, token_login
from accounts.services.tokens import token_expires_at, token_revoke
from backend.schema import ERRORS


class TokenLoginApi(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []

    class Input(serializers.Serializer):
        username = serializers.CharField(max_length=150)
        password = serializers.CharField(max_length=128, trim_whitespace=False)

    class Output(serializers.Serializer):
        token = serializers.CharField()
        expires_at = serializers.DateTimeField(
            help_text="When the token stops working (401 `token_expired`): sign in again before or then."
        )
        role = serializers.CharField()
        username = serializers.CharField()

    @extend_schema(
        summary="Exchange a username and password for an API token",
        description=(
            "The token lasts API_TOKEN_TTL_DAYS (30 by default) from this sign-in; signing in "
            "again while it is valid keeps the same token and restarts its lifetime. Failed "
            "attempts are counted per username and address, and more loosely per username and "
            "per address; past a limit the answer is 429 with Retry-After."
        ),
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
                {
                    "detail": "Wrong username or password.",
                    "errors": {"non_field_errors": ["Wrong username or password."]},
                },
                status=status.HTTP_400_BAD_REQUEST,
            )
        user = token.user
        return Response(
            self.Output(
                {
                    "token": token.key,
                    "expires_at": token_expires_at(token),
                    "role": user.role,
                    "username": user.username,
                }
            ).data
        )


class TokenLogoutApi(APIView):
    # Only the token can be signed out here; a web session signs out at /accounts/logout/.
    authentication_classes = [ExpiringTokenAuthentication]
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Sign out: revoke the API token this request is sent with",
        description="Afterwards the token is refused with 401 `token_invalid`.",
        request=None,
        responses={204: OpenApiResponse(description="Revoked."), **ERRORS(401)},
    )
    def post(self, request):
        token_revoke(token=request.auth)
        return Response(status=status.HTTP_204_NO_CONTENT)

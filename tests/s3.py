"""moto's S3 server for tests: fake credentials, a bucket, and storage settings pointing at it.

Nothing is mocked: django-storages talks HTTP to the server through boto3.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import boto3
import pytest

FAKE_CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}


@contextlib.contextmanager
def fake_aws_credentials() -> Iterator[None]:
    """Never let boto3 find real credentials or a profile on this machine."""
    with pytest.MonkeyPatch.context() as env:
        env.setenv("AWS_ACCESS_KEY_ID", "testing")
        env.setenv("AWS_SECRET_ACCESS_KEY", "testing")
        env.setenv("AWS_DEFAULT_REGION", "us-east-1")
        env.setenv("AWS_CONFIG_FILE", "/nonexistent")
        env.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
        for name in ("AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_PROFILE"):
            env.delenv(name, raising=False)
        yield


def bucket_client(endpoint: str, bucket: str):
    """A boto3 client of the server at `endpoint`, with a private `bucket` made on it."""
    client = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", **FAKE_CREDENTIALS)
    client.create_bucket(Bucket=bucket, ACL="private")
    return client


def storages_on_bucket(settings, endpoint: str, bucket: str, **options) -> dict:
    """settings.STORAGES with the default storage on the bucket, as production has with AWS_* set.

    Assigning the result to settings.STORAGES sends setting_changed, on which
    Django (in django.test.signals) empties the `storages` cache and resets the
    lazy `default_storage`, both now and when the test restores the setting.
    """
    return {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": bucket,
                "endpoint_url": endpoint,
                "access_key": "testing",
                "secret_key": "testing",
                "region_name": "us-east-1",
                "default_acl": "private",
                "querystring_auth": True,
                "file_overwrite": True,
                **options,
            },
        },
    }

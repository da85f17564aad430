"""How an evidence file (of an action plan or an appeal) is shown by the API and the pages."""

from __future__ import annotations

from typing import Any


def evidence_row(evidence: Any, *, url: str) -> dict:
    """The file's facts and URLs; `url` is its owner's file route. A PDF has no thumbnail."""
    return {
        "id": evidence.pk,
        "filename": evidence.filename,
        "content_type": evidence.content_type,
        "size_bytes": evidence.size_bytes,
        "width": evidence.width,
        "height": evidence.height,
        "uploaded_by": evidence.uploaded_by.username,
        "uploaded_at": evidence.created_at,
        "url": url,
        "thumb_url": f"{url}?size=thumb" if evidence.thumb_name else None,
    }

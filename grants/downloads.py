"""One way to hand a stored file to the browser. The views decide who may see the file (through
their access helper, which answers 404); this module opens it from the storage its field names
and sets the headers: content type, disposition and, for private files, no caching anywhere."""

import mimetypes

from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404

from grants.storage import PrivateMediaStorage

PRIVATE_CACHE_CONTROL = "private, no-store"


def is_private(field: FieldFile) -> bool:
    """Whether the file lives in the private storage (attachments, receipts, letters)."""
    return isinstance(field.storage, PrivateMediaStorage)


def file_download(
    field: FieldFile,
    *,
    filename: str,
    content_type: str = "",
    as_attachment: bool = True,
) -> FileResponse:
    """A FileResponse for a stored file, or 404 if there is none (an empty field, or a file the
    storage no longer has). Private files are marked so no shared cache keeps them."""
    if not field:
        raise Http404
    try:
        handle = field.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle,
        as_attachment=as_attachment,
        filename=filename,
        content_type=content_type
        or mimetypes.guess_type(filename)[0]
        or "application/octet-stream",
    )
    if is_private(field):
        response["Cache-Control"] = PRIVATE_CACHE_CONTROL
    return response

"""Refuse an oversized evidence file while it arrives, not after Django has stored all of it."""

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, SkipFile

# Room for the other form fields and the multipart headers of a single-file upload form.
FORM_OVERHEAD_BYTES = 64 * 1024


class EvidenceSizeLimitHandler(FileUploadHandler):
    """First in the handler list: skips a file as soon as it grows beyond ``EVIDENCE_MAX_BYTES``.

    Skipping closes what the next handlers wrote (a temporary file is deleted) and discards the rest
    of that file's bytes, so nothing is kept; the refused names are in ``refused`` for the message.
    """

    def __init__(self, request=None):
        super().__init__(request)
        self.limit = settings.EVIDENCE_MAX_BYTES
        self.refused: list[str] = []

    def receive_data_chunk(self, raw_data, start):
        if start + len(raw_data) > self.limit:
            self.refused.append(self.file_name)
            raise SkipFile
        return raw_data

    def file_complete(self, file_size):
        return None  # the next handler builds the uploaded file


def evidence_upload_handlers_install(request) -> EvidenceSizeLimitHandler:
    """Must run before anything reads request.POST or request.FILES."""
    handler = EvidenceSizeLimitHandler(request)
    request.upload_handlers.insert(0, handler)
    return handler


def evidence_request_too_large(request) -> bool:
    """The declared size of the whole request already exceeds what one file plus the form may be."""
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return False
    return declared > settings.EVIDENCE_MAX_BYTES + FORM_OVERHEAD_BYTES

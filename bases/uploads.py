"""Limits on an upload that hold while the request body is being read, before any file is whole.

Two stops, so that an oversize post is never read to its end (nginx's client_max_body_size is the
first, README "Uploads"): shaoxing_trade_secret.middleware.RefuseOversizeUploads answers 413 when
the declared Content-Length is over max_post_bytes(), and AttachmentLimitHandler, the first of
FILE_UPLOAD_HANDLERS, stops reading at the first file over ATTACHMENT_MAX_BYTES or past
ATTACHMENT_MAX_FILES_PER_POST files. The fields before the files (the CSRF token, the chosen
condition) are kept, so the page can show the form again with the reason beside the file field."""

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.template.defaultfilters import filesizeformat

# The form fields around the files, the multipart boundaries and part headers.
POST_MARGIN_BYTES = 1024 * 1024


def max_post_bytes() -> int:
    """The largest multipart body the site reads: every file of one post at its limit, plus the margin."""
    return settings.ATTACHMENT_MAX_BYTES * settings.ATTACHMENT_MAX_FILES_PER_POST + POST_MARGIN_BYTES


def oversize_post_message() -> str:
    return (
        f"一次上传的内容超过 {filesizeformat(max_post_bytes())} 的上限（每次最多 "
        f"{settings.ATTACHMENT_MAX_FILES_PER_POST} 个文件，单个文件不超过 "
        f"{filesizeformat(settings.ATTACHMENT_MAX_BYTES)}），本次上传未被接收。请分批上传。"
    )


def upload_refusal(request) -> str:
    """Why the upload handler stopped reading this request's files, or ""; the files of such a post
    are incomplete and none of them is kept. Reads the body first if nothing has yet."""
    request.FILES  # noqa: B018 - parsing the body is what may stop the upload
    return getattr(request, "upload_refusal", "")


class AttachmentLimitHandler(FileUploadHandler):
    """Counts the files and the bytes of each file as they arrive and stops the upload, without
    reading the rest of the body (StopUpload with connection_reset), as soon as one is too many or
    too large. The reason is left on the request for upload_refusal()."""

    def __init__(self, request=None):
        super().__init__(request)
        self.files = 0

    def new_file(self, field_name, file_name, *args, **kwargs):
        super().new_file(field_name, file_name, *args, **kwargs)
        self.files += 1
        if self.files > settings.ATTACHMENT_MAX_FILES_PER_POST:
            self._refuse(
                f"一次最多上传 {settings.ATTACHMENT_MAX_FILES_PER_POST} 个文件，本次选择的文件均未上传，请分批上传。"
            )

    def receive_data_chunk(self, raw_data, start):
        if start + len(raw_data) > settings.ATTACHMENT_MAX_BYTES:
            self._refuse(
                f"文件“{self.file_name}”超过 {filesizeformat(settings.ATTACHMENT_MAX_BYTES)} 的上限，"
                "本次选择的文件均未上传。"
            )
        return raw_data

    def file_complete(self, file_size):
        return None  # the next handlers keep the file

    def _refuse(self, message: str):
        if self.request is not None:
            self.request.upload_refusal = message
        raise StopUpload(connection_reset=True)

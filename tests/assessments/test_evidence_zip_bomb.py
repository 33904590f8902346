"""A zip whose small "mimetype" member inflates to hundreds of megabytes is judged without inflating it."""

import io
import tracemalloc
import zipfile

from assessments.services.evidence import evidence_detect_type


def _bomb(member_size: int) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        with archive.open("mimetype", "w", force_zip64=True) as member:
            chunk = b"\0" * (1024 * 1024)
            for _ in range(member_size // len(chunk)):
                member.write(chunk)
        archive.writestr("content.xml", "<c/>")
    return buffer.getvalue()


def test_the_mimetype_member_is_never_read_whole(monkeypatch):
    content = _bomb(64 * 1024 * 1024)
    assert len(content) < 200_000  # 64 MiB inflated, a few hundred KB on the wire
    requested = []
    real_read = zipfile.ZipExtFile.read

    def spy(self, n=-1):
        requested.append(n)
        return real_read(self, n)

    monkeypatch.setattr(zipfile.ZipExtFile, "read", spy)
    tracemalloc.start()
    try:
        detected = evidence_detect_type(head=content[:8192], stream=io.BytesIO(content), name="bomb.odt")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert detected.content_type == "application/zip"  # not an ODF document, and not inflated to find out
    assert all(0 <= n <= 100 for n in requested)
    assert peak < 4 * 1024 * 1024


def test_a_real_odf_marker_is_still_recognised():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", "<c/>")
    content = buffer.getvalue()
    detected = evidence_detect_type(head=content[:8192], stream=io.BytesIO(content), name="sheet.ods")
    assert detected.content_type == "application/vnd.oasis.opendocument.spreadsheet"

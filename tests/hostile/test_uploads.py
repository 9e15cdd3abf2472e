"""Uploads: zip bombs refused from their central directory, PDFs with active content refused,
the refusal in the applicant's language and no file left behind."""

import io
import tracemalloc
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from grants.forms.portal import (
    ZIP_MAX_ENTRIES,
    UploadRefused,
    detect_file_type,
    validate_upload,
)
from grants.models import Attachment
from tests.hostile.conftest import deflated_zip

ODT = "application/vnd.oasis.opendocument.text"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def test_an_odt_whose_mimetype_inflates_to_a_gigabyte_is_refused_without_inflating_it():
    bomb = deflated_zip({"mimetype": (1024**3, b"\0")})
    assert len(bomb) < 2 * 1024 * 1024
    tracemalloc.start()
    try:
        with pytest.raises(UploadRefused) as refused:
            detect_file_type(io.BytesIO(bomb))
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert refused.value.code in {"zip_size", "zip_ratio"}
    assert peak < 20 * 1024 * 1024  # the bomb itself is ~1 MB; nothing was inflated


def test_a_docx_with_a_300_mb_member_is_refused():
    bomb = deflated_zip(
        {
            "[Content_Types].xml": b"<Types/>",
            "word/document.xml": b"<w:document/>",
            "word/media/big.bin": (300 * 1024 * 1024, b"A"),
        }
    )
    with pytest.raises(UploadRefused):
        detect_file_type(io.BytesIO(bomb))


def test_a_highly_compressed_member_is_refused_by_its_ratio():
    bomb = deflated_zip({"[Content_Types].xml": b"<Types/>", "word/x.xml": (20 * 1024**2, b"0")})
    with pytest.raises(UploadRefused) as refused:
        detect_file_type(io.BytesIO(bomb))
    assert refused.value.code == "zip_ratio"


def test_too_many_entries_are_refused():
    archive = deflated_zip(
        {"[Content_Types].xml": b"<Types/>", **{f"word/{i}.xml": b"x" for i in range(1001)}}
    )
    assert ZIP_MAX_ENTRIES < 1002
    with pytest.raises(UploadRefused) as refused:
        detect_file_type(io.BytesIO(archive))
    assert refused.value.code == "zip_entries"


def test_ordinary_office_files_still_pass():
    odt = deflated_zip({"mimetype": ODT.encode(), "content.xml": b"<office:document/>" * 1000})
    docx = deflated_zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w/>" * 5000})
    assert detect_file_type(io.BytesIO(odt)) == "odt"
    assert detect_file_type(io.BytesIO(docx)) == "docx"


def test_a_zip_that_lies_about_its_content_is_not_read_past_the_declared_size():
    """The declared sizes bound inflation: a corrupt or lying member gives None, not a crash."""
    data = bytearray(deflated_zip({"mimetype": ODT.encode()}))
    data[30 + len("mimetype") + 2] ^= 0xFF  # damage the deflated bytes of the member
    assert detect_file_type(io.BytesIO(bytes(data))) in {None, "odt"}
    assert detect_file_type(io.BytesIO(b"PK\x03\x04 not really a zip")) is None


@pytest.mark.parametrize(
    "body",
    [
        b"<< /Type /Action /S /JavaScript /JS (app.alert(1)) >>",
        b"<< /OpenAction << /S /Launch /F (cmd.exe) >> >>",
        b"<< /Names << /EmbeddedFiles 3 0 R >> >>",
        b"<< /S /J#61vaScript >>",  # a name written with a #xx escape
    ],
)
def test_pdfs_with_active_content_are_refused(body):
    pdf = PDF.replace(b"<< /Type /Catalog >>", body)
    with pytest.raises(UploadRefused) as refused:
        detect_file_type(io.BytesIO(pdf))
    assert refused.value.code == "pdf_active"
    assert detect_file_type(io.BytesIO(PDF)) == "pdf"


def test_an_active_pdf_name_across_a_chunk_boundary_is_found(monkeypatch):
    monkeypatch.setattr("grants.forms.portal.PDF_SCAN_CHUNK", 64)
    pdf = b"%PDF-1.4\n" + b" " * 51 + b"/JavaScript (x)\n%%EOF"
    with pytest.raises(UploadRefused):
        detect_file_type(io.BytesIO(pdf))


@pytest.mark.parametrize(
    ("language", "expected"),
    [("sv", "packad mycket tätare"), ("en", "packed far more tightly")],
)
def test_the_refusal_says_what_was_wrong_in_the_applicants_language(language, expected):
    from django.core.exceptions import ValidationError
    from django.utils import translation

    bomb = deflated_zip({"[Content_Types].xml": b"<Types/>", "word/x.xml": (20 * 1024**2, b"0")})
    with translation.override(language):
        with pytest.raises(ValidationError) as refused:
            validate_upload(SimpleUploadedFile("bomb.docx", bomb))
        assert expected in " ".join(refused.value.messages)


@pytest.fixture
def draft(db, applicant, organisation):
    from tests import factories

    return factories.make_application(organisation=organisation)


def test_a_refused_upload_leaves_no_file_and_no_attachment(client, applicant, draft, settings):
    client.force_login(applicant)
    bomb = deflated_zip({"mimetype": (64 * 1024**2, b"\0")})
    response = client.post(
        f"/portal/ansokningar/{draft.pk}/attachments/",
        {"kind": "statutes", "file": SimpleUploadedFile("plan.odt", bomb)},
    )
    assert response.status_code == 400
    assert "packad mycket tätare" in response.content.decode() or "packar upp" in (
        response.content.decode()
    )
    assert not Attachment.objects.exists()
    private = settings.PRIVATE_MEDIA_ROOT
    assert not private.exists() or not [p for p in private.rglob("*") if p.is_file()]


def test_zipfile_reads_only_the_directory_for_the_checks():
    """The checks use the central directory: ZipFile() does not inflate anything on open."""
    bomb = deflated_zip({"mimetype": (256 * 1024**2, b"\0")})
    with zipfile.ZipFile(io.BytesIO(bomb)) as archive:
        info = archive.getinfo("mimetype")
    assert info.file_size == 256 * 1024**2 and info.compress_size < 1024**2

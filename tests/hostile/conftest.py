import io
import zipfile
import zlib

import pytest


def deflated_zip(members: dict[str, bytes | tuple[int, bytes]]) -> bytes:
    """A ZIP archive. A member given as (size, byte) is that many copies of the byte, written
    through a streaming compressor so that a gigabyte of zeros costs only its deflated size in
    memory."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            if isinstance(content, tuple):
                size, byte = content
                info = zipfile.ZipInfo(name)
                info.compress_type = zipfile.ZIP_DEFLATED
                with archive.open(info, "w", force_zip64=size > 2**31) as member:
                    chunk = byte * (4 * 1024 * 1024)
                    left = size
                    while left:
                        member.write(chunk[: min(left, len(chunk))])
                        left -= min(left, len(chunk))
            else:
                archive.writestr(name, content)
    return buffer.getvalue()


@pytest.fixture
def zip_factory():
    return deflated_zip


assert zlib  # the compressor zipfile uses; imported so a missing zlib fails loudly here

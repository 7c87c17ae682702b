"""signing/hexstrings.py reads every hex string as pyHanko's own reader does: the same
string, the same error, the stream left at the same place."""

from __future__ import annotations

import io

import pytest
from pyhanko.pdf_utils.misc import PdfStreamError

from signing import hexstrings

CASES = [
    b"<48656c6c6f> rest",
    b"<48 65\n6c\t6C\r6f\x0c> rest",  # PDF whitespace anywhere, either case
    b"<486> rest",  # an odd count: a last 0 is implied
    b"<> rest",
    b"<" + b"ab" * 100_000 + b"> rest",  # longer than a block: a signature's /Contents
    b"<4865 % a comment\n6c> rest",  # pyHanko skips comments; so does its reader here
]


def _read_both(data: bytes) -> tuple[tuple[bytes, int], tuple[bytes, int]]:
    results = []
    for reader in (hexstrings._pyhanko_reader, hexstrings.read_hex_string):
        stream = io.BytesIO(data)
        value = reader(stream)
        results.append((bytes(value.original_bytes), stream.tell()))
    return results[0], results[1]


@pytest.mark.parametrize("data", CASES, ids=range(len(CASES)))
def test_the_same_string_and_the_same_place_as_pyhankos_reader(data: bytes) -> None:
    theirs, ours = _read_both(data)
    assert ours == theirs
    assert data[ours[1] :] == b" rest"


@pytest.mark.parametrize("data", [b"<48zz65>", b"<4865"], ids=["not hex", "no end"])
def test_what_pyhanko_refuses_is_refused(data: bytes) -> None:
    for reader in (hexstrings._pyhanko_reader, hexstrings.read_hex_string):
        with pytest.raises(PdfStreamError):
            reader(io.BytesIO(data))


def test_installed_for_every_pdf_read() -> None:
    from pyhanko.pdf_utils import generic

    import signing.pades  # noqa: F401  (installs it)

    assert generic.read_hex_string_from_stream is hexstrings.read_hex_string

"""PDF hex strings read by pyHanko in one slice instead of a Python call per character.

pyHanko reads ``<...>`` strings one byte at a time (``read_non_whitespace`` per digit). A
signature's ``/Contents`` is such a string of tens of thousands of digits, and every
signed PDF is read whole to sign it again (the seal) or to validate it (archive, verify,
audit): on a sealed receipt this was a quarter of validation's time. ``install`` puts in
a reader that finds the closing ``>`` in blocks and decodes the slice at once. It gives
the same string, the same error for a character that is not a hex digit, and hands any
string holding a ``%`` (a comment, which pyHanko's reader skips) to pyHanko's own reader.
"""

from __future__ import annotations

import binascii
import os
from typing import Any

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.misc import PDF_WHITESPACE, PdfStreamError

BLOCK = 64 * 1024
_HEX_DIGITS = b"0123456789abcdefABCDEF"
_pyhanko_reader = generic.read_hex_string_from_stream


def read_hex_string(stream: Any) -> Any:
    """The string object of the hex string at ``stream``'s position (at its ``<``); the
    stream is left after its ``>``, as pyHanko's reader leaves it."""
    start = stream.tell()
    stream.read(1)
    blocks = []
    while True:
        block = stream.read(BLOCK)
        if not block:
            raise PdfStreamError("Stream ended prematurely")
        end = block.find(b">")
        if end < 0:
            blocks.append(block)
            continue
        blocks.append(block[:end])
        stream.seek(end + 1 - len(block), os.SEEK_CUR)
        break
    digits = b"".join(blocks)
    if b"%" in digits:
        stream.seek(start)
        return _pyhanko_reader(stream)
    digits = digits.translate(None, PDF_WHITESPACE)
    wrong = digits.translate(None, _HEX_DIGITS)
    if wrong:
        raise PdfStreamError("Unexpected token in hex string: " + repr(wrong[:1]))
    if len(digits) % 2:
        digits += b"0"
    return generic.pdf_string(binascii.unhexlify(digits))


def install() -> None:
    """Make pyHanko's object reader use ``read_hex_string`` (once per process)."""
    generic.read_hex_string_from_stream = read_hex_string

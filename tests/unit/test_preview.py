"""Page previews: a real PNG of the requested page, and a clear refusal of a missing page."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image

from templates.preview import PREVIEW_DPI, page_png
from tests.unit.test_catalogue_and_renderer import _render


def test_a_page_becomes_a_png_of_a4_proportions(tmp_path: Path) -> None:
    path, _ = _render(tmp_path)
    png = page_png(path.read_bytes(), 1)
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG"
    width, height = image.size  # A4 is 595.3 × 841.9 points
    assert abs(width - 595.3 * PREVIEW_DPI / 72) <= 1
    assert abs(height - 841.9 * PREVIEW_DPI / 72) <= 1
    # the page is not blank: the text is dark on white
    assert image.convert("L").getextrema() == (0, 255)


@pytest.mark.parametrize("page", [0, 2])
def test_a_page_that_does_not_exist_is_refused(tmp_path: Path, page: int) -> None:
    path, _ = _render(tmp_path)
    with pytest.raises(IndexError, match="1 page"):
        page_png(path.read_bytes(), page)

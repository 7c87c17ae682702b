"""The procedure catalogue (one folder per procedure), the fonts and the PDF renderer."""

from pathlib import Path

TEMPLATES_DIR = Path(__file__).resolve().parent
FONTS_DIR = TEMPLATES_DIR / "fonts"
STAMP_FONT_FILE = FONTS_DIR / "LiberationSerif-Regular-1000upem-vi.ttf"  # templates/stamp_font.py

"""Benchmark one Jinja2→PDF engine on a Vietnamese A4 letter and print one JSON line of results."""

from __future__ import annotations

import argparse
import io
import json
import os
import re
import statistics
import subprocess
import sys
import sysconfig
import time
import unicodedata
from functools import cache
from pathlib import Path
from typing import Literal

HERE = Path(__file__).resolve().parent
TEMPLATES = HERE / "templates"
FONT_DIR = Path(os.environ.get("HOSO_BENCH_FONTS", "/usr/share/fonts/truetype/liberation2"))
FONTS = {
    "Serif": str(FONT_DIR / "LiberationSerif-Regular.ttf"),
    "Serif-Bold": str(FONT_DIR / "LiberationSerif-Bold.ttf"),
    "Serif-Italic": str(FONT_DIR / "LiberationSerif-Italic.ttf"),
    "Serif-BoldItalic": str(FONT_DIR / "LiberationSerif-BoldItalic.ttf"),
}
ENGINES = ("rml", "rml-facecache", "platypus", "fpdf2", "weasyprint")
# the distributions whose versions each engine reports
PACKAGES = {
    "rml": ("reportlab", "z3c.rml", "jinja2"),
    "rml-facecache": ("reportlab", "z3c.rml", "jinja2"),
    "platypus": ("reportlab", "jinja2"),
    "fpdf2": ("fpdf2", "jinja2"),
    "weasyprint": ("weasyprint", "pydyf", "jinja2"),
}
IMPORTS = {
    "rml": "import jinja2; from z3c.rml import rml2pdf",
    "rml-facecache": "import jinja2; from z3c.rml import rml2pdf",
    "platypus": "import jinja2; import reportlab.platypus, reportlab.pdfbase.ttfonts",
    "fpdf2": "import jinja2; import fpdf",
    "weasyprint": "import jinja2; import weasyprint",
}

# GIẤY GIỚI THIỆU SINH HOẠT ĐẢNG CHÍNH THỨC, every Vietnamese string of the page is here
CONTEXT: dict = {
    "issuer": ["ĐẢNG BỘ THÀNH PHỐ HÀ NỘI", "ĐẢNG ỦY PHƯỜNG BA ĐÌNH"],
    "party": "ĐẢNG CỘNG SẢN VIỆT NAM",
    "number": "123-GGT/ĐU",
    "place_date": "Hà Nội, ngày 19 tháng 5 năm 2025",
    "title": "GIẤY GIỚI THIỆU SINH HOẠT ĐẢNG CHÍNH THỨC",
    "to_org": "Đảng ủy phường Hoàn Kiếm",
    "body": [
        "Đảng ủy phường Ba Đình trân trọng giới thiệu đồng chí Nguyễn Thị Thuỷ Tiên, "
        "sinh ngày 15/03/1990, quê quán xã Đông Hưng, huyện Thái Thụy, tỉnh Thái Bình.",
        "Vào Đảng ngày 19/05/2015; chính thức ngày 19/05/2016; "
        "đã đóng đảng phí đến hết tháng 04/2025.",
        "Hiện đang sinh hoạt tại Chi bộ Tổ dân phố số 5, Đảng bộ phường Ba Đình, thành phố Hà Nội.",
        "Được chuyển đến sinh hoạt Đảng chính thức tại Đảng bộ phường Hoàn Kiếm, thành phố Hà Nội.",
        "Lý do: chuyển nơi cư trú; kèm theo hồ sơ gồm lý lịch đảng viên, phiếu đảng viên "
        "và các quyết định kết nạp, công nhận đảng viên chính thức.",
        "Giấy giới thiệu có giá trị đến hết ngày 30/06/2025. Đề nghị các đồng chí giúp đỡ "
        "để đồng chí Nguyễn Thị Thuỷ Tiên sinh hoạt Đảng theo quy định.",
    ],
    "table": [
        ["Họ và tên", "Nguyễn Thị Thuỷ Tiên", True],
        ["Số thẻ đảng viên", "01234567", False],
        ["Số lý lịch đảng viên", "HN-2015-0456", False],
        ["Nơi chuyển đi", "Chi bộ Tổ dân phố số 5", False],
        ["Nơi chuyển đến", "Đảng bộ phường Hoàn Kiếm", False],
    ],
    "signature": ["T/M BAN THƯỜNG VỤ", "PHÓ BÍ THƯ"],
    "signer": "Trần Văn Đức",
}


def _strings(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def _normalized(form: Literal["NFC", "NFD"], value):
    if isinstance(value, str):
        return unicodedata.normalize(form, value)
    if isinstance(value, dict):
        return {k: _normalized(form, v) for k, v in value.items()}
    if isinstance(value, list):
        return [_normalized(form, v) for v in value]
    return value


@cache
def _env():
    import jinja2

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


# --- engines: each takes the context and returns PDF bytes ------------------------------


def render_rml(ctx: dict) -> bytes:
    from z3c.rml import rml2pdf

    rml = _env().get_template("letter.rml.j2").render(fonts=FONTS, **ctx)
    return rml2pdf.parseString(rml).getvalue()


@cache
def _cache_ttf_faces() -> None:
    """z3c.rml resets reportlab for every document and its <registerTTFont> parses the TTF again
    (and the reset re-registers reportlab's four Vera test fonts): keep parsed faces per file."""
    from reportlab.pdfbase import ttfonts

    ttfonts.TTFontFace = cache(ttfonts.TTFontFace)


def render_rml_facecache(ctx: dict) -> bytes:
    _cache_ttf_faces()
    return render_rml(ctx)


@cache
def _platypus_setup():
    from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    for face, path in FONTS.items():
        pdfmetrics.registerFont(TTFont(face, path))
    pdfmetrics.registerFontFamily(
        "Serif",
        normal="Serif",
        bold="Serif-Bold",
        italic="Serif-Italic",
        boldItalic="Serif-BoldItalic",
    )
    base = ParagraphStyle("base", fontName="Serif", fontSize=14, leading=18)
    return {
        "head": ParagraphStyle("head", base, fontSize=13, leading=16, alignment=TA_CENTER),
        "title": ParagraphStyle(
            "title",
            base,
            fontSize=15,
            leading=20,
            alignment=TA_CENTER,
            spaceBefore=18,
            spaceAfter=12,
        ),
        "center": ParagraphStyle("center", base, alignment=TA_CENTER, spaceAfter=8),
        "body": ParagraphStyle(
            "body", base, alignment=TA_JUSTIFY, firstLineIndent=10 * mm, spaceAfter=3
        ),
        "cell": ParagraphStyle("cell", base, fontSize=13, leading=16),
        "sign": ParagraphStyle("sign", base, alignment=TA_CENTER),
    }


def render_platypus(ctx: dict) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    styles = _platypus_setup()
    lines = _env().get_template("letter.platypus.j2").render(**ctx).splitlines()
    story, rows = [], []
    plain = TableStyle(
        [
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ("RIGHTPADDING", (0, 0), (-1, -1), 0),
        ]
    )
    for line in filter(None, lines):
        kind, *parts = line.split("|")
        if kind == "row":
            rows.append([Paragraph(p, styles["cell"]) for p in parts])
            continue
        if rows:
            story.append(
                Table(
                    rows,
                    colWidths=[60 * mm, 105 * mm],
                    style=[
                        ("GRID", (0, 0), (-1, -1), 0.5, "black"),
                        ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ],
                )
            )
            story.append(Spacer(1, 12))
            rows = []
        if kind == "head":
            story.append(
                Table(
                    [[Paragraph(p, styles["head"]) for p in parts]],
                    colWidths=[80 * mm, 85 * mm],
                    style=plain,
                )
            )
        elif kind == "sign":
            story.append(
                Table(
                    [["", Paragraph(parts[0], styles["sign"])]],
                    colWidths=[80 * mm, 85 * mm],
                    style=plain,
                )
            )
        else:
            story.append(Paragraph(parts[0], styles[kind]))
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=30 * mm,
        rightMargin=15 * mm,
        topMargin=20 * mm,
        bottomMargin=20 * mm,
        title=ctx["title"],
        creator="hoso-bench",
    )
    doc.build(story)
    return out.getvalue()


def render_fpdf2(ctx: dict) -> bytes:
    from fpdf import FPDF

    html = _env().get_template("letter.fpdf.html.j2").render(**ctx)
    pdf = FPDF(format="A4", unit="mm")
    pdf.set_margins(30, 20, 15)
    pdf.set_auto_page_break(True, 20)
    for face, path in FONTS.items():
        pdf.add_font(
            "Serif",
            face.removeprefix("Serif").lstrip("-").replace("Bold", "B").replace("Italic", "I"),
            path,
        )
    pdf.set_title(ctx["title"])
    pdf.add_page()
    pdf.set_font("Serif", size=14)
    pdf.write_html(html, font_family="Serif")
    return bytes(pdf.output())


@cache
def _weasy_fonts():
    from weasyprint.text.fonts import FontConfiguration

    return FontConfiguration()


def render_weasyprint(ctx: dict) -> bytes:
    from weasyprint import HTML

    faces = {
        "Serif": (FONTS["Serif"], "normal", "normal"),
        "Serif-Bold": (FONTS["Serif-Bold"], "bold", "normal"),
        "Serif-Italic": (FONTS["Serif-Italic"], "normal", "italic"),
        "Serif-BoldItalic": (FONTS["Serif-BoldItalic"], "bold", "italic"),
    }
    html = _env().get_template("letter.html.j2").render(faces=faces, **ctx)
    return HTML(string=html, base_url=str(TEMPLATES)).write_pdf(font_config=_weasy_fonts())


RENDER = {
    "rml": render_rml,
    "rml-facecache": render_rml_facecache,
    "platypus": render_platypus,
    "fpdf2": render_fpdf2,
    "weasyprint": render_weasyprint,
}


def render(engine: str, form: Literal["NFC", "NFD"] = "NFC") -> bytes:
    """The letter as PDF bytes, the context's strings in Unicode normal form ``form``."""
    return RENDER[engine](_normalized(form, CONTEXT))


# --- measurements -----------------------------------------------------------------------


def _wall(code: str) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, cwd=HERE, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def _site_packages_mb() -> tuple[float, dict[str, float]]:
    site = Path(sysconfig.get_paths()["purelib"])
    skip = re.compile(
        r"^(pip|setuptools|_distutils_hack|pkg_resources|distutils-precedence\.pth)([-_.].*)?$"
    )
    sizes: dict[str, float] = {}
    for top in site.iterdir():
        if skip.match(top.name):
            continue
        files = (
            [top]
            if top.is_file()
            else [p for p in top.rglob("*") if p.is_file() and not p.is_symlink()]
        )
        key = re.sub(r"-[0-9].*\.dist-info$", "", top.name).lower()
        sizes[key] = sizes.get(key, 0.0) + sum(p.stat().st_size for p in files) / 1e6
    top5 = dict(sorted(((k, round(v, 1)) for k, v in sizes.items()), key=lambda kv: -kv[1])[:5])
    return round(sum(sizes.values()), 1), top5


# what CPython's own extension modules (zlib, bz2, lzma, ssl, hashlib, uuid) and the manylinux
# policy's allowed libraries bring: present wherever the interpreter runs
BASE_LIBS = {
    "libz",
    "libbz2",
    "liblzma",
    "libcrypto",
    "libssl",
    "libuuid",
    "libffi",
    "libpthread",
    "librt",
    "libgcc_s",
    "libstdc++",
    "libm",
    "libdl",
    "libc",
    "libutil",
}


def _system_libs() -> list[str]:
    """Shared libraries mapped now, outside the virtualenv and not mapped by a bare interpreter."""

    def mapped(maps: str) -> set[str]:
        paths = (line.split()[-1] for line in maps.splitlines() if len(line.split()) >= 6)
        return {p for p in paths if ".so" in p}

    bare = subprocess.run(
        [sys.executable, "-c", "print(open('/proc/self/maps').read())"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    now = mapped(Path("/proc/self/maps").read_text()) - mapped(bare)
    venv = sys.prefix
    libs = {Path(p).name for p in now if not p.startswith(venv) and "/python3" not in p}
    return sorted({re.sub(r"\.so(\.[0-9]+)*$", "", name) for name in libs})


def _fonts(pdf_path: Path) -> dict:
    out = subprocess.run(
        ["pdffonts", str(pdf_path)], capture_output=True, text=True, check=True
    ).stdout
    # columns counted from the right: emb sub uni object-id generation (the type may hold a space)
    rows = [line.split() for line in out.splitlines()[2:] if line.strip()]
    text = [r for r in rows if r[-5] == "yes"]
    return {
        "font_names": sorted(r[0] for r in rows),
        "embedded_subset": bool(text)
        and all(r[-4] == "yes" and re.match(r"^[A-Z]{6}\+", r[0]) for r in text),
        "tounicode": all(r[-3] == "yes" for r in text),
        "not_embedded": sorted(r[0] for r in rows if r[-5] != "yes"),
    }


def _text_check(pdf_path: Path) -> dict:
    raw = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(pdf_path), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    flat = " ".join(raw.split())
    flat_nfc = unicodedata.normalize("NFC", flat)
    wanted = [" ".join(unicodedata.normalize("NFC", s).split()) for s in _strings(CONTEXT)]
    return {
        "as_is": all(s in flat for s in wanted),
        "after_nfc": all(s in flat_nfc for s in wanted),
        "missing_as_is": [s for s in wanted if s not in flat][:4],
        "combining_marks_in_text": sum(unicodedata.combining(c) > 0 for c in raw),
    }


def _pages(pdf_path: Path) -> int:
    out = subprocess.run(
        ["pdfinfo", str(pdf_path)], capture_output=True, text=True, check=True
    ).stdout
    pages = re.search(r"^Pages:\s+(\d+)", out, re.M)
    return int(pages.group(1)) if pages else 0


def _pixels_differing(a: Path, b: Path) -> float:
    """Share of the 100 dpi grey pixels that differ between two one-page PDFs (0 = same picture)."""
    rasters = []
    for path in (a, b):
        base = path.with_suffix("")
        subprocess.run(
            ["pdftoppm", "-r", "100", "-gray", "-singlefile", str(path), str(base)], check=True
        )
        pgm = base.with_suffix(".pgm")
        rasters.append(pgm.read_bytes())
        pgm.unlink()
    if len(rasters[0]) != len(rasters[1]):
        return 1.0
    return round(sum(x != y for x, y in zip(*rasters, strict=True)) / len(rasters[0]), 5)


def _versions(engine: str) -> dict[str, str]:
    from importlib.metadata import version

    return {name: version(name) for name in PACKAGES[engine]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("engine", choices=ENGINES)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--cold-runs", type=int, default=5)
    parser.add_argument("--out", type=Path, default=HERE / "out")
    args = parser.parse_args()
    engine = args.engine
    args.out.mkdir(exist_ok=True)

    # cold: fresh interpreters, before this process imports the engine
    imports = [_wall(IMPORTS[engine]) for _ in range(args.cold_runs)]
    firsts = [_wall(f"import compare; compare.render({engine!r})") for _ in range(args.cold_runs)]
    bare = [_wall("pass") for _ in range(args.cold_runs)]

    for _ in range(3):
        render(engine)
    times = []
    for _ in range(args.runs):
        start = time.perf_counter()
        pdf = render(engine)
        times.append((time.perf_counter() - start) * 1000)

    nfc_path = args.out / f"{engine}-nfc.pdf"
    nfc_path.write_bytes(pdf)
    nfd_path = args.out / f"{engine}-nfd.pdf"
    nfd_path.write_bytes(render(engine, "NFD"))
    for path in (nfc_path, nfd_path):
        subprocess.run(
            ["pdftoppm", "-r", "100", "-png", "-singlefile", str(path), str(path.with_suffix(""))],
            check=True,
        )
    installed, biggest = _site_packages_mb()
    result = {
        "engine": engine,
        "versions": _versions(engine),
        "python": sys.version.split()[0],
        "warm_median_ms": round(statistics.median(times), 1),
        "warm_min_ms": round(min(times), 1),
        "cold_first_render_s": round(statistics.median(firsts), 3),
        "import_s": round(statistics.median(imports), 3),
        "bare_python_s": round(statistics.median(bare), 3),
        "installed_mb": installed,
        "biggest_mb": biggest,
        "system_libs": [lib for lib in _system_libs() if lib not in BASE_LIBS],
        "pdf_kb": round(len(pdf) / 1024, 1),
        "pages": _pages(nfc_path),
        "fonts": _fonts(nfc_path),
        "nfc": _text_check(nfc_path),
        "nfd": _text_check(nfd_path),
        "nfd_pixels_differing": _pixels_differing(nfc_path, nfd_path),
    }
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()

"""Damaged Vietnamese: wrong decodings (made by bench/damage.py) and impossible spelling."""

from __future__ import annotations

import re
import shutil
import string
import unicodedata

import pytest

from bench.damage import (
    ACUTE,
    DOT,
    GRAVE,
    TONES,
    cp1258_as_cp1252,
    iconv,
    tcvn3_as_cp1252,
    utf8_as_cp1252,
    utf8_as_latin1,
    viscii_as_cp1252,
    vni_as_cp1252,
)
from functions.vietnamese import damaged_words, explain, judge

needs_iconv = pytest.mark.skipif(shutil.which("iconv") is None, reason="glibc iconv is missing")

VOWELS = ["a", "ă", "â", "e", "ê", "i", "o", "ô", "ơ", "u", "ư", "y"]


def listed(text: str) -> list[str]:
    return text.split()


# --- correct text ------------------------------------------------------------------------------

# Written in the old tone style (hoà, thuỷ, khoẻ); new_style() gives the other one.
SENTENCES = [
    "Chi bộ Tổ dân phố số 5, Đảng bộ phường Ba Đình, quận Ba Đình, thành phố Hà Nội.",
    "Thành uỷ Hà Nội, Ban Tổ chức Thành uỷ, Uỷ ban Kiểm tra Thành uỷ.",
    "ĐẢNG CỘNG SẢN VIỆT NAM",
    "CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM - Độc lập - Tự do - Hạnh phúc",
    "NGUYỄN THỊ THUỶ TIÊN, Bí thư Chi bộ, Phó Chủ tịch Uỷ ban nhân dân phường.",
    "Nguyễn Thị Thuỷ Tiên, sinh ngày 12/3/1985, quê quán xã Nghĩa Hưng, huyện Nghĩa Đàn, Nghệ An.",
    "Đồng chí Trần Văn Quyết, Phó Bí thư Thường trực Đảng uỷ, Chủ tịch Hội đồng nhân dân xã.",
    "Nơi thường trú: Số 5, ngõ 12/3, đường Hoàng Hoa Thám, phường Thuỵ Khuê, quận Tây Hồ.",
    "Quyết định số 123-QĐ/TU ngày 05/6/2024 của Ban Thường vụ Thành uỷ về việc chuẩn y kết quả.",
    "Giấy giới thiệu sinh hoạt đảng, chuyển sinh hoạt đảng chính thức ra ngoài Đảng bộ.",
    "Tôi tự nguyện viết đơn này, xin được gia nhập Đảng Cộng sản Việt Nam.",
    "Nguyện vọng của quần chúng: được khuyến khích học tập, rèn luyện, phấn đấu.",
    "Gìn giữ phẩm chất đạo đức cách mạng, khoẻ mạnh, hoà nhã, thuỷ chung.",
    "Người giới thiệu thứ nhất: đồng chí Lê Thị Hoà, đảng viên chính thức.",
    "Cánh tay trái bị đau ở khuỷu, đầu hơi nghiêng sang một bên từ thuở nhỏ.",
    "Quốc hội, Chính phủ, Mặt trận Tổ quốc Việt Nam và các đoàn thể chính trị - xã hội.",
    "Chị ấy đang giặt quần áo; bọn trẻ chơi oẳn tù tì ngoài sân.",
    "Uỷ viên Ban Chấp hành Trung ương Đảng, Bí thư Tỉnh uỷ Đắk Lắk.",
    "Huyện Chư Păh, tỉnh Gia Lai; huyện Đạ Tẻh, tỉnh Lâm Đồng; huyện Krông Búk.",
    "Dân tộc: Ê-đê; tôn giáo: không; trình độ lý luận chính trị: cao cấp.",
    "Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh.",
    "Khoá học bồi dưỡng nhận thức về Đảng, do Trung tâm Chính trị quận tổ chức.",
    "Kiểm điểm, đánh giá, xếp loại chất lượng đảng viên hằng năm.",
    "Đ/c Phạm Quang Huy, UBKT Đảng uỷ; HĐND, UBND, UBMTTQ; BCH TƯ.",
    "Email: chibo5.badinh@hanoi.gov.vn; điện thoại: 024 3823 4567; CMND số 012345678.",
    "Nhóm máu O+, chiều cao 1,65 m; bằng B2; Wi-Fi; COVID-19; H2O; A4; C++.",
    "Thôn Pắc Bó, xã Trường Hà; Mát-xcơ-va, Ô-xtrây-li-a; người Xtiêng, người Hrê, người Brâu.",
    "Thuỷ lợi, thuỷ sản, hoà giải, hoá học, khoẻ khoắn, tàu thuỷ, uỷ quyền.",
    "ngoằn ngoèo, khuya khoắt, luýnh quýnh, quạu quọ, xoong nồi, boong tàu, huơ tay.",
]

# At least 300 distinct correct words and names, none of which may be reported.
WORDS = listed("""
Nguyễn Trần Lê Phạm Hoàng Huỳnh Phan Vũ Võ Đặng Bùi Đỗ Hồ Ngô Dương Lý Đinh Đoàn Trịnh Lương
Mai Tạ Cao Lâm Châu Chu Tôn Thái Hà Kiều Quách Giang La Văn Khổng Triệu Nghiêm Mạc Thân Lại Từ
Âu Ông Bế Hứa Diệp Vương Phùng Tăng Quang Trương Kim Đàm Lã Tô Lưu Mẫn Nông Ninh Thạch Khúc
Thị Văn Hữu Đức Minh Hùng Dũng Tuấn Thắng Hải Hưng Hương Lan Huệ Cúc Hồng Nhung Ngọc Thảo
Trang Thuỷ Thủy Tiên Phượng Yến Oanh Loan Khuê Quyên Uyên Nguyệt Hằng Giang Hạnh Hoà Hòa Thuý
Thúy Huyền Diễm Xuân Thu Đông Khoa Toàn Thuận Khánh Quý Vĩnh Nghĩa Trung Hiếu Nhân Lễ Tín Trí
Dũng Cường Thịnh Vượng Phúc Lộc Thọ Hạnh Khang Ninh Bảo Anh Thư Vy Ngân Châu Ánh Kiên Tường
Quyết Thành Công Chiến Thuyết Doãn Luyện Khuyến Khích Uyển Duyên Thuyên Tuyết Chuyên Nguyện
Đảng bộ chi uỷ ủy viên bí thư phó thường trực ban chấp hành trung ương tỉnh thành huyện quận
phường xã thị trấn thôn xóm bản ấp tổ dân phố khu đường ngõ ngách hẻm số nhà tầng phòng
đảng viên dự bị chính thức kết nạp chuyển sinh hoạt giấy giới thiệu quyết định nghị quyết
chỉ thị kết luận quy định hướng dẫn thông báo báo cáo tờ trình biên bản công văn đơn lý lịch
kiểm tra giám sát kỷ luật khiển trách cảnh cáo cách chức khai trừ khen thưởng bằng khen huy
hiệu năm mươi tuổi phẩm chất đạo đức lối sống tư tưởng chính trị năng lực công tác nhiệm vụ
hoàn thành xuất sắc tốt không đạt yêu cầu mức độ đánh giá xếp loại chất lượng hằng quý tháng
ngày giờ phút hôm nay mai sáng chiều tối đêm đầu cuối giữa trên dưới trong ngoài trước sau
người nước quốc gia dân tộc tôn giáo nghề nghiệp trình độ học vấn chuyên môn nghiệp vụ lý luận
cao cấp trung sơ đại cử nhân thạc sĩ tiến sỹ giáo sư kỹ sư bác sĩ luật sư nhà báo
Hà Nội Hải Phòng Đà Nẵng Cần Thơ Huế Quảng Ninh Ngãi Nam Trị Bình Thái Nguyên Bắc Kạn Lạng
Sơn Cao Bằng Tuyên Lào Cai Yên Bái Điện Biên Lai Châu La Hoà Phú Thọ Vĩnh Phúc Hưng Dương
Định Tĩnh Nghệ An Thanh Hoá Khánh Hòa Thuận Lâm Đồng Đắk Lắk Nông Gia Kon Tum Đồng Nai Tây Bà
Rịa Vũng Tàu Long Tiền Tre Trà Vinh Sóc Trăng Hậu Kiên Bạc Liêu Cà Mau Tháp Phước Thừa Thiên
Ê-đê Gia-rai Ba-na Xơ-đăng Cơ-ho Chăm Khơ-me Mường Tày Nùng Mông Dao Sán Dìu Chay Hrê Mnông
Xtiêng Bru-Vân Kiều Thổ Khơ-mú Cơ-tu Giáy Tà-ôi Mạ Gié-Triêng Co Chơ-ro Chứt Lự Lô Mảng Pà Thẻn
Chư Păh Đạ Tẻh Krông Búk Pắc Bó Sìn Hồ Mù Cang Chải Mèo Vạc Xín Mần Phì Quản Bạ Nậm Pồ Tủa Chùa
Sốp Cộp Mộc Thuận Mát-xcơ-va Ô-xtrây-li-a Xlô-va-ki-a Béc-lin Pa-ri Luân Đôn Bắc Kinh Lào
độc lập tự do hạnh phúc cộng hoà xã hội chủ nghĩa việt nam và của các những được đã sẽ đang
rằng thì là mà nhưng nên vì nếu khi để cho với theo về từ đến tại bởi qua lên xuống ra vào
một hai ba bốn năm sáu bảy tám chín mười trăm nghìn triệu tỷ tỉ lẻ linh mốt tư rưỡi
gìn giữ nguyện vọng khuyến khích khuỷu nghiêng thuở quốc giặt oẳn tù tì hoà thuỷ hoá khoẻ uỷ
hòa thủy hóa khỏe ủy quyền quyển quyện khuya ngoằn ngoèo xoong boong huơ quạu quọ luýnh quýnh
chuyện truyện thuyền khuyết tuyển huyết uyên uyển oái oăm ngoắt ngoéo khoét khoèo nguýt huých
ạ ừ ờ ồ ơ ư ê ô ấy ối ôi ơi ui ủi ưu ươu ướt ước ươn ương yểng yêu yếu yên yết
giường giếng giữa giũa giuộc gieo giấc giòn giỏi giúp ghế ghi ghé nghề nghỉ nghe kìa kỳ kì
quây quẩy quậy quỵ quỳ quét quệt quăn quắp quặt quách quanh quạnh quai quay quào quân quất quầng
quẹo quít quịt quỳnh quơ quờ giành giũ giụi giậu giẫm giễu giêng giếc nghĩ nghệ nghiệp nghịch
khuây khuân khuất khuếch khuềnh khuơ khuyên khuynh hoạch hoạnh hoắc hoẵng ngoặt ngoẹo hoè toẹt
loăng quăng xoàng soạn thoáng choáng hoặc ngoạm choắt hoen xoét buồm luộm chuông muốn cuốc buột
tuổi bướm hướng rượu nước mượn cướp mượt tiếp kiếm biển tiếng biếc liệt hiểu yếm lưu cứu hươu
gửi ngửi mức mứt ừm thơm sớm lớn lớp thớt mới ông ốc hôm tốt hộp tôi moóc em xem kẹt leng keng
mèo êm tên bệnh ếch mệt nếp kêu im tin tính thích kịp ít dìu anh ách ao au ay ai ác ăn ắc ăm
ăng ắp ắt ân âm âng ập ất âu ây um ùn ung úc úp út ui ý mỹ lý sỹ om on ong óc oi ủa hử hừ chà
xăng phanh buýt tuýp xoài pê-đan sô-cô-la cà phê ô tô xích lô két phim va-li bia com-pa
Ô-lim-pích Oa-sinh-tơn Niu Oóc Bu-đa-pét Phi-líp-pin Cam-pu-chia In-đô-nê-xi-a Xin-ga-po Ả Rập
Xê Út Thuỵ Điển Sĩ Hy Lạp Ai Cập Ấn Độ Nhật Bản Hàn Triều Tiên Cu-ba Mỹ Pháp Nga Séc Hung-ga-ri
Bun-ga-ri U-crai-na Bê-la-rút Ca-dắc-xtan Mông Cổ Niu Di-lân Mê-hi-cô Bra-xin Ác-hen-ti-na Chi-lê
Pê-ru An-giê-ri Ma-rốc I-rắc Xy-ri I-xra-en Pa-le-xtin Thổ Nhĩ Kỳ Bồ Đào Tây Ban Nha I-ta-li-a
Áo Bỉ Đan Mạch Na Uy Phần Ai-xơ-len Xcốt-len Brư-xen Xtốc-khôm Gia-các-ta Băng Cốc Viên Chăn
Phnôm Pênh Thượng Quảng Đài Loan Hồng Kông Ma Cao Lốt An-giơ-lét Crưm Plông Srê Pốk Drắk Súp Cư
Jút Đăk Đoa Pưh Lũng Cú Sủng Là Sà Phìn Mậu Duệ Nậm Nhùn Tà Xùa Bảo Lạc Trà Lĩnh Trùng Khánh
""")

FOREIGN = listed("""
John Smith Wi-Fi CMND HN-2015-0456 T/M 123-GGT/TU 12/3 a.b@c.vn Jean-Pierre Müller José François
Zoë Søren Bjørn Ærø Gdańsk Łódź Kraków Wałęsa Dvořák Škoda Čapek Ångström Göteborg Zürich Straße
España Peña Muñoz São Paulo João Conceição Brasília Bogotá Medellín Perú México Québec Montréal
Genève Besançon Hélène Renée Chloé Zoé André Andrés Gómez Sánchez García Martín Jesús Ramón León
Mónica Tomás María Fernández Pérez café naïve résumé déjà crème brûlée façade Côte d'Ivoire Noël
Ørsted Đoković Đorđević Brăila Bălan Mădălina Ștefănescu Timișoara İstanbul Gökhan Erdoğan Jiří
Dušan Þór Guðrún Győr città perché più può così Lübeck Österreich Malmö Tromsø Århus Ibáñez
A4 B2 O+ C++ H2O COVID-19 mp3 i18n x^2 e^x 5µm 25°C m² §5 Microsoft® €100 “A” ‘B’ «C»
2020—2025 1–2 A—Z iPhone e-mail Zalo Facebook TP.HCM Q.1 P.12 ĐT:0243 Tel.: No.5 a?b=c
don't O'Neil rock'n'roll C# a+b x+y (a) e.g. U+0301 vs. Mr. a~b ~5 ^_^ :-) o_O Q&A R&D 24/7 50%
$100 #1 @user re-use T.Ư TW Nam? What?Why a.php?id=1 AB+ B- a^2 Ca(OH)2 f(a)+1 H2SO4 CO2 K62 A1B
3G Win10 l10n k8s e2e a11y v1.2 mp4 H265 Top10 Mo2 Hai2 1a2b Ba4 P1 Q3 Q.10 ĐT/Fax Buddha Addis
B—C prêt mât clôt Loïc où goût Phnom Søren Ørsted Ærø Anaïs Raphaël Noémie Citroën Moët CŒUR
""")


def new_style(text: str) -> str:
    """Move the tone of open oa, oe, uy from the second vowel to the first (hoà -> hòa)."""

    def move(match: re.Match[str]) -> str:
        first, second = match.group(1), unicodedata.normalize("NFD", match.group(2))
        tone = second[-1]
        return unicodedata.normalize("NFC", first + tone + second[:-1])

    pattern = r"(?<![qQ])([oO](?=[àáảãạèéẻẽẹÀÁẢÃẠÈÉẺẼẸ])|[uU](?=[ỳýỷỹỵỲÝỶỸỴ]))(\w)(?!\w)"
    return re.sub(pattern, move, text)


# --- damage, made the way real tools make it (bench/damage.py), and how it is checked ------------


def words(text: str) -> list[str]:
    return [w.strip(string.punctuation) for w in re.split("[ \n\t]+", text) if w]


def assert_damage_found(original: str, damaged: str) -> None:
    """Every word the damage changed is reported; every word it left alone is not."""
    before, after = words(original), words(damaged)
    assert len(before) == len(after), (original, damaged)
    changed = {a for b, a in zip(before, after, strict=True) if a != b and a}
    untouched = {a for b, a in zip(before, after, strict=True) if a == b and a}
    reported = damaged_words(damaged)
    assert changed, damaged
    assert changed <= set(reported), (damaged, sorted(changed - set(reported)))
    assert not untouched & set(reported), (damaged, sorted(untouched & set(reported)))


# --- correct text is accepted ------------------------------------------------------------------


def every_syllable() -> list[str]:
    """Each of the 12 vowels with each of the 6 tones, where spelling allows, in both cases."""
    out = []
    for vowel in VOWELS:
        for tone in TONES:
            if vowel in ("ă", "â"):  # they need a final consonant
                rhymes = [vowel + tone + "n", vowel + tone + "ng", vowel + tone + "m"]
                if tone in (ACUTE, DOT):
                    rhymes += [vowel + tone + "t", vowel + tone + "c", vowel + tone + "p"]
            else:
                rhymes = [vowel + tone]
                if tone in (ACUTE, DOT) and vowel not in ("y",):
                    rhymes.append(vowel + tone + "t")
            for rhyme in rhymes:
                for onset in ("", "b", "ch", "đ", "kh", "ngh" if vowel in "eêi" else "ng", "tr"):
                    out.append(unicodedata.normalize("NFC", onset + rhyme))
    return out


def test_every_vowel_in_every_tone_is_accepted() -> None:
    syllables = every_syllable()
    assert len(syllables) > 500
    for case in (str.lower, str.upper, str.capitalize):
        text = " ".join(case(s) for s in syllables)
        assert damaged_words(text) == []


def test_a_second_tone_on_any_syllable_is_found() -> None:
    for syllable in every_syllable():
        parts = unicodedata.normalize("NFD", syllable)
        toned = [i for i, c in enumerate(parts) if c in TONES[1:]]
        if not toned:
            continue
        extra = GRAVE if parts[toned[0]] != GRAVE else ACUTE
        bad = unicodedata.normalize("NFC", parts[: toned[0] + 1] + extra + parts[toned[0] + 1 :])
        for case in (str.lower, str.upper):
            assert damaged_words(f"Chi bộ {case(bad)} Hà Nội") == [case(bad)], bad
            assert explain(case(bad)) == "two tone marks in one syllable"


def test_every_tone_on_every_vowel_exists_as_a_letter() -> None:
    letters = {unicodedata.normalize("NFC", v + t) for v in VOWELS for t in TONES}
    assert len(letters) == 72
    assert all(len(letter) == 1 for letter in letters)
    need_coda = {unicodedata.normalize("NFC", v + t) for v in ("ă", "â") for t in TONES}
    upper = " ".join(x.upper() + ("N" if x in need_coda else "") for x in sorted(letters))
    assert damaged_words(upper) == []
    assert damaged_words(upper.lower()) == []


def test_both_tone_styles_are_accepted() -> None:
    for old in SENTENCES:
        assert damaged_words(old) == [], old
        assert damaged_words(new_style(old)) == [], new_style(old)
    assert new_style("hoà thuỷ hoá khoẻ uỷ") == "hòa thủy hóa khỏe ủy"
    assert new_style("hoàng quý quỷ thuyền") == "hoàng quý quỷ thuyền"


def test_decomposed_input_once_composed_is_accepted() -> None:
    for sentence in SENTENCES:
        nfd = unicodedata.normalize("NFD", sentence)
        assert damaged_words(unicodedata.normalize("NFC", nfd)) == []
        assert damaged_words(nfd) == []  # composed here too, should a caller forget


def test_no_false_positive_on_300_correct_words() -> None:
    distinct = sorted(set(WORDS) | {new_style(w) for w in WORDS})
    assert len(distinct) >= 300
    flagged = damaged_words(" ".join(distinct))
    rate = len(flagged) / len(distinct)
    print(f"false positives: {len(flagged)} of {len(distinct)} words ({rate:.2%})")
    assert flagged == []
    for word in distinct:
        assert explain(word) == "", word
        assert explain(word.upper()) == "", word


def test_foreign_names_codes_and_plain_ascii_are_accepted() -> None:
    assert len(set(FOREIGN)) > 130
    assert damaged_words(" ".join(FOREIGN)) == []
    for word in FOREIGN:
        assert damaged_words(word) == [], word
    assert damaged_words("Nguyễn Văn John, Ba Đình") == []
    assert damaged_words("Anh Jean-Pierre Müller, chị José García và ông François Dupont") == []


def test_good_words_of_a_mixed_text_are_not_blamed() -> None:
    # One field pasted from a TCVN3 document into a Unicode text: only its damage is reported.
    assert damaged_words("Họ và tên: NguyÔn ThÞ Thuû Tiªn, quê Hà Nội, về ở thôn Đông") == [
        "NguyÔn", "ThÞ", "Thuû", "Tiªn",
    ]  # fmt: skip
    assert damaged_words("Chi bộ Ä‘ang họp tại Hà Nội, NGÃ” tư") == ["Ä‘ang"]


def test_acronyms_and_single_letters_are_accepted() -> None:
    assert damaged_words("BCHTƯ ĐUQSTƯ HĐND UBMTTQ BCĐ Đ/c Ă Â Ơ Ư ă â đ") == []


# --- damage is found ---------------------------------------------------------------------------


@needs_iconv
def test_tcvn3_read_as_cp1252_is_found() -> None:
    sample = tcvn3_as_cp1252("Nguyễn Thị Thuỷ Tiên")
    assert sample == "NguyÔn ThÞ Thuû Tiªn"
    assert damaged_words(sample) == ["NguyÔn", "ThÞ", "Thuû", "Tiªn"]
    assert explain("NguyÔn") == "legacy TCVN3 (ABC) encoding read as Windows-1252"
    for sentence in SENTENCES:
        damaged = tcvn3_as_cp1252(sentence)
        if damaged != sentence:
            assert_damage_found(sentence, damaged)


@needs_iconv
def test_tcvn3_translit_gives_the_same_bytes() -> None:
    for sentence in SENTENCES:
        assert iconv(sentence, "TCVN5712-1//TRANSLIT") == iconv(sentence, "TCVN5712-1")


@needs_iconv
def test_upper_case_tcvn3_is_found() -> None:
    damaged = tcvn3_as_cp1252("ĐẢNG CỘNG SẢN VIỆT NAM")
    assert damaged == "§\ufffdNG C—NG S\ufffdN VIŒT NAM"
    assert damaged_words(damaged) == ["§\ufffdNG", "C—NG", "S\ufffdN", "VIŒT"]


@needs_iconv
def test_windows_1258_and_viscii_read_as_cp1252_are_found() -> None:
    assert cp1258_as_cp1252("Nguyễn") == "NguyêÞn"
    assert damaged_words("NguyêÞn") == ["NguyêÞn"]
    assert explain("NguyêÞn") == "legacy Windows-1258 encoding read as Windows-1252"
    for sentence in SENTENCES:
        for damage in (cp1258_as_cp1252, viscii_as_cp1252):
            damaged = damage(sentence)
            if damaged != sentence:
                assert_damage_found(sentence, damaged)


def test_vni_read_as_cp1252_is_found() -> None:
    sample = vni_as_cp1252("Nguyễn Thị Thuỷ Tiên, Đảng Cộng sản Việt Nam")
    assert sample == "Nguyeãn Thò Thuyû Tieân, Ñaûng Coäng saûn Vieät Nam"
    assert damaged_words(sample) == [
        "Nguyeãn", "Thò", "Thuyû", "Tieân", "Ñaûng", "Coäng", "saûn", "Vieät",
    ]  # fmt: skip
    assert explain("Ñaûng") == "legacy VNI encoding read as Windows-1252"
    assert explain("Thò") == ""  # a good word on its own (to stick out) ...
    assert (
        explain("Thò", sample)
        == "legacy VNI encoding read as Windows-1252, like other words of the text"
    )
    for sentence in SENTENCES:
        damaged = vni_as_cp1252(sentence)
        if damaged != sentence:
            assert_damage_found(sentence, damaged)


def test_utf8_read_as_cp1252_or_latin1_is_found() -> None:
    sample = utf8_as_cp1252("Nguyễn Thị Thuỷ Tiên")
    assert sample == "Nguyá»…n Thá»‹ Thuá»· TiÃªn"
    assert damaged_words(sample) == sample.split()
    assert explain("Ä‘i") == "UTF-8 read as Windows-1252"
    assert damaged_words(utf8_as_cp1252("Đảng")) == ["Ä\ufffdáº£ng"]  # 0x90 is a hole
    for sentence in SENTENCES:
        for damage in (utf8_as_cp1252, utf8_as_latin1):
            damaged = damage(sentence)
            if damaged != sentence:
                assert_damage_found(sentence, damaged)


def test_utf8_mojibake_of_the_word_la_survives_a_lost_no_break_space() -> None:
    assert damaged_words(utf8_as_cp1252("đó là")) == ["Ä‘Ã³", "lÃ\xa0"]
    assert damaged_words("Ä‘Ã³ lÃ") == ["Ä‘Ã³", "lÃ"]


def test_upper_case_letters_before_quotes_are_not_mojibake() -> None:
    assert damaged_words("ĐÃ\xa0KÝ “NGÃ” HÀ… THÌ’ LÊ—") == []


def test_two_tone_marks_in_one_syllable_are_found() -> None:
    for good, bad in [
        ("Nguyễn", "Nguyễ\u0300n"),
        ("hoá", "hóà"),
        ("thuỷ", "thủỷ"),
        ("Việt", "Vìệt"),
    ]:
        sentence = f"Đồng chí {bad} Văn Hùng, Chi bộ {good}"
        assert damaged_words(sentence) == [bad], sentence
        assert explain(bad) == "two tone marks in one syllable"


def test_a_tone_moved_to_another_letter_is_a_doubt_alone_and_damage_twice() -> None:
    stripped_and_moved = [
        ("Nguyễn", "Ngũyên"),  # tone taken off ê and put on u
        ("người", "ngừơi"),
        ("Tiến", "Tíên"),  # only letters French shares, but ê makes it Vietnamese
        ("quốc", "qúôc"),
    ]
    for good, bad in stripped_and_moved:
        assert judge(f"{good} {bad} Hà Nội") == ({}, {bad: "tone mark on the wrong letter"})
        assert explain(bad) == "tone mark on the wrong letter"
    bads = [bad for _, bad in stripped_and_moved]
    assert damaged_words(" ".join(bads)) == bads


def test_tone_mark_without_a_vowel_is_found() -> None:
    for bad in ("ǹg", "b\u0301", "\u0300", "Nguyên\u0301", "ẁ", "x\u0309"):
        sentence = f"Chi bộ {bad} phường"
        assert damaged_words(sentence) == [unicodedata.normalize("NFC", bad)], sentence
    assert explain("ǹg") == "tone mark without a vowel"
    assert explain("b\u0301") == "tone mark without a vowel"


def test_stop_endings_take_only_sac_or_nang() -> None:
    assert damaged_words("các cạc cát cạt cấp cập kịch kích") == []
    assert damaged_words("càc cảc cãc càt cảp cãch Đắk ok") == [
        "càc",
        "cảc",
        "cãc",
        "càt",
        "cảp",
        "cãch",
    ]
    assert explain("càc") == "only the sắc or nặng tone can end in c, ch, p or t"


def test_an_impossible_syllable_is_a_doubt_alone_and_damage_twice() -> None:
    bads = ["ượa", "ơă", "nguyêơn", "Ngyễn", "đươ", "ấ"]
    for bad in bads:
        assert judge(f"Chi bộ {bad}") == ({}, {bad: "not a possible Vietnamese syllable"}), bad
    assert damaged_words("Chi bộ " + " ".join(bads)) == bads
    assert explain("Ngyễn") == "not a possible Vietnamese syllable"


def test_vietnamese_marks_mixed_with_foreign_letters_are_found() -> None:
    assert damaged_words("Müllễr Thành") == ["Müllễr"]


def test_replacement_character_is_found() -> None:
    assert damaged_words("Nguy\ufffdn Văn A") == ["Nguy\ufffdn"]
    assert explain("Nguy\ufffdn").startswith("replacement character")


def test_ascii_stand_ins_are_found() -> None:
    assert damaged_words("Nguye^~n Va(n Ho^`ng, Vie^.t Nam") == [
        "Nguye^~n",
        "Va(n",
        "Ho^`ng",
        "Vie^.t",
    ]
    assert damaged_words("Nguye64n Va8n Vie65t Nam, d9i") == ["Nguye64n", "Va8n", "Vie65t", "d9i"]
    # "Th?" (Thị): an onset alone before a final "?", beside certain damage
    assert damaged_words("Nguy?n Th? Thu? Ti?n") == ["Nguy?n", "Th?", "Ti?n"]
    assert damaged_words("Gi? s?") == ["Gi?", "s?"]  # two of them: no text asks so
    assert damaged_words("chia s? libfoo1. What? Why? Ai? Cái gì?") == []
    assert explain("Vie65t") == "VNI keystrokes typed as digits"
    assert explain("Nguye^~n") == "VIQR: Vietnamese marks typed as ASCII signs"


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("N?ng", ["N?ng"]),  # Nẵng: the word's capital, then small letters
        ("??a ra", ["??a"]),  # đưa: no word starts with a question mark
        ("BI?U_TH?C", ["BI?U_TH?C"]),  # biểu thức, a placeholder's parts joined by _
        ("S.NGUY?N1", ["S.NGUY?N1"]),  # số nguyên 1
        ("What?Why", []),  # English, no space after the question mark
        ("Có không?", []),
        ("(?)", []),
        ("?id=3", []),
        ("https://x.vn/a?b=1", []),
        ("--wrap=C?T", ["--wrap=C?T"]),  # CỠ/CẮT after an option's "="
        ("K?_T?", ["K?_T?"]),  # KÝ_TỰ: two onsets left alone before "?"
        ("6.3.?L?nh debuild", ["6.3.?L?nh"]),  # a lost no-break space, then Lệnh
        ("Trang ch? GNU", ["ch?"]),  # chủ: no question ends on "ch"
        ("%(A=B?T:E)", []),  # a format's conditional
        ("Câu B?", []),  # one letter and "?": maybe a question
    ],
    ids=[
        "capital",
        "leading",
        "underscore",
        "dotted",
        "english",
        "question",
        "alone",
        "query",
        "url",
        "option",
        "two-onsets",
        "lost-space",
        "onset-cluster",
        "format",
        "letter-question",
    ],
)
def test_a_question_mark_in_place_of_a_letter(text: str, found: list[str]) -> None:
    assert damaged_words(text) == found


EXONYMS = listed("""
Matxcơva Oasinhtơn Irắc Ốtxtrâylia Cadắcxtan Mantơ Aixơlen Be-la-ruxợ Gil-bơt Tuổc-menh
Mát-xcơ-va
""")


def test_a_foreign_name_whose_vni_reading_opens_on_a_loan_letter_is_accepted() -> None:
    assert damaged_words("Jaén Fabién") == []  # VNI would read "Jắn": no Vietnamese j
    assert damaged_words("baét") == ["baét"]  # VNI "bắt"


def test_the_dictionarys_rare_and_colloquial_words_are_accepted() -> None:
    assert damaged_words("quoắt quoạng quoàng xuyệc") == []


def test_foreign_names_as_vietnamese_writes_them_are_accepted() -> None:
    assert [w for w in EXONYMS if damaged_words(w)] == []


def test_damage_does_not_pass_as_a_foreign_name() -> None:
    # two tones, or a capital inside: no foreign name is cut into syllables like that
    assert damaged_words("hóà NguyÔn càc") == ["hóà", "NguyÔn", "càc"]


def test_viqr_with_only_full_stops_or_a_final_apostrophe_needs_two_words() -> None:
    assert damaged_words("tra.ng tha'i") == ["tra.ng", "tha'i"]
    assert damaged_words("Mu.c lu.c") == ["Mu.c", "lu.c"]
    assert damaged_words("ta.i") == []  # one word: maybe a full stop
    assert damaged_words("no'") == []  # maybe a closing quote
    assert damaged_words("no' co'") == ["no'", "co'"]
    assert damaged_words("I'm here, I'd go; e.g. i.e. www.hanoi.gov.vn") == []


def test_an_apostrophe_inside_a_word_that_reads_as_vietnamese_is_viqr() -> None:
    # manpages-vi lines typed in VIQR: "khác", "cái." (the full stop ends the sentence)
    assert damaged_words("kha'c") == ["kha'c"]
    assert damaged_words("ca'i.") == ["ca'i."]
    assert damaged_words("na`o.") == ["na`o."]
    # VIQR's "dd" (đ) opening a word before a vowel: no English word opens so
    assert damaged_words("ddo.c") == ["ddo.c"]
    assert damaged_words("DDi.nh") == ["DDi.nh"]
    assert damaged_words("e.g. index.html ddos.attack") == []
    english = "I don't know, it's O'Brien's; we'll see. Hawai'i, l'amour, aujourd'hui"
    assert damaged_words(english) == []


def test_two_words_written_as_one_are_a_doubt_and_initials_before_a_syllable_pass() -> None:
    assert judge("--backup[=ĐIỀUKHIỂN]") == ({}, {"backup[=ĐIỀUKHIỂN": "two words written as one"})
    assert judge("hóà") == ({"hóà": "two tone marks in one syllable"}, {})  # cannot be cut
    assert judge("TMỤC BTHỨC") == ({}, {})  # T(HƯ) MỤC, B(IỂU) THỨC: initials, then a syllable
    assert judge("NGYỄN") == ({}, {"NGYỄN": "not a possible Vietnamese syllable"})


def test_camel_case_is_accepted_and_glued_words_stay_a_doubt() -> None:
    # gettext catalogs name things so; damage never writes syllables capitalised one by one
    assert judge("KýHiệu ChưaBiết12 ĐóngVới") == ({}, {})
    glued = {"TÀIKHOẢN": "two words written as one"}
    assert judge("đặt TÀIKHOẢN làm tên, TÀIKHOẢN") == ({}, glued)  # twice: still a doubt
    assert damaged_words("NguyÔn") == ["NguyÔn"]  # TCVN3: its second part opens on a vowel
    # a part opening on a vowel, or of one toned letter, beside letters Windows-1252 lacks
    # (which no legacy encoding read as Windows-1252 makes): gettext catalogs' names
    assert judge("GiảmÂmLượng ĐọcÝKiến") == ({}, {})


def test_a_syllable_glued_to_an_ascii_word_is_a_doubt() -> None:
    # maint-guide-vi and manpages-vi: "lệnh" + "pdebuild", a placeholder + "aa"
    glued = "two words written as one"
    line = "lệnhpdebuild (dùng bởi lệnhgbp, uupdateđược, TIỀN_TỐaa"
    assert judge(line) == (
        {},
        {
            "lệnhpdebuild": glued,
            "lệnhgbp": "not a possible Vietnamese syllable",  # "gbp" has no vowel: one odd word
            "uupdateđược": glued,
            "TIỀN_TỐaa": glued,
        },
    )
    # an ASCII part without a vowel is a coda, not a word: "địng" is a misspelt syllable
    assert judge("địng") == ({}, {"địng": "not a possible Vietnamese syllable"})
    # one misspelt syllable is not two words: "Ngy|ễn" opens its second part on a vowel
    assert judge("Ngyễn") == ({}, {"Ngyễn": "not a possible Vietnamese syllable"})
    assert damaged_words("Ngyễn Ngyễn") == ["Ngyễn"]  # twice: damage, as before


def test_curly_quotes_around_ascii_are_no_tcvn3() -> None:
    assert damaged_words("<schema id=“%s”> ký tự L”\\u%0*x” “%s”%s") == []
    assert damaged_words("C—NG") == ["C—NG"]  # one TCVN3 capital inside: CỘNG


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("thùc thi.", ["thùc"]),  # thực: misspelt as written, good Vietnamese in TCVN3
        ("vai trß", ["trß"]),  # trò: no language writes a word without a vowel
        ("mô phöng POSIX Yacc", ["phöng"]),  # phỏng: a syllable prose uses often
        ("mô khæ", ["mô", "khæ"]),  # mô khổ: one foreign-looking, one not, corroborating
        ("bao gåm:", ["gåm"]),  # gồm, one of the commonest words
        ("Cöa sæ", ["Cöa", "sæ"]),  # cửa sổ: two foreign-looking words read as Vietnamese
        ("dÕng", ["dÕng"]),  # VISCII dạng: a capital inside a syllable, though "dõng" parses
        ("®·", ["®·"]),  # TCVN3 đã: no letter at all, and one of the commonest words
        ("--block-size=C³", ["block-size=C³"]),  # VISCII CỠ: a sign read as the last capital
        ("-t KÝ_T¹", ["KÝ_T¹"]),  # VISCII KÝ_TỰ
    ],
    ids=[
        "misspelt",
        "no-vowel",
        "seen-often",
        "foreign-and-vietnamese",
        "common",
        "two-foreign-looking",
        "capital-inside",
        "symbols-only",
        "sign-after-capital",
        "sign-after-capitals",
    ],
)
def test_short_legacy_damage_seen_in_manpages_and_maint_guide(text: str, found: list[str]) -> None:
    assert damaged_words(text) == found


@pytest.mark.parametrize(
    "text",
    [
        "Zoë Tác",
        "più où",
        "Loïc, più où",  # VNI would read "Lọc", a syllable prose uses often: French first
        "Jürgen Lü già",
        "Hélène Müller, Zoë",
        "5µm",
        "Crème brûlée à Paris",
        "Zoë Lü",  # VISCII "Zoẻ Lủ": a reading that opens as only loan words do
        "sø på",  # TCVN3 "sứ pồ" likewise
        "50 m², a³ + c³, hạng B», X²",  # a sign after a small letter, or no common word
    ],
    ids=[
        "name-and-word",
        "italian-french",
        "french-name",
        "foreign-beside",
        "names",
        "unit",
        "french-dish",
        "two-names",
        "danish",
        "units-and-signs",
    ],
)
def test_foreign_words_a_legacy_encoding_could_make_are_not_refused(text: str) -> None:
    # maybes corroborate each other only with a Vietnamese word beside a foreign-looking one,
    # or two foreign-looking words read as native Vietnamese syllables with letters
    # Windows-1252 lacks, and no plainly foreign word in the text
    assert damaged_words(text) == []


@pytest.mark.parametrize(
    "text",
    ["khíp víi", "tè cña", "nhæng", "cüa", "duïng", "taïi", "Gi? s?", "??u"],
    ids=["tcvn3-pair", "tcvn3-cua", "tcvn3-nhung", "cua", "vni-dung", "vni-tai", "lost", "lost2"],
)
def test_short_damage_the_issue_found_missed_is_refused(text: str) -> None:
    # a legacy reading that is one of the commonest words, or "?" where letters were
    assert damaged_words(text), text


def test_reports_each_word_once_in_order() -> None:
    text = "càc Nguyá»…n càc hóà Nguyá»…n"
    assert damaged_words(text) == ["càc", "Nguyá»…n", "hóà"]


def test_explain_is_pure_and_empty_for_good_words() -> None:
    assert explain("Nguyễn") == ""
    assert explain("John") == ""
    assert explain("hóà") == explain("hóà") == "two tone marks in one syllable"


def test_a_2_kb_request_of_good_text_is_accepted() -> None:
    # its speed is measured in bench/vietnamese_corpus.py, not asserted here
    text = (" ".join(SENTENCES) * 3)[:2048]
    for i in range(20):
        assert damaged_words(text + f" x{i}") == []

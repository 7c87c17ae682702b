"""Vietnamese personal and place names for the Vietnamese-check benchmark (built by the project)."""

from __future__ import annotations

import itertools


def _listed(text: str) -> list[str]:
    return text.split()


# Family names, the common ones first (both spellings where two are in use).
FAMILY = _listed("""
Nguyễn Trần Lê Phạm Hoàng Huỳnh Phan Vũ Võ Đặng Bùi Đỗ Hồ Ngô Dương Lý Đinh Đào Trịnh Mai
Lương Trương Tạ Cao Lâm Hà Quách Tôn Thái Kiều Chu Triệu Mạc Lưu Văn Vương Doãn Khổng Âu
Ông Thân Tăng Quan Nghiêm Diệp Khúc Giáp Phí Lục Thạch Đoàn Tống Lã Lữ Mẫn Ninh Đàm Phùng
Châu Giang Hứa Đồng Bạch Hàn Hầu Nông Lò Cầm Quàng Sầm Hoàng
""")

# Middle names: Văn and Thị, and the many others families give.
MIDDLE = _listed("""
Văn Thị Hữu Đức Minh Ngọc Thanh Xuân Thu Quang Công Đình Trọng Quốc Hồng Kim Bảo Gia Anh
Thế Mạnh Tiến Khánh Phương Hoài Diệu Tuấn Như Bích Mỹ Ánh Thuỳ Thúy Hải Phúc Trung Duy
""")

# Given names, both tone placements where the old (hoà, thuỷ) and new (hòa, thủy) are used.
GIVEN = _listed("""
An Anh Ánh Bảo Bích Bình Châu Chi Chiến Cúc Cường Dũng Dung Duyên Dương Đạt Điệp Đông Đức
Giang Hà Hải Hạnh Hằng Hiền Hiếu Hoa Hoà Hòa Hoài Hoàn Hoàng Hồng Huệ Hùng Hưng Hương Hường
Huy Huyền Khải Khang Khánh Khoa Khuê Kiên Kiều Lan Lâm Liên Liễu Linh Loan Lộc Lợi Long Luân
Lực Ly Mai Minh My Mỹ Nam Nga Ngân Nghĩa Ngọc Nguyên Nhàn Nhung Oanh Phong Phúc Phụng Phương
Phượng Quân Quang Quế Quốc Quyên Quyết Quỳnh Sang Sơn Sương Tài Tâm Tân Thắng Thanh Thành
Thảo Thi Thịnh Thoa Thơ Thuận Thư Thương Thuý Thúy Thuỷ Thủy Tiến Toàn Trang Trinh Trúc Trung
Tuấn Tùng Tuyết Uyên Vân Việt Vinh Vũ Xuân Yến Ý Uy Khuyến Nguyệt Quyền Loát Khoát Ngoãn
""")

# Names of the Ê Đê, H'Mông, Khmer, Chăm, Tày, Thái and other peoples, as Vietnamese writes them.
MINORITY = [
    "Y Moan Ênuôl", "H'Hen Niê", "Y Ngọc Niê Kdăm", "Ksor Phước", "Rơ Mah Hlach", "H'Bia Mlô",
    "Y Jut Hwing", "Nay Phin", "Siu Đinh", "Kpă Thuyên", "Ama Kông", "Y Khu Niê Kdăm",
    "Giàng A Páo", "Sùng Thị Mỷ", "Vàng Seo Lử", "Mùa A Sềnh", "Lầu Mí Chứ", "Thào Thị Dua",
    "Sùng Mí Vàng", "Hầu A Lềnh", "Ly Seo Chảo", "Chảo Láo Lở",
    "Thạch Sang", "Sơn Thị Xuân", "Danh Hiếu", "Kim Thị Sóc", "Lâm Sóc Khum", "Thạch Phước Bình",
    "Chau Sóc Khăng", "Néang Sa Rất", "Đàng Năng Thọ", "Thiên Sanh Cảnh", "Quảng Đại Tuyên",
    "Từ Công Xuân", "Bá Văn Thắng", "Inrasara", "Hán Thị Loan", "Đạo Văn Hiền",
    "Lò Văn Giàng", "Cầm Thị Hoa", "Lường Văn Thắng", "Quàng Văn Binh", "Hà Văn Đức",
    "Nông Quốc Tuấn", "Ma Thị Nguyệt", "Hoàng Thị Hải Yến", "Bế Văn Đàn", "Triệu Thị Trinh",
    "A Lăng Thị Xoan", "Hồ Văn Lãnh", "Đinh Núp", "A Sanh", "Y Bhin Niê", "Điểu K'Lứt",
]  # fmt: skip

# Places, from provinces down to wards and communes (Hà Nội's wards first).
PLACES = [
    "Ba Đình", "Hoàn Kiếm", "Phúc Xá", "Trúc Bạch", "Vĩnh Phúc", "Cống Vị", "Liễu Giai",
    "Ngọc Hà", "Điện Biên", "Đội Cấn", "Kim Mã", "Giảng Võ", "Thành Công", "Quán Thánh",
    "Hàng Bạc", "Hàng Bồ", "Hàng Đào", "Hàng Gai", "Hàng Trống", "Lý Thái Tổ", "Phúc Tân",
    "Chương Dương", "Cửa Đông", "Cửa Nam", "Tràng Tiền", "Trần Hưng Đạo", "Đồng Xuân",
    "Hai Bà Trưng", "Đống Đa", "Cầu Giấy", "Thanh Xuân", "Hoàng Mai", "Long Biên", "Tây Hồ",
    "Nam Từ Liêm", "Bắc Từ Liêm", "Hà Đông", "Sơn Tây", "Ba Vì", "Phúc Thọ", "Đan Phượng",
    "Hoài Đức", "Quốc Oai", "Thạch Thất", "Chương Mỹ", "Thanh Oai", "Thường Tín", "Phú Xuyên",
    "Ứng Hoà", "Mỹ Đức", "Sóc Sơn", "Đông Anh", "Gia Lâm", "Mê Linh", "Thanh Trì",
    "Hà Giang", "Cao Bằng", "Bắc Kạn", "Tuyên Quang", "Lào Cai", "Điện Biên Phủ", "Lai Châu",
    "Sơn La", "Yên Bái", "Hoà Bình", "Thái Nguyên", "Lạng Sơn", "Quảng Ninh", "Bắc Giang",
    "Phú Thọ", "Vĩnh Phúc", "Bắc Ninh", "Hải Dương", "Hải Phòng", "Hưng Yên", "Thái Bình",
    "Hà Nam", "Nam Định", "Ninh Bình", "Thanh Hoá", "Nghệ An", "Hà Tĩnh", "Quảng Bình",
    "Quảng Trị", "Thừa Thiên Huế", "Đà Nẵng", "Quảng Nam", "Quảng Ngãi", "Bình Định",
    "Phú Yên", "Khánh Hoà", "Ninh Thuận", "Bình Thuận", "Kon Tum", "Gia Lai", "Đắk Lắk",
    "Đắk Nông", "Lâm Đồng", "Bình Phước", "Tây Ninh", "Bình Dương", "Đồng Nai",
    "Bà Rịa – Vũng Tàu", "Long An", "Tiền Giang", "Bến Tre", "Trà Vinh", "Vĩnh Long",
    "Đồng Tháp", "An Giang", "Kiên Giang", "Cần Thơ", "Hậu Giang", "Sóc Trăng", "Bạc Liêu",
    "Cà Mau", "Buôn Ma Thuột", "Krông Pắc", "Krông Búk", "Ea H'leo", "Cư M'gar", "Đạ Tẻh",
    "Chư Păh", "Chư Sê", "Ia Grai", "Mang Yang", "Đắk Glei", "Ngọc Hồi", "Mường Tè",
    "Mường Nhé", "Mù Cang Chải", "Bắc Hà", "Si Ma Cai", "Mèo Vạc", "Đồng Văn", "Yên Minh",
    "Sìn Hồ", "Phong Thổ", "Tủa Chùa", "Trà Cú", "Tri Tôn", "Tịnh Biên", "Phan Rang – Tháp Chàm",
    "xã Ia Kênh", "phường Quyết Thắng", "thị trấn Khe Sanh", "xã Tà Xùa", "xã Lũng Cú",
]  # fmt: skip


def personal_names() -> list[str]:
    """Full names: family + middle + given (a deterministic sample of the combinations),
    the minority names as they are, and each part alone."""
    combined = [
        f"{family} {middle} {given}"
        for i, (family, middle, given) in enumerate(itertools.product(FAMILY, MIDDLE, GIVEN))
        if i % 37 == 0  # about 1,300 of the 49,000 combinations, spread over all parts
    ]
    return list(dict.fromkeys([*combined, *MINORITY, *FAMILY, *MIDDLE, *GIVEN]))


def place_names() -> list[str]:
    return list(dict.fromkeys(PLACES))

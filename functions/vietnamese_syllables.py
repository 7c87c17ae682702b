"""Vietnamese syllables real prose uses often, written by bench/common_syllables.py."""

# The 787 syllables seen at least 2 times in manpages-vi and
# maint-guide-vi (Debian's Vietnamese manual pages and New Maintainers' Guide); do not
# edit by hand, run `python -m bench.common_syllables` again.
_SEEN = """
    biên biến biết biểu biệt buộc bài bàn bày bán báo bát
    bây bé bên bình bít bó băm bước bại bạn bản bảng
    bảo bất bậc bật bắng bắt bằng bị bỏ bố bổ bộ
    bội bởi chiếu chiều chuyên chuyển chuẩn chuỗi chèn chéo chép chí
    chính chú chúng chút chơi chưa chương chạy chấm chấp chẩn chắc
    chắn chẳng chẵn chặn chặt chẽ chế chết chỉ chỉnh chịu chọn
    chối chồng chỗ chờ chủ chứ chứa chức chữ cuối cài càng
    cá các cách cái cáo cân câu cây còn có côi công
    cùng cú căn cũ cũng cơ cạnh cả cải cảm cảnh cấp
    cấu cần cầu cẩn cập cắm cắt cặp cố cổng cộng cột
    cờ cỡ cụ cục của cứ cứng diễn diện diệt dài dàn
    dàng dành dán dáng dãy dò dòng dõi dù dùng dĩ dư
    dương dưới dạng dấu dần dẫn dẹp dể dễ dịch dọc dọn
    dụ dụng dứt dừng dữ dự dựa dựng ghép giá gián giây
    giúp giả giải giảm giản giấu giấy giết giống giới giờ giữ
    giữa gán gây gì gói góp gõ gạch gần gắn gắng gặp
    gọi gọn gốc gồm gộp gỡ gợi gửi hiếm hiển hiểu hiện
    hiệu hoàn hoá hoán hoạch hoạt hoặc huống hài hàm hàng hành
    hãy hình hòa hóa hơi hơn hướng hưởng hạn hạng hạt hảo
    hầu hậu hết hệ họ họa học hỏi hỏng hồi hỗ hội
    hợp hủy hữu khiển khoản khoảng khuyên khuyến khuôn khá khác khách
    khái khích khó khóa khôi không khăn khả khảo khẩn khẩu khắc
    khỏi khối khớp khởi kiên kiếm kiến kiểm kiểu kiện kèm kéo
    kép kê kí kích ký kẽ kế kết kề kể kịch kỳ
    kỷ kỹ liên liệt liệu loại loạt luôn luận luật luồng là
    làm lên lòng lõi lùi lúc lý lưu lưới lược lượng lạ
    lại lấp lấy lần lập lắng lặp lẻ lẽ lề lệ lệnh
    lịch lọc lỗi lớn lớp lờ lời lục lựa lực miền muốn
    mà màn màu máy mã mãn mình mô môi múi mũ mười
    mạng mạnh mất mẫu mật mắc mặc mặt mẹ mẽ mềm mọi
    mối mồ mồi mỗi một mới mở mục mức nghiêm nghiệm nghĩ
    nghĩa nghị ngoài ngoại ngoặc nguyên nguyện nguồn ngày ngã ngôn ngăn
    người ngược ngầm ngẫu ngắn ngắt ngụ ngủ ngữ nhiên nhiều nhiểu
    nhiệm nhà nhánh nhân nhãn nhìn nhóm nhúng như nhưng nhảy nhất
    nhầm nhận nhập nhật nhắc nhằm nhẹ nhị nhỏ nhớ nhở những
    nào này nâng nén nên nó nói nút năm năng nơi nằm
    nếu nền nối nỗ nội nữa phiên phiền phá pháp phát phân
    phép phí phía phím phông phù phút phương phạm phải phản phần
    phẩm phẩy phận phỏng phối phổ phụ phục phức quyết quyền quá
    quát quét quả quản riêng ràng rác rõ rải rất rằng rối
    rồi rỗng rộng siêu soát soạn sàng sách sánh sát sót sơ
    sườn sạch sản sắp sẵn sẻ sẽ số sổ sớm sở sức
    sử sửa sự thiết thiếu thiện thiệu thoát thuật thuộc thành thái
    tháng tháo thân thêm thì thích thô thông thúc thăm thư thước
    thường thượng thảo thấp thất thấy thẩm thậm thận thập thật thẳng
    thẻ thế thể thị thỏa thống thời thụt thủ thứ thức thừa
    thử thực tiên tiêu tiến tiếng tiếp tiết tiềm tiền tiện toàn
    toái toán triển truyền trái tránh trên trì trình trí trích trò
    tròn trông trùng trúc trưng trước trường trạng trả trắng trễ trị
    trọng trỏ trống trộn trở trợ trừ trữ trực tuyến tuyệt tuân
    tuần tuỳ tài tác tách tái tên tìm tình tích tín tính
    tóm tôi tùy tăng tĩnh tư tương tượng tại tạm tạo tạp
    tả tải tảng tất tầm tẩy tập tắc tắt tế tệp tố
    tốc tối tốt tồn tổ tổng tới tục tức từ từng tử
    tự tỷ viên viết việc viện và vài vào vá vân vâng
    vì ví vòng vô vùng văn vượt vấn vẫn vậy vắng vẹn
    vẻ vẽ vết về vị vọng vỏ vốn với vỡ vụ vừa
    xoá xuyên xuất xuống xác xây xã xét xóa xảy xếp xử
    yêu yếu án áp âm ép ích ít ý đ đa đang
    đi điền điều điểm điển điểu điện điệp đoán đoạn đun đuôi
    đáng đánh đáp đâu đây đã đè đích đính đòi đó đóng
    đôi đông đúng đăng đĩa đơn đưa đương đường được đại đảm
    đảo đấy đầu đầy đẩy đằng đặc đặt đếm đến đề đều
    để đệ đệm địa định đọc đối đồ đồng đổ đổi độ
    độc động đột đỡ đợi đủ đứng đừng ưu ước ảnh ảo
    ấn ấy ống ổ ổn ở ứng
"""
SEEN_SYLLABLES = frozenset(_SEEN.split())

"""The starting text of the fixed pages, in Vietnamese (source) and English.

``cms_setup`` creates each page once with this text; after that editors own it in
the CMS and setup never overwrites their changes.
"""

HOTLINE_LINE_VI = (
    "Gọi <b>111</b>: Tổng đài quốc gia bảo vệ trẻ em, miễn phí, "
    "mở cả ngày lẫn đêm (24/7)."
)
HOTLINE_LINE_EN = (
    "Call <b>111</b>: the national child protection hotline, free of charge, "
    "open day and night (24/7)."
)

APP_REPORTING = {
    "vi": [
        (
            "Zalo",
            [
                "Mở cuộc trò chuyện với người làm em khó chịu.",
                "Chụp màn hình tin nhắn trước khi chặn để giữ bằng chứng.",
                "Bấm vào tên hoặc biểu tượng ba chấm, chọn Báo xấu và chọn lý do.",
                "Sau đó chọn Chặn.",
            ],
        ),
        (
            "Facebook và Messenger",
            [
                "Mở trang cá nhân hoặc tin nhắn của người đó.",
                "Chụp màn hình và ghi lại đường dẫn trước khi chặn.",
                "Bấm biểu tượng ba chấm, chọn Báo cáo, rồi Chặn.",
            ],
        ),
        (
            "TikTok",
            [
                "Chụp màn hình làm bằng chứng.",
                "Nhấn giữ vào video hoặc bình luận, chọn Báo cáo.",
                "Vào trang cá nhân của người đó, bấm biểu tượng chia sẻ, chọn Chặn.",
            ],
        ),
        (
            "YouTube",
            [
                "Ghi lại tên kênh và đường dẫn video.",
                "Bấm biểu tượng ba chấm cạnh video hoặc bình luận, chọn Báo cáo.",
                "Trên kênh của người đó, chọn Chặn người dùng.",
            ],
        ),
    ],
    "en": [
        (
            "Zalo",
            [
                "Open the chat with the person who upset you.",
                "Take screenshots of the messages before blocking, to keep evidence.",
                "Tap their name or the three-dot icon; choose Report, give a reason.",
                "Then choose Block.",
            ],
        ),
        (
            "Facebook and Messenger",
            [
                "Open the person's profile or the chat.",
                "Take screenshots and note the link before blocking.",
                "Tap the three-dot icon, choose Report, then Block.",
            ],
        ),
        (
            "TikTok",
            [
                "Take screenshots as evidence.",
                "Press and hold the video or comment and choose Report.",
                "On the person's profile, tap the share icon and choose Block.",
            ],
        ),
        (
            "YouTube",
            [
                "Note the channel name and the video link.",
                "Tap the three-dot icon next to the video or comment; choose Report.",
                "On the person's channel, choose Block user.",
            ],
        ),
    ],
}

PAGES = {
    "home": {
        "slug": "home",
        "vi": {
            "title": "An toàn trên mạng",
            "intro": "<p>Học cách dùng mạng an toàn, tử tế và vui vẻ. "
            "Khi có điều gì làm em lo lắng, hãy nói với người lớn em tin "
            "tưởng hoặc gọi 111.</p>",
        },
        "en": {
            "title": "Safe online",
            "intro": "<p>Learn to use the internet safely, kindly and happily. "
            "If anything worries you, tell an adult you trust or call 111.</p>",
        },
    },
    "catalogue": {
        "slug": "bai-hoc",
        "vi": {
            "title": "Bài học",
            "intro": "<p>Chọn bài học theo lớp và theo chủ đề.</p>",
        },
        "en": {
            "title": "Lessons",
            "intro": "<p>Choose lessons by grade and by topic.</p>",
        },
    },
    "parents": {
        "slug": "goc-phu-huynh",
        "vi": {
            "title": "Góc phụ huynh",
            "intro": "<p>Hướng dẫn ngắn giúp cha mẹ và người chăm sóc đồng hành "
            "cùng con trên mạng.</p>",
        },
        "en": {
            "title": "Parent corner",
            "intro": "<p>Short guides that help parents and caregivers "
            "support their children online.</p>",
        },
    },
    "staff": {
        "slug": "goc-giao-vien",
        "vi": {
            "title": "Góc giáo viên và cán bộ",
            "intro": "<p>Tài liệu cho thầy cô và cán bộ bảo vệ trẻ em.</p>",
        },
        "en": {
            "title": "Teacher and staff corner",
            "intro": "<p>Materials for teachers and child-protection staff.</p>",
        },
    },
    "help": {
        "slug": "can-giup-do",
        "vi": {
            "title": "Cần giúp đỡ",
            "intro": f"<p>{HOTLINE_LINE_VI}</p><p>Em không có lỗi. Hãy nói với "
            "người lớn em tin tưởng càng sớm càng tốt.</p>",
            "tell": "<h3>Ở trường, em có thể nói với ai?</h3><ul>"
            "<li>Giáo viên chủ nhiệm hoặc thầy cô em tin tưởng.</li>"
            "<li>Thầy cô phụ trách tư vấn tâm lý học đường.</li>"
            "<li>Thầy cô Tổng phụ trách Đội hoặc Ban giám hiệu.</li></ul>"
            "<p>Ở nhà, hãy nói với người lớn chăm sóc em.</p>",
            "tip": "Đừng xóa tin nhắn xấu: hãy chụp màn hình, chặn và báo cáo, "
            "rồi nói với người lớn.",
        },
        "en": {
            "title": "Get help",
            "intro": f"<p>{HOTLINE_LINE_EN}</p><p>It is not your fault. Tell an "
            "adult you trust as soon as you can.</p>",
            "tell": "<h3>Who can you tell at school?</h3><ul>"
            "<li>Your homeroom teacher or any teacher you trust.</li>"
            "<li>The school counsellor.</li>"
            "<li>The Young Pioneers leader or the head teacher.</li></ul>"
            "<p>At home, tell the adult who looks after you.</p>",
            "tip": "Do not delete nasty messages: take screenshots, block and "
            "report, then tell an adult.",
        },
    },
    "privacy": {
        "slug": "quyen-rieng-tu",
        "vi": {
            "title": "Quyền riêng tư của em",
            "body": "<p>Trang web này giữ rất ít thông tin về em: tên hiển thị, "
            "lớp học và kết quả bài học. Chúng tôi không hỏi số điện thoại, "
            "địa chỉ nhà hay ngày sinh của em.</p>"
            "<p>Chỉ thầy cô của lớp em và nhà trường được xem kết quả của em, "
            "để giúp em học tốt hơn. Chúng tôi không bán và không chia sẻ "
            "thông tin của em cho quảng cáo.</p>"
            "<p>Em và ba mẹ hoặc người chăm sóc em có quyền hỏi xem chúng tôi "
            "giữ những gì, và có quyền yêu cầu xóa. Hãy nhờ thầy cô hoặc người "
            "lớn chăm sóc em giúp em.</p>"
            "<p>Đừng viết mật khẩu, số điện thoại hay địa chỉ của em vào bài "
            "làm hoặc tin nhắn nhé.</p>",
        },
        "en": {
            "title": "Your privacy",
            "body": "<p>This website keeps very little about you: your display "
            "name, your class and your lesson results. We never ask for your "
            "phone number, home address or birthday.</p>"
            "<p>Only your class teachers and your school can see your results, "
            "to help you learn. We do not sell your information or share it "
            "for advertising.</p>"
            "<p>You and your parents or the person who looks after you can ask "
            "what we keep, and ask us to delete it. A teacher or the adult who "
            "looks after you can help you.</p>"
            "<p>Please do not write your password, phone number or address in "
            "your answers or messages.</p>",
        },
    },
}

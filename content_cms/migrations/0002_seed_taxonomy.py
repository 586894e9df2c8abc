"""Seed the age bands, topics and framework strands modules are tagged with.

Idempotent (update_or_create by code): re-running keeps editors' extra rows.
"""

from django.db import migrations

AGE_BANDS = [
    # code, name, name_en, min_grade, max_grade, min_age, max_age
    ("g1-2", "Lớp 1-2 (6-7 tuổi)", "Grades 1-2 (ages 6-7)", 1, 2, 6, 7),
    ("g3-5", "Lớp 3-5 (8-10 tuổi)", "Grades 3-5 (ages 8-10)", 3, 5, 8, 10),
    ("g6-9", "Lớp 6-9 (11-14 tuổi)", "Grades 6-9 (ages 11-14)", 6, 9, 11, 14),
    ("g10-12", "Lớp 10-12 (15-17 tuổi)", "Grades 10-12 (ages 15-17)", 10, 12, 15, 17),
    ("parents", "Cha mẹ và người chăm sóc", "Parents and caregivers", None, None, None, None),
    ("staff", "Giáo viên và cán bộ", "Teachers and staff", None, None, None, None),
]

TOPICS = [
    ("privacy", "Thông tin cá nhân và quyền riêng tư", "Personal information and privacy"),
    ("passwords", "Mật khẩu và bảo mật tài khoản", "Passwords and account security"),
    ("kindness", "Tử tế trên mạng và bắt nạt qua mạng", "Kindness and cyberbullying"),
    ("strangers", "Người lạ trên mạng và nguy cơ bị dụ dỗ", "Contact with strangers and grooming"),
    ("scams", "Lừa đảo, giả mạo và tin sai lệch", "Scams, phishing and misinformation"),
    ("wellbeing", "Sức khỏe số và thời gian dùng thiết bị", "Digital wellbeing and screen time"),
    ("help", "Tìm trợ giúp và báo cáo", "Getting help and reporting"),
    (
        "footprint",
        "Dấu chân số, sử dụng mạng tích cực và sáng tạo",
        "Digital footprint and positive, creative use",
    ),
]

STRANDS = [
    # MOET Circular 02/2025/TT-BGDĐT, digital competence domain "An toàn" (Safety).
    ("moet_safety", "protect-devices", "Bảo vệ thiết bị", "Protecting devices"),
    (
        "moet_safety",
        "protect-data-privacy",
        "Bảo vệ dữ liệu cá nhân và quyền riêng tư",
        "Protecting personal data and privacy",
    ),
    (
        "moet_safety",
        "protect-health-wellbeing",
        "Bảo vệ sức khỏe và an sinh trong môi trường số",
        "Protecting health and well-being",
    ),
    ("moet_safety", "protect-environment", "Bảo vệ môi trường", "Protecting the environment"),
    # Google Be Internet Awesome ("Em an toàn hơn cùng Google"): five pillars.
    ("be_internet_awesome", "share-with-care", "Chia sẻ thận trọng", "Share with care"),
    ("be_internet_awesome", "dont-fall-for-fake", "Không mắc bẫy lừa đảo", "Don't fall for fake"),
    ("be_internet_awesome", "secure-your-secrets", "Giữ kín bí mật của em", "Secure your secrets"),
    ("be_internet_awesome", "its-cool-to-be-kind", "Tử tế thật tuyệt", "It's cool to be kind"),
    (
        "be_internet_awesome",
        "when-in-doubt-talk-it-out",
        "Khi băn khoăn, hãy nói ra",
        "When in doubt, talk it out",
    ),
    # Common Sense Digital Citizenship topics.
    (
        "common_sense",
        "media-balance-wellbeing",
        "Cân bằng khi dùng thiết bị và sức khỏe",
        "Media balance and well-being",
    ),
    ("common_sense", "privacy-security", "Quyền riêng tư và bảo mật", "Privacy and security"),
    (
        "common_sense",
        "digital-footprint-identity",
        "Dấu chân số và bản thân",
        "Digital footprint and identity",
    ),
    (
        "common_sense",
        "relationships-communication",
        "Các mối quan hệ và giao tiếp",
        "Relationships and communication",
    ),
    (
        "common_sense",
        "cyberbullying-digital-drama-hate-speech",
        "Bắt nạt qua mạng, xung đột trên mạng và lời lẽ thù ghét",
        "Cyberbullying, digital drama and hate speech",
    ),
    (
        "common_sense",
        "news-media-literacy",
        "Hiểu biết về tin tức và truyền thông",
        "News and media literacy",
    ),
    # UK Council for Internet Safety: Education for a Connected World strands.
    ("connected_world", "self-image-identity", "Hình ảnh bản thân và bản sắc", "Self-image and identity"),
    ("connected_world", "online-relationships", "Các mối quan hệ trên mạng", "Online relationships"),
    ("connected_world", "online-reputation", "Danh tiếng trên mạng", "Online reputation"),
    ("connected_world", "online-bullying", "Bắt nạt trên mạng", "Online bullying"),
    (
        "connected_world",
        "managing-online-information",
        "Xử lý thông tin trên mạng",
        "Managing online information",
    ),
    (
        "connected_world",
        "health-wellbeing-lifestyle",
        "Sức khỏe, an sinh và lối sống",
        "Health, well-being and lifestyle",
    ),
    ("connected_world", "privacy-security", "Quyền riêng tư và bảo mật", "Privacy and security"),
    ("connected_world", "copyright-ownership", "Bản quyền và quyền sở hữu", "Copyright and ownership"),
]


def seed(apps, schema_editor):
    AgeBand = apps.get_model("content_cms", "AgeBand")
    Topic = apps.get_model("content_cms", "Topic")
    FrameworkStrand = apps.get_model("content_cms", "FrameworkStrand")
    for order, (code, name, name_en, gmin, gmax, amin, amax) in enumerate(AGE_BANDS, 1):
        AgeBand.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "name_en": name_en,
                "min_grade": gmin,
                "max_grade": gmax,
                "min_age": amin,
                "max_age": amax,
                "sort_order": order,
            },
        )
    for order, (code, name, name_en) in enumerate(TOPICS, 1):
        Topic.objects.update_or_create(
            code=code, defaults={"name": name, "name_en": name_en, "sort_order": order}
        )
    for framework, code, name, name_en in STRANDS:
        FrameworkStrand.objects.update_or_create(
            framework=framework,
            code=code,
            defaults={"name": name, "name_en": name_en},
        )


class Migration(migrations.Migration):
    dependencies = [("content_cms", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]

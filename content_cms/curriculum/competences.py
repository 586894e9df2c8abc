"""The digital competence framework for learners (MOET Circular 02/2025/TT-BGDĐT).

Pure data, no Django models: the seed migration, ``taxonomy_ensure``, the coverage
document and the module page all read it.

The circular (issued 24 January 2025, in force 11 March 2025) sets 6 domains and 24
component competences, numbered ``<domain>.<competence>`` (``4.2`` is "protecting
personal data and privacy" in domain 4, "Safety"), in 4 proficiency tiers over 8
levels. MOET's guidance for general education (Official Letter 3456/BGDĐT-GDPT,
27 June 2025) names the level each grade works at: Basic 1 (CB1) in grades 1-3,
Basic 2 (CB2) in grades 4-5, Intermediate 1 (TC1) in grades 6-7, Intermediate 2
(TC2) in grades 8-9 and Advanced 1 (NC1) in grades 10-12. A module file names the
competences only; the level follows from the grades of its age band, so the two
cannot disagree. Indicator letters (``4.2.CB1a``) are not used: the modules are
tagged at competence and level, which is what the circular itself defines.
Sources are listed in docs/curriculum.md.
"""

FRAMEWORK = "moet_digital"

DOMAINS: dict[str, tuple[str, str]] = {
    "1": ("Khai thác dữ liệu và thông tin", "Data and information exploitation"),
    "2": (
        "Giao tiếp và hợp tác trong môi trường số",
        "Communication and collaboration in a digital environment",
    ),
    "3": ("Sáng tạo nội dung số", "Digital content creation"),
    "4": ("An toàn", "Safety"),
    "5": ("Giải quyết vấn đề", "Problem solving"),
    "6": ("Ứng dụng trí tuệ nhân tạo", "Applying artificial intelligence"),
}

# code, Vietnamese name, English name: the 24 component competences.
COMPETENCES: list[tuple[str, str, str]] = [
    (
        "1.1",
        "Duyệt, tìm kiếm và lọc dữ liệu, thông tin và nội dung số",
        "Browsing, searching and filtering data, information and digital content",
    ),
    (
        "1.2",
        "Đánh giá dữ liệu, thông tin và nội dung số",
        "Evaluating data, information and digital content",
    ),
    (
        "1.3",
        "Quản lý dữ liệu, thông tin và nội dung số",
        "Managing data, information and digital content",
    ),
    (
        "2.1",
        "Tương tác thông qua công nghệ số",
        "Interacting through digital technologies",
    ),
    (
        "2.2",
        "Chia sẻ thông tin và nội dung thông qua công nghệ số",
        "Sharing information and content through digital technologies",
    ),
    (
        "2.3",
        "Sử dụng công nghệ số để thực hiện trách nhiệm công dân",
        "Engaging in citizenship through digital technologies",
    ),
    (
        "2.4",
        "Hợp tác thông qua công nghệ số",
        "Collaborating through digital technologies",
    ),
    ("2.5", "Thực hiện quy tắc ứng xử trên mạng", "Netiquette"),
    ("2.6", "Quản lý danh tính số", "Managing digital identity"),
    ("3.1", "Phát triển nội dung số", "Developing digital content"),
    (
        "3.2",
        "Tích hợp và tạo lập lại nội dung số",
        "Integrating and re-elaborating digital content",
    ),
    ("3.3", "Thực thi bản quyền và giấy phép", "Copyright and licences"),
    ("3.4", "Lập trình", "Programming"),
    ("4.1", "Bảo vệ thiết bị", "Protecting devices"),
    (
        "4.2",
        "Bảo vệ dữ liệu cá nhân và quyền riêng tư",
        "Protecting personal data and privacy",
    ),
    (
        "4.3",
        "Bảo vệ sức khỏe và an sinh số",
        "Protecting health and digital well-being",
    ),
    ("4.4", "Bảo vệ môi trường", "Protecting the environment"),
    ("5.1", "Giải quyết các vấn đề kỹ thuật", "Solving technical problems"),
    (
        "5.2",
        "Xác định nhu cầu và giải pháp công nghệ",
        "Identifying needs and technological responses",
    ),
    ("5.3", "Sử dụng sáng tạo công nghệ số", "Creatively using digital technologies"),
    (
        "5.4",
        "Xác định các vấn đề cần cải thiện về năng lực số",
        "Identifying digital competence gaps",
    ),
    ("6.1", "Hiểu biết về trí tuệ nhân tạo", "Understanding artificial intelligence"),
    ("6.2", "Sử dụng trí tuệ nhân tạo", "Using artificial intelligence"),
    ("6.3", "Đánh giá trí tuệ nhân tạo", "Evaluating artificial intelligence"),
]

# level code, Vietnamese name, English name, first grade, last grade.
SCHOOL_LEVELS: list[tuple[str, str, str, int, int]] = [
    ("CB1", "Cơ bản 1", "Basic 1", 1, 3),
    ("CB2", "Cơ bản 2", "Basic 2", 4, 5),
    ("TC1", "Trung cấp 1", "Intermediate 1", 6, 7),
    ("TC2", "Trung cấp 2", "Intermediate 2", 8, 9),
    ("NC1", "Nâng cao 1", "Advanced 1", 10, 12),
]

COMPETENCE_CODES = [code for code, _vi, _en in COMPETENCES]


def level_for_grade(grade: int) -> str:
    """Return the circular's level code for a school grade (1-12)."""
    for code, _vi, _en, first, last in SCHOOL_LEVELS:
        if first <= grade <= last:
            return code
    raise ValueError(f"no digital competence level for grade {grade}")


def levels_for_grades(first: int, last: int) -> list[tuple[str, list[int]]]:
    """Return each level met in grades ``first``..``last``, with its grades.

    Grades 3-5 give ``[("CB1", [3]), ("CB2", [4, 5])]``.
    """
    levels: list[tuple[str, list[int]]] = []
    for grade in range(first, last + 1):
        code = level_for_grade(grade)
        if levels and levels[-1][0] == code:
            levels[-1][1].append(grade)
        else:
            levels.append((code, [grade]))
    return levels


def grades_label(grades: list[int], language: str = "vi") -> str:
    """Return "lớp 4-5" / "grades 4-5" (or "lớp 3" / "grade 3")."""
    span = str(grades[0]) if len(grades) == 1 else f"{grades[0]}-{grades[-1]}"
    if language == "vi":
        return f"lớp {span}"
    return f"grade {span}" if len(grades) == 1 else f"grades {span}"

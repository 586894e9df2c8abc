"""Safe generated nicknames for guests: an animal and a kind adjective.

Nobody types a name in a live game, so nothing rude or identifying reaches the
projector. Names are drawn at random; when every pair is taken (very large
games) a number is added.
"""

import random

ANIMALS = [
    "Mèo",
    "Cún",
    "Thỏ",
    "Gấu",
    "Cá Heo",
    "Chim Sẻ",
    "Voi",
    "Hươu",
    "Sóc",
    "Rùa",
    "Cáo",
    "Ong",
    "Bướm",
    "Cú Mèo",
    "Chim Cánh Cụt",
    "Gấu Trúc",
    "Sư Tử",
    "Hổ",
    "Khỉ",
    "Ngựa",
    "Vịt",
    "Gà Con",
    "Cá Voi",
    "Kỳ Lân",
    "Nai",
    "Rái Cá",
    "Chuột Túi",
    "Công",
    "Sẻ Nâu",
    "Cá Vàng",
    "Ốc Sên",
    "Tắc Kè",
    "Hải Cẩu",
    "Cò",
    "Chim Sâu",
    "Bò Sữa",
    "Dê Con",
    "Cừu",
    "Lạc Đà",
    "Hà Mã",
]
ADJECTIVES = [
    "Vàng",
    "Xanh",
    "Nhanh Nhẹn",
    "Dũng Cảm",
    "Vui Vẻ",
    "Thông Minh",
    "Hiền Lành",
    "Chăm Chỉ",
    "Tốt Bụng",
    "Lanh Lợi",
    "Tinh Nghịch",
    "Đáng Yêu",
    "Mạnh Mẽ",
    "Tự Tin",
    "Sáng Tạo",
    "Chu Đáo",
    "Kiên Nhẫn",
    "Hăng Hái",
    "Dễ Thương",
    "Tò Mò",
    "Lễ Phép",
    "Gọn Gàng",
    "Đỏ",
    "Tím",
    "Hồng",
    "Cam",
    "Bạc",
    "Nâu",
    "Trung Thực",
    "Vui Tính",
    "Khéo Léo",
    "Siêng Năng",
    "Nhanh Trí",
    "Ngoan",
    "Bình Tĩnh",
    "Cẩn Thận",
    "Tươi Cười",
    "Hào Hứng",
    "Năng Động",
    "Lịch Sự",
]


def nickname_candidates(*, taken: set[str], count: int = 40) -> list[str]:
    """Return up to ``count`` free nicknames to try in order (random pairs first)."""
    rng = random.SystemRandom()
    names: list[str] = []
    for _attempt in range(count * 3):
        name = f"{rng.choice(ANIMALS)} {rng.choice(ADJECTIVES)}"
        if name not in taken and name not in names:
            names.append(name)
        if len(names) >= count:
            return names
    # Nearly every pair is taken: number them.
    base = f"{rng.choice(ANIMALS)} {rng.choice(ADJECTIVES)}"
    number = 2
    while len(names) < count:
        candidate = f"{base} {number}"
        if candidate not in taken:
            names.append(candidate)
        number += 1
    return names

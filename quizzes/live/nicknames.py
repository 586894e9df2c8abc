"""Safe generated nicknames for guests: an animal and a kind adjective.

Nobody types a name in a live game, so nothing rude or identifying reaches the
projector. Names are drawn at random; when every pair is taken (very large
games) a number is added.
"""

import random
from collections.abc import Callable

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


def nickname_candidates(
    *, taken_of: Callable[[list[str]], set[str]], count: int = 40
) -> list[str]:
    """Return up to ``count`` free nicknames to try in order (random pairs first).

    ``taken_of(names)`` says which of ``names`` are already used in the game: the
    game is asked about a few dozen candidates, never for all its seats (a join
    to an assembly of thousands would otherwise read thousands of names).
    """
    rng = random.SystemRandom()
    pairs = list(
        dict.fromkeys(
            f"{rng.choice(ANIMALS)} {rng.choice(ADJECTIVES)}"
            for _draw in range(count * 3)
        )
    )
    taken = taken_of(pairs)
    names = [name for name in pairs if name not in taken][:count]
    # Few pairs left (a game of thousands): fill up with one pair numbered,
    # skipping the numbers used, so that many joining at once still find a name.
    base = f"{rng.choice(ANIMALS)} {rng.choice(ADJECTIVES)}"
    start = 2
    while len(names) < count:
        numbered = [f"{base} {number}" for number in range(start, start + count * 3)]
        taken = taken_of(numbered)
        names += [name for name in numbered if name not in taken][: count - len(names)]
        start += count * 3
    return names

"""Vietnamese formats: Django's, with the long date in lower case.

Django writes "Ngày 07 tháng 12 năm 2026", which reads wrong inside a sentence
("bị thu hồi vào Ngày 07 …"). Official documents write the date "ngày 07 tháng 12
năm 2026" (day with two digits), in lower case wherever it stands, and so does
every page here. Decimal comma, thousands point, as Django has them.
"""

from django.conf.locale.vi.formats import *  # noqa: F401,F403

DATE_FORMAT = r"\n\gà\y d \t\há\n\g n \nă\m Y"
DATETIME_FORMAT = r"H:i, \n\gà\y d \t\há\n\g n \nă\m Y"

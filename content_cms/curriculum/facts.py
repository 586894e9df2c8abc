"""Every legal or factual claim the modules make, with its source.

The coverage document prints this register as a table, with the modules whose
Vietnamese text states each claim (found by ``pattern``), and
tests/content_cms/test_curriculum_facts.py fails when a module cites a law or
decree the register does not hold, or names Decree 13/2023 as anything but
history. Add a row here before a module states a new fact.
"""

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Fact:
    key: str
    claim: str
    instrument: str
    provision: str
    date: str
    source: str
    pattern: str  # matched against a module's Vietnamese text

    def matches(self, text: str) -> bool:
        return re.search(self.pattern, text) is not None


FACTS: list[Fact] = [
    Fact(
        "hotline-111",
        "111 is the national child protection hotline: free, 24/7.",
        "Tổng đài điện thoại quốc gia bảo vệ trẻ em 111",
        "-",
        "in service since 2017",
        "docs: /work/shared/context/CONTEXT.md (checked by the lead); "
        "the plan Decision 147/QĐ-UBND Tây Ninh (2022)",
        r"\b111\b",
    ),
    Fact(
        "police-113",
        "113 is the police emergency number.",
        "Emergency numbers",
        "-",
        "-",
        "docs: /work/shared/context/CONTEXT.md (checked by the lead)",
        r"\b113\b",
    ),
    Fact(
        "report-156",
        "Call or text 156 to report spam or scam calls and messages "
        "(text syntax LD <number> <content>).",
        "Decision 1988/QĐ-BTTTT (31 Oct 2022), pilot of 156 from 1 Nov 2022, "
        "later extended",
        "-",
        "1 Nov 2022",
        "https://congnghevadoisong.vn/bo-tttt-gia-han-thi-diem-dau-so-156-de-nhan-"
        "phan-anh-tin-nhan-cuoc-goi-rac-d56395.html; https://pld.net.vn/dau-so-156-"
        "tra-cuu-thong-tin-ten-mien-phan-anh-mien-phi-cuoc-goi-rac-a10959.html",
        r"\b156\b",
    ),
    Fact(
        "report-5656",
        "A free text to 5656 reports spam or scam calls and messages.",
        "Ministry of Information and Communications reporting number",
        "-",
        "since 2020",
        "https://pld.net.vn/dau-so-156-tra-cuu-thong-tin-ten-mien-phan-anh-mien-phi-"
        "cuoc-goi-rac-a10959.html; https://plo.vn/kinh-te/phan-anh-ve-cuoc-goi-rac-"
        "tang-trung-binh-tu-1315-thang-1002855.html",
        r"\b5656\b",
    ),
    Fact(
        "pdp-law-2025",
        "The Personal Data Protection Law protects personal data, children's "
        "included; in force 1 Jan 2026.",
        "Luật Bảo vệ dữ liệu cá nhân, Law 91/2025/QH15",
        "whole law",
        "passed 26 Jun 2025; in force 1 Jan 2026",
        "https://thuviennhadat.vn/vbpl/luat-bao-ve-du-lieu-ca-nhan-2025-so-91-2025-"
        "qh15-625628.html",
        r"Luật Bảo vệ dữ liệu cá nhân|91/2025",
    ),
    Fact(
        "pdp-law-children",
        "A legal representative exercises a child's data rights; publishing or "
        "disclosing a child's private information from age 7 needs the consent of "
        "the child and the representative; processing stops when consent is "
        "withdrawn.",
        "Law 91/2025/QH15",
        "Article 24",
        "in force 1 Jan 2026",
        "https://plo.vn/cong-bo-du-lieu-ca-nhan-cua-tre-tu-7-tuoi-phai-duoc-tre-va-"
        "nguoi-dai-dien-dong-y-post888944.html",
        r"đủ 7 tuổi",
    ),
    Fact(
        "decree-356-2025",
        "Decree 356/2025/NĐ-CP details the PDP Law and replaced Decree "
        "13/2023/NĐ-CP; in force 1 Jan 2026.",
        "Nghị định 356/2025/NĐ-CP",
        "whole decree",
        "signed 31 Dec 2025; in force 1 Jan 2026",
        "https://www.frasersvn.com/vi/legal-updates-and-publications/the-next-chapter-"
        "in-data-protection-new-decree-guiding-the-personal-data-protection-law; "
        "https://plo.vn/xu-ly-du-lieu-ca-nhan-nhieu-thay-doi-lon-tu-ngay-1-1-2026-"
        "nguoi-dan-can-biet-post889644.html",
        r"356/2025",
    ),
    Fact(
        "decree-13-2023-history",
        "Decree 13/2023/NĐ-CP (17 Apr 2023) was the data protection rule until 31 "
        "Dec 2025; cited only as history.",
        "Nghị định 13/2023/NĐ-CP",
        "-",
        "replaced 1 Jan 2026",
        "https://www.frasersvn.com/vi/legal-updates-and-publications/the-next-chapter-"
        "in-data-protection-new-decree-guiding-the-personal-data-protection-law",
        r"13/2023",
    ),
    Fact(
        "decree-147-accounts",
        "Social media accounts of children under 16 are registered with a parent's "
        "or guardian's details.",
        "Nghị định 147/2024/NĐ-CP on Internet services and online information",
        "-",
        "issued 9 Nov 2024; in force 25 Dec 2024",
        "https://safegate.vn/vi/post/quan-ly-va-gioi-han-thoi-gian-choi-game-doi-voi-"
        "tre-em-62.htm; https://phapluatvacuocsong.vn/tag/nghi-dinh-1472024nd-cp.html",
        r"147/2024[^\"]*16 tuổi|16 tuổi[^\"]*147/2024",
    ),
    Fact(
        "decree-147-games",
        "Game providers must limit players under 18 to 60 minutes per game and "
        "180 minutes a day across games.",
        "Nghị định 147/2024/NĐ-CP",
        "-",
        "in force 25 Dec 2024",
        "https://baothanhhoa.vn/infographics-nguoi-duoi-18-tuoi-khong-duoc-choi-game-"
        "qua-60-phut-tro-ngay-230280.htm",
        r"180 phút",
    ),
    Fact(
        "law-on-children-2016",
        "A child is a person under 16; children have a right to private life; "
        "abusing a child and concealing abuse are prohibited.",
        "Luật Trẻ em, Law 102/2016/QH13",
        "Articles 1, 6, 21",
        "in force 1 Jun 2017",
        "docs: /work/shared/context/CONTEXT.md (checked by the lead)",
        r"Luật Trẻ em",
    ),
    Fact(
        "decree-56-2017-support-and-intervention",
        "Whoever learns that a child is abused or at risk must tell hotline 111, "
        "the police or the commune People's Committee at once; the receiver records "
        "it (Form 01); the commune's child protection officer makes the first risk "
        "assessment (Form 02); a child at serious risk gets emergency measures "
        "within 12 hours of the report.",
        "Nghị định 56/2017/NĐ-CP detailing the Law on Children",
        "Articles 25, 26",
        "issued 9 May 2017; in force 1 Jul 2017 (not re-checked against the 2025 "
        "reorganisation of ministries and local government)",
        "https://thuvienphapluat.vn/hoi-dap-phap-luat/iframe/2CCA4-hd-tiep-nhan-va-"
        "phoi-hop-xu-ly-thong-tin-doi-voi-truong-hop-tre-em-bi-xam-hai-nhu-the-"
        "nao.html; https://thuvienphapluat.vn/hoi-dap-phap-luat/iframe/2CCA8-hd-danh-"
        "gia-ban-dau-muc-do-ton-hai-cua-tre-em-co-nguy-co-bi-bao-luc-boc-lot-bo-roi-"
        "nhu-the-nao.html",
        r"56/2017|trong vòng 12 giờ",
    ),
    Fact(
        "circular-18-2025-school-counselling",
        "MOET's guidance on school counselling and social work in schools.",
        "Thông tư 18/2025/TT-BGDĐT",
        "whole circular",
        "issued 15 Sep 2025; in force 31 Oct 2025",
        "https://thuviennhadat.vn/vbpl/thong-tu-18-2025-tt-bgddt-huong-dan-cong-tac-"
        "xa-hoi-trong-truong-hoc-672882.html; https://lifestyle.znews.vn/hoc-sinh-se-"
        "duoc-tu-van-ve-tinh-yeu-hon-nhan-va-gia-dinh-post1587998.html",
        r"18/2025",
    ),
    Fact(
        "platform-age-13",
        "Facebook, Instagram and TikTok require users to be 13 or older; YouTube "
        "Kids is made for children under 13.",
        "The platforms' own terms of service",
        "-",
        "-",
        "the platforms' terms (facebook.com/terms, tiktok.com/legal/terms-of-service); "
        "not re-checked in this edition",
        r"13 tuổi",
    ),
    Fact(
        "gambling-unlawful",
        "Unlicensed gambling in any form is against the law (an administrative "
        "offence, or the crime of Article 321 from 5 million VND or on a repeat); "
        "gambling through the internet or electronic devices is in the heavier "
        "bracket of clause 2.",
        "Bộ luật Hình sự 2015 (amended 2017), Law 100/2015/QH13",
        "Article 321 (gambling), clause 2(c)",
        "in force 1 Jan 2018",
        "https://www.tracuuphapluat.info/2023/06/binh-luan-toi-danh-bac-dieu-322-bo-"
        "luat-hinh-su.html (text of Art. 321); https://tapchitoaan.vn/index.php/toi-"
        "danh-bac-va-toi-to-chuc-danh-bac-theo-quy-dinh-cua-bo-luat-hinh-su-nam-"
        "201512060.html",
        r"[Đđ]ánh bạc trái phép",
    ),
    Fact(
        "emergency-115",
        "115 is the medical emergency (ambulance) number; 113 police, 114 fire "
        "and rescue.",
        "Emergency numbers",
        "-",
        "-",
        "https://ngaynay.vn/de-xuat-hop-nhat-cac-so-dien-thoai-khan-cap-post48992."
        "html; https://ancotnam.vn/114-la-gi.html",
        r"\b115\b",
    ),
    Fact(
        "tiktok-live-18",
        "TikTok lets only users aged 18 or over host a LIVE (raised from 16 on 23 "
        "Nov 2022); sending or receiving LIVE gifts is also 18+.",
        "TikTok's own rules for LIVE",
        "-",
        "23 Nov 2022",
        "TikTok announcement of 18 Oct 2022, as reported by "
        "https://fox5dc.com/news/tiktok-raises-age-requirement-for-live-adds-adult-"
        "only-streams and https://shenandoahcountryq102.iheart.com/content/2022-10-"
        "18-tiktok-raising-the-age-requirement-for-going-live/ (The Verge); "
        "re-check the platform's page before each edition",
        r"18 tuổi trở lên mới được phát trực tiếp",
    ),
    Fact(
        "circular-02-2025",
        "The digital competence framework for learners: 6 domains, 24 "
        "competences, 4 tiers over 8 levels; grades work at CB1 (1-3), CB2 (4-5), "
        "TC1 (6-7), TC2 (8-9), NC1 (10-12).",
        "Thông tư 02/2025/TT-BGDĐT; Official Letter 3456/BGDĐT-GDPT (levels by grade)",
        "Annex (framework)",
        "issued 24 Jan 2025; in force 11 Mar 2025; letter 27 Jun 2025",
        "https://daibieunhandan.vn/ban-hanh-quy-dinh-ve-khung-nang-luc-so-cho-nguoi-"
        "hoc-post403830.html; https://lawnet.vn/giao-duc/en/what-is-the-digital-"
        "competency-framework-the-new-digital-competency-framework-issued-by-the-"
        "ministry-22836.html; levels by grade from teachers' transcriptions of "
        "letter 3456 (to check against the letter itself)",
        r"Thông tư 02/2025",
    ),
]

# A legal instrument cited in a module: "Nghị định 147/2024", "Luật ... 2025".
CITATION = re.compile(
    r"(?:Nghị định|Thông tư|Quyết định|Decree|Circular|Decision)\s+(?:số\s+)?"
    r"(\d+/\d{4})"
)
# Words that mark Decree 13/2023 as history, not as the rule in force.
HISTORY_MARKERS = ("thay thế", "trước đây", "replac", "previously", "until")


def fact_for_citation(number: str) -> Fact | None:
    """Return the register's fact for a cited instrument number, or None."""
    for fact in FACTS:
        if number in fact.instrument or number in fact.pattern:
            return fact
    return None

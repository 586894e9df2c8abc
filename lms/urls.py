"""Pages of the school layer."""

from django.contrib.auth import views as auth_views
from django.urls import path

from lms import views
from lms.accounts import parent_signup
from lms.accounts import views as security_views
from lms.learning import views as learning_views
from lms.learning.teaching import views as teaching_views
from lms.reports import views as report_views
from lms.rosters import consent_views as class_consent_views
from lms.rosters import rollover_views
from lms.rosters import views as roster_views
from lms.safeguarding import community_views, parent_views, privacy_views
from lms.safeguarding import views as help_views

app_name = "lms"

urlpatterns = [
    # Signing in with a password or a login card's QR code (lms/accounts/views.py).
    path("dang-nhap/", security_views.SignInView.as_view(), name="login"),
    path(
        "dang-nhap/the/<str:card_key>/",
        security_views.login_card_sign_in,
        name="login_card",
    ),
    path("dang-xuat/", auth_views.LogoutView.as_view(), name="logout"),
    path("app/", views.home, name="home"),
    # Help requests (lms/safeguarding/views.py), privacy and consent
    # (lms/safeguarding/privacy_views.py),
    # two-factor sign-in (lms/accounts/views.py).
    path("tro-giup/", help_views.help_start, name="help"),
    path("tro-giup/da-gui/<int:request_id>/", help_views.help_sent, name="help_sent"),
    path("tro-giup/cua-em/", help_views.help_mine, name="help_mine"),
    path("tro-giup/hang-doi/", help_views.help_queue, name="help_queue"),
    path(
        "tro-giup/yeu-cau/<int:request_id>/",
        help_views.help_request_detail,
        name="help_request",
    ),
    path(
        "tro-giup/yeu-cau/<int:request_id>/cap-nhat/",
        help_views.help_request_change,
        name="help_request_change",
    ),
    path("tro-giup/thong-ke/", help_views.help_counts, name="help_counts"),
    path("tro-giup/thoi-han/", help_views.help_deadlines, name="help_deadlines"),
    # Parents and guardians: sign up or add a child with a slip's code
    # (lms/accounts/parent_signup.py), their children, consent and concerns
    # (lms/safeguarding/parent_views.py).
    path("phu-huynh/dang-ky/", parent_signup.parent_sign_up, name="parent_sign_up"),
    path(
        "phu-huynh/them-con/", parent_signup.parent_add_child, name="parent_add_child"
    ),
    path("phu-huynh/", parent_views.parent_home, name="parent_home"),
    path(
        "phu-huynh/con/<int:pupil_id>/", parent_views.parent_child, name="parent_child"
    ),
    path(
        "phu-huynh/con/<int:pupil_id>/dong-y/",
        parent_views.parent_consent,
        name="parent_consent",
    ),
    path(
        "phu-huynh/con/<int:pupil_id>/lo-ngai/",
        parent_views.parent_concern,
        name="parent_concern",
    ),
    # Anyone reports a concern about a child, for the commune's officer
    # (lms/safeguarding/community_views.py).
    path("bao-cao-lo-ngai/", community_views.community_report, name="community_report"),
    path(
        "tro-giup/cong-dong/",
        community_views.community_reports,
        name="community_reports",
    ),
    path("quyen-rieng-tu/", privacy_views.privacy_notice, name="privacy_notice"),
    path(
        "truong/<int:school_id>/dong-y/",
        privacy_views.consent_overview,
        name="consent_overview",
    ),
    path(
        "truong/<int:school_id>/hoc-sinh/<int:pupil_id>/du-lieu/",
        privacy_views.pupil_data,
        name="pupil_data",
    ),
    path(
        "truong/<int:school_id>/hoc-sinh/<int:pupil_id>/du-lieu/tai-ve.<str:fmt>",
        privacy_views.pupil_data_download,
        name="pupil_data_download",
    ),
    path(
        "truong/<int:school_id>/hoc-sinh/<int:pupil_id>/xoa/",
        privacy_views.pupil_erase_confirm,
        name="pupil_erase",
    ),
    path(
        "bao-mat/xac-thuc-2-buoc/",
        security_views.two_factor_setup,
        name="two_factor_setup",
    ),
    path(
        "bao-mat/xac-minh/", security_views.two_factor_verify, name="two_factor_verify"
    ),
    path("bao-mat/ma-du-phong/", security_views.recovery_codes, name="recovery_codes"),
    path(
        "bao-mat/doi-mat-khau/",
        security_views.StaffPasswordChangeView.as_view(),
        name="password_change",
    ),
    # Pupil accounts: class page, roster import, login cards, password resets.
    path("lop/<int:class_id>/", roster_views.class_detail, name="class_detail"),
    path(
        "lop/<int:class_id>/nhap-danh-sach/",
        roster_views.roster_upload,
        name="roster_upload",
    ),
    path(
        "lop/<int:class_id>/nhap-danh-sach/xem-truoc/",
        roster_views.roster_preview_page,
        name="roster_preview",
    ),
    path(
        "lop/<int:class_id>/nhap-danh-sach/xac-nhan/",
        roster_views.roster_confirm,
        name="roster_confirm",
    ),
    path(
        "lop/<int:class_id>/the-dang-nhap/",
        roster_views.class_login_cards,
        name="class_login_cards",
    ),
    path(
        "lop/<int:class_id>/the-dang-nhap/moi/<str:batch>/",
        roster_views.new_login_cards,
        name="new_login_cards",
    ),
    path(
        "lop/<int:class_id>/the-dang-nhap/moi/<str:batch>/tai-ve/",
        roster_views.new_login_cards_download,
        name="new_login_cards_download",
    ),
    path(
        "lop/<int:class_id>/hoc-sinh/<int:pupil_id>/dat-lai-mat-khau/",
        roster_views.pupil_password_reset,
        name="pupil_password_reset",
    ),
    # Consent of a class's pupils: who lacks it, slips, returned slips
    # (lms/rosters/consent_views.py).
    path(
        "lop/<int:class_id>/dong-y/",
        class_consent_views.class_consent,
        name="class_consent",
    ),
    path(
        "lop/<int:class_id>/dong-y/in-phieu/",
        class_consent_views.class_consent_slips,
        name="class_consent_slips",
    ),
    path(
        "lop/<int:class_id>/hoc-sinh/<int:pupil_id>/chuyen-lop/",
        roster_views.pupil_move,
        name="pupil_move",
    ),
    path(
        "lop/<int:class_id>/hoc-sinh/<int:pupil_id>/nghi-hoc/",
        roster_views.pupil_leave,
        name="pupil_leave",
    ),
    # The new school year: classes move up, the last grade leaves
    # (lms/rosters/rollover_views.py).
    path(
        "truong/<int:school_id>/nam-hoc-moi/",
        rollover_views.school_rollover,
        name="school_rollover",
    ),
    # The learning loop: the module player and giving modules to a class
    # (lms/learning/views.py).
    path("hoc/<int:module_id>/", learning_views.module_resume, name="module_resume"),
    path(
        "hoc/<int:module_id>/phan/<int:index>/",
        learning_views.module_section,
        name="module_section",
    ),
    path(
        "hoc/<int:module_id>/bai-kiem-tra/",
        learning_views.module_quiz,
        name="module_quiz",
    ),
    path(
        "hoc/<int:module_id>/ket-qua/",
        learning_views.module_result,
        name="module_result",
    ),
    path(
        "lop/<int:class_id>/giao-bai/",
        learning_views.class_assign,
        name="class_assign",
    ),
    path(
        "lop/<int:class_id>/giao-bai/<int:assignment_id>/xoa/",
        learning_views.class_assignment_delete,
        name="class_assignment_delete",
    ),
    # Lessons taught to a class, the school's lessons to confirm, parents'
    # meetings (lms/learning/teaching_views.py).
    path(
        "lop/<int:class_id>/buoi-hoc/moi/",
        teaching_views.class_teaching_record,
        name="class_teaching_record",
    ),
    path(
        "lop/<int:class_id>/buoi-hoc/<int:teaching_id>/",
        teaching_views.class_teaching_edit,
        name="class_teaching_edit",
    ),
    path(
        "lop/<int:class_id>/buoi-hoc/<int:teaching_id>/xoa/",
        teaching_views.class_teaching_delete,
        name="class_teaching_delete",
    ),
    path(
        "truong/<int:school_id>/buoi-hoc/",
        teaching_views.school_teaching,
        name="school_teaching",
    ),
    path(
        "truong/<int:school_id>/buoi-hoc/<int:teaching_id>/xac-nhan/",
        teaching_views.school_teaching_confirm,
        name="school_teaching_confirm",
    ),
    path(
        "truong/<int:school_id>/hop-phu-huynh/",
        teaching_views.school_parent_meetings,
        name="school_parent_meetings",
    ),
    path(
        "truong/<int:school_id>/hop-phu-huynh/<int:meeting_id>/xoa/",
        teaching_views.school_parent_meeting_delete,
        name="school_parent_meeting_delete",
    ),
    # Reports: class grid and item analysis, school and unit dashboards, the
    # programme rule, evidence exports and their verification (lms/reports/views.py).
    path(
        "lop/<int:class_id>/tien-do/",
        report_views.class_progress_grid,
        name="class_progress",
    ),
    path(
        "lop/<int:class_id>/tien-do/tai-ve.<str:fmt>",
        report_views.class_results_download,
        name="class_results_download",
    ),
    path(
        "lop/<int:class_id>/phan-tich/<int:module_id>/",
        report_views.class_item_analysis,
        name="class_item_analysis",
    ),
    path(
        "lop/<int:class_id>/bao-cao/",
        report_views.class_report_page,
        name="class_report",
    ),
    path(
        "truong/<int:school_id>/bao-cao/",
        report_views.school_report,
        name="school_report",
    ),
    path("bao-cao/", report_views.unit_report, name="unit_report"),
    path(
        "bao-cao/tieu-chi/<int:period_id>/",
        report_views.programme_target_edit,
        name="programme_target_edit",
    ),
    path("bao-cao/xuat/", report_views.report_export_start, name="report_export_start"),
    path(
        "bao-cao/xuat/<int:export_id>/",
        report_views.report_export_status,
        name="report_export",
    ),
    path(
        "bao-cao/xuat/<int:export_id>/tai-ve/",
        report_views.report_export_download,
        name="report_export_download",
    ),
    path("bao-cao/kiem-tra/", report_views.report_verify, name="report_verify"),
]

"""Class downloads: one ZIP of PDFs or one merged PDF, with progress; scoped."""

import io
import threading
import zipfile

import pytest
from django.urls import reverse
from django_tasks.signals import task_enqueued
from pypdf import PdfReader

from certificates import bundles
from certificates.bundles import bundle_request
from certificates.models import BundleStatus, Certificate, CertificateBundle, RuleKind
from common.errors import NotFound
from tests.certificates.helpers import demo_like_class, demo_like_pupil, only_rules
from tests.factories import SchoolClassFactory, make_teacher
from tests.lms.learning_helpers import learning_module, take_quiz

pytestmark = pytest.mark.django_db


@pytest.fixture
def school_class():
    only_rules(RuleKind.MODULE_PASSED)
    school_class = demo_like_class()
    first = learning_module(title="Bí mật của em", slug="bi-mat")
    second = learning_module(title="Mật khẩu mạnh", slug="mat-khau")
    names = ["Nguyễn Thị Ánh Tuyết", "Trần Văn Bình", "Lê Hoàng Đức"]
    for number, name in enumerate(names):
        pupil = demo_like_pupil(school_class, username=f"hs{number}", display_name=name)
        take_quiz(pupil, first)
        if number == 0:
            take_quiz(pupil, second)
    return school_class


@pytest.fixture
def teacher(school_class):
    return make_teacher(school_class)


def test_zip_holds_one_pdf_per_certificate(school_class, teacher, client):
    client.force_login(teacher)
    response = client.post(
        reverse("certificates:class_bundle", args=[school_class.pk]), {"kind": "zip"}
    )
    bundle = CertificateBundle.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("certificates:bundle", args=[bundle.pk])
    assert bundle.status == BundleStatus.DONE and bundle.total == 4

    status = client.get(reverse("certificates:bundle_status", args=[bundle.pk])).json()
    assert status["status"] == "done" and status["percent"] == 100
    download = client.get(status["download_url"])
    assert download.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content)))
    names = archive.namelist()
    assert len(names) == 4 and all(name.endswith(".pdf") for name in names)
    codes = {c.display_code for c in Certificate.objects.all()}
    assert {name[-18:-4] for name in names} == codes
    for name in names:
        assert len(PdfReader(io.BytesIO(archive.read(name))).pages) == 1


def test_merged_pdf_has_one_page_per_certificate(school_class, teacher):
    bundle = bundle_request(actor=teacher, school_class=school_class, kind="pdf")
    assert bundle.status == BundleStatus.DONE
    reader = PdfReader(bundle.file.open("rb"))
    assert len(reader.pages) == 4
    text = reader.pages[0].extract_text() + reader.pages[3].extract_text()
    assert "Đức" in text or "Tuyết" in text


def test_revoked_certificates_are_left_out(school_class, teacher):
    Certificate.objects.filter(learner_name="Trần Văn Bình").update(
        revoked_at="2026-10-01T08:00:00+07:00"
    )
    bundle = bundle_request(actor=teacher, school_class=school_class, kind="pdf")
    assert bundle.total == 3


def test_a_foreign_class_is_a_404(school_class, client):
    stranger = make_teacher(SchoolClassFactory())
    client.force_login(stranger)
    url = reverse("certificates:class_bundle", args=[school_class.pk])
    assert client.post(url, {"kind": "zip"}).status_code == 404
    assert (
        client.get(reverse("certificates:class", args=[school_class.pk])).status_code
        == 404
    )
    with pytest.raises(NotFound):
        bundle_request(actor=stranger, school_class=school_class, kind="zip")
    assert not CertificateBundle.objects.exists()


def test_another_teachers_bundle_is_a_404(school_class, teacher, client):
    bundle = bundle_request(actor=teacher, school_class=school_class, kind="zip")
    colleague = make_teacher(SchoolClassFactory(school=school_class.school))
    client.force_login(colleague)
    for name in ("bundle", "bundle_status", "bundle_file"):
        assert (
            client.get(reverse(f"certificates:{name}", args=[bundle.pk])).status_code
            == 404
        )


def test_a_large_class_goes_through_the_task_in_process_without_a_thread(
    school_class, teacher, settings, django_capture_on_commit_callbacks
):
    """Over the sync limit the bundle is its task's job; the embedded mode's
    immediate backend runs it at once, here, with no thread of its own."""
    settings.CERTIFICATE_BUNDLE_SYNC_LIMIT = 2
    enqueued = []

    def record(sender, task_result, **kwargs):
        enqueued.append((task_result.task.name, task_result.kwargs))

    threads = set(threading.enumerate())
    task_enqueued.connect(record)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            bundle = bundle_request(
                actor=teacher, school_class=school_class, kind="zip"
            )
            assert bundle.status == BundleStatus.PENDING  # not drawn in the request
    finally:
        task_enqueued.disconnect(record)

    assert set(threading.enumerate()) <= threads
    assert enqueued == [("bundle_build_task", {"bundle_id": bundle.pk})]
    bundle.refresh_from_db()
    assert bundle.status == BundleStatus.DONE and bundle.done == bundle.total == 4
    assert bundle.attempts == 1
    assert len(zipfile.ZipFile(bundle.file.open("rb")).namelist()) == 4


def test_a_failed_run_is_retried_and_then_succeeds(
    school_class, teacher, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.CERTIFICATE_BUNDLE_SYNC_LIMIT = 2
    real = bundles.certificates_zip
    runs = []

    def first_run_breaks(certificates, **kwargs):
        runs.append(len(runs) + 1)
        if len(runs) == 1:
            raise OSError("disk full")
        return real(certificates, **kwargs)

    monkeypatch.setattr(bundles, "certificates_zip", first_run_breaks)
    with django_capture_on_commit_callbacks(execute=True):
        bundle = bundle_request(actor=teacher, school_class=school_class, kind="zip")

    bundle.refresh_from_db()
    assert runs == [1, 2]
    assert bundle.status == BundleStatus.DONE and bundle.attempts == 2
    assert bundle.error == ""
    assert len(zipfile.ZipFile(bundle.file.open("rb")).namelist()) == 4


def test_a_run_that_keeps_failing_is_failed_after_three_tries_and_says_so(
    school_class,
    teacher,
    client,
    english,
    monkeypatch,
    django_capture_on_commit_callbacks,
):
    """A small class is drawn in the request: its failure is retried just the same."""
    runs = []

    def always_breaks(certificates, **kwargs):
        runs.append(1)
        raise OSError("disk full")

    monkeypatch.setattr(bundles, "certificates_merged_pdf", always_breaks)
    with django_capture_on_commit_callbacks(execute=True):
        bundle = bundle_request(actor=teacher, school_class=school_class, kind="pdf")
    bundle.refresh_from_db()

    assert len(runs) == 3
    assert bundle.status == BundleStatus.FAILED and bundle.attempts == 3
    assert not bundle.file
    client.force_login(teacher)
    page = client.get(reverse("certificates:bundle", args=[bundle.pk]))
    assert "could not be made, even after 3 tries" in page.content.decode()
    status = client.get(reverse("certificates:bundle_status", args=[bundle.pk]))
    assert status.json()["download_url"] is None
    assert "even after 3 tries" in status.json()["message"]
    download = client.get(reverse("certificates:bundle_file", args=[bundle.pk]))
    assert download.status_code == 409
    assert "The file could not be made" in download.content.decode()


def test_a_bundle_being_drawn_is_not_served_but_explained_in_vietnamese(
    school_class, teacher, client
):
    bundle = CertificateBundle.objects.create(
        requested_by=teacher,
        school_class=school_class,
        kind="zip",
        total=4,
        status=BundleStatus.RUNNING,
        attempts=1,
    )
    client.force_login(teacher)
    download = client.get(reverse("certificates:bundle_file", args=[bundle.pk]))
    assert download.status_code == 409
    page = download.content.decode()
    assert "Tệp chưa sẵn sàng" in page
    assert "tải về khi trang báo tệp đã sẵn sàng" in page
    assert reverse("certificates:bundle", args=[bundle.pk]) in page


def test_the_class_page_lists_pupils_and_buttons(school_class, teacher, client):
    client.force_login(teacher)
    response = client.get(reverse("certificates:class", args=[school_class.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Lê Hoàng Đức" in page
    assert 'value="pdf"' in page and 'value="zip"' in page
    assert (
        reverse("certificates:revoke", args=[Certificate.objects.first().pk])
        not in page
    )

"""The pupil home's certificates section, filled by the certificates tag."""

import pytest
from django.urls import reverse

from certificates.models import Certificate, RuleKind
from tests.certificates.helpers import demo_like_pupil, only_rules
from tests.lms.learning_helpers import learning_module, take_quiz

pytestmark = pytest.mark.django_db


def test_the_home_lists_my_certificates_with_a_download(client):
    only_rules(RuleKind.MODULE_PASSED)
    pupil = demo_like_pupil()
    client.force_login(pupil)
    before = client.get(reverse("lms:home")).content.decode()
    assert 'class="certificate-list"' not in before

    take_quiz(pupil, learning_module(title="Bí mật của em"))
    certificate = Certificate.objects.get(user=pupil)
    page = client.get(reverse("lms:home")).content.decode()
    assert 'class="certificate-list"' in page
    assert "Bí mật của em" in page
    assert reverse("certificates:download", args=[certificate.pk]) in page

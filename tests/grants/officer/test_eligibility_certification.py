"""The two-year check reads what the form collects: the portal never asks when an organisation
started, it asks the applicant to certify two years of activity."""

import pytest

from grants.selectors.officer import eligibility_checks
from tests import factories

from .conftest import submit

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("answer", "passed"), [("yes", True), ("no", False), (None, None)])
def test_without_a_founding_date_the_check_reads_the_certification(answer, passed):
    organisation = factories.make_organisation(founded_on=None)
    answers = {"certifications": {"active_two_years": answer}} if answer else {}
    application = submit(factories.make_application(organisation=organisation, answers=answers))
    check = next(c for c in eligibility_checks(application) if c.code == "two_years")
    assert check.passed is passed
    assert "när den startade" not in check.detail and "started" not in check.detail

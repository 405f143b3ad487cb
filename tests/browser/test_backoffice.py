"""The back office in a real browser: Debian's headless Chromium.

Operations decide KYC from the queue; support see masked emails and no
decisions. Skipped where Chromium or Playwright is not installed.
"""

from pathlib import Path

import pytest

from customers.factories import CustomerFactory, StaffUserFactory
from customers.models import Customer, KycStatus
from tests.conftest import STAFF_ROLES

CHROMIUM = Path("/usr/bin/chromium")
PASSWORD = "correct horse battery staple"

sync_api = pytest.importorskip(
    "playwright.sync_api", reason="the playwright package is not installed"
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="Chromium is missing: apt-get install chromium"
    ),
]


@pytest.fixture
def browser(monkeypatch):
    # Playwright's sync API keeps an asyncio event loop running in this
    # thread, and Django refuses database calls from a thread with a
    # running loop (SynchronousOnlyOperation). The test's own queries run
    # between browser steps, never concurrently with async code, so the
    # check can be lifted for this test alone.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context()
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


def sign_in(page, live_server, user, next_path: str) -> None:
    page.goto(f"{live_server.url}/admin/login/?next={next_path}")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Log in").click()


def test_operations_approve_a_customer_from_the_queue(page, live_server):
    customer = CustomerFactory(first_name="Grace", last_name="Hopper")
    operator = StaffUserFactory(permissions=STAFF_ROLES["Operations"])

    sign_in(page, live_server, operator, "/admin/kyc/kycsubject/")
    page.get_by_role("link", name="Grace Hopper").click()
    page.get_by_role("link", name="Approve KYC").click()
    page.get_by_role("button", name="Approve KYC").click()

    sync_api.expect(page.locator(".messagelist")).to_contain_text("KYC approved")
    sync_api.expect(page.locator(".field-kyc_status .readonly")).to_have_text(
        "Verified"
    )
    history = page.locator("#kyc_events-group")
    sync_api.expect(history).to_contain_text("Approved")
    sync_api.expect(history).to_contain_text(operator.username)
    customer.refresh_from_db()
    assert customer.kyc_status == KycStatus.VERIFIED


def test_support_see_masked_emails_and_no_decisions(page, live_server):
    customer = CustomerFactory(email="grace.hopper@example.com")
    supporter = StaffUserFactory(permissions=STAFF_ROLES["Support"])

    sign_in(page, live_server, supporter, "/admin/customers/customer/")

    results = page.locator("#result_list")
    sync_api.expect(results).to_contain_text("g***@example.com")
    sync_api.expect(results).not_to_contain_text("grace.hopper@example.com")

    page.goto(f"{live_server.url}/admin/customers/customer/{customer.pk}/change/")
    sync_api.expect(page.locator(".field-kyc_status")).to_be_visible()
    sync_api.expect(page.get_by_role("link", name="Approve KYC")).to_have_count(0)
    sync_api.expect(page.get_by_role("link", name="Fail KYC")).to_have_count(0)
    assert Customer.objects.get(pk=customer.pk).kyc_status == KycStatus.PENDING

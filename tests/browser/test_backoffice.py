"""The back office in a real browser: Debian's headless Chromium.

Operations decide KYC from the queue; support see masked emails and no
decisions. Skipped where Chromium or Playwright is not installed.
"""

from contextlib import contextmanager
from pathlib import Path

import pytest

from customers.factories import CustomerFactory
from customers.models import KycStatus

CHROMIUM = Path("/usr/bin/chromium")
# The password UserFactory gives every user.
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
def open_page():
    """Opens Chromium for the steps in a ``with open_page() as page:`` block.

    Playwright's sync API keeps an asyncio event loop running in this
    thread while the browser is open. Django then refuses database calls
    from this thread (SynchronousOnlyOperation); lifting that check with
    DJANGO_ALLOW_ASYNC_UNSAFE would not help, because with a running loop
    Django hands out a second connection that nobody closes, and
    PostgreSQL then refuses to drop the test database. So the tests read
    and write the database only before and after the block, and the check
    stays on to catch a query slipped inside it.
    """

    @contextmanager
    def opened():
        with sync_api.sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=str(CHROMIUM),
                headless=True,
                args=[
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-background-networking",
                ],
            )
            context = browser.new_context()
            context.set_default_timeout(15_000)
            try:
                yield context.new_page()
            finally:
                browser.close()

    return opened


def sign_in(page, live_server, user, next_path: str) -> None:
    page.goto(f"{live_server.url}/admin/login/?next={next_path}")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Log in").click()


def test_operations_approve_a_customer_from_the_queue(
    open_page, live_server, operations_user
):
    customer = CustomerFactory(first_name="Grace", last_name="Hopper")

    with open_page() as page:
        sign_in(page, live_server, operations_user, "/admin/")
        page.get_by_role("link", name="KYC queue").click()
        page.get_by_role("link", name="Grace Hopper").click()
        page.get_by_role("link", name="Approve KYC").click()
        page.get_by_role("button", name="Approve KYC").click()

        expect = sync_api.expect
        expect(page.locator(".messagelist")).to_contain_text("KYC approved")
        expect(page.locator(".field-kyc_status .readonly")).to_have_text("Verified")
        history = page.locator("#kyc_events-group")
        expect(history).to_contain_text("Approved")
        expect(history).to_contain_text(operations_user.username)

    customer.refresh_from_db()
    assert customer.kyc_status == KycStatus.VERIFIED


def test_support_see_masked_emails_and_no_decisions(
    open_page, live_server, support_user
):
    customer = CustomerFactory(email="grace.hopper@example.com")
    customer_page = f"{live_server.url}/admin/customers/customer/{customer.pk}/change/"

    with open_page() as page:
        sign_in(page, live_server, support_user, "/admin/customers/customer/")

        expect = sync_api.expect
        results = page.locator("#result_list")
        expect(results).to_contain_text("g***@example.com")
        expect(results).not_to_contain_text("grace.hopper@example.com")

        page.goto(customer_page)
        expect(page.locator(".field-kyc_status")).to_be_visible()
        expect(page.get_by_role("link", name="Approve KYC")).to_have_count(0)
        expect(page.get_by_role("link", name="Fail KYC")).to_have_count(0)

    customer.refresh_from_db()
    assert customer.kyc_status == KycStatus.PENDING

"""Twenty writers, one version: exactly one change wins, over real HTTP."""

import json
import threading
import urllib.error
import urllib.request

import pytest

from customers.factories import CustomerFactory
from customers.models import Customer

WRITERS = 20


def patch_over_http(url: str, token: str, body: dict) -> tuple[int, dict]:
    request = urllib.request.Request(  # noqa: S310 (the live test server)
        url,
        data=json.dumps(body).encode(),
        method="PATCH",
        headers={
            "Authorization": f"Bearer {token}",
            "Content-Type": "application/json",
            "If-Match": '"1"',
        },
    )
    try:
        response = urllib.request.urlopen(request, timeout=30)  # noqa: S310
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())
    with response:
        return response.status, json.loads(response.read())


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_of_twenty_writers_with_one_version_exactly_one_wins(
    live_server, customer_token
):
    customer = CustomerFactory()
    token = customer_token(customer)
    url = f"{live_server.url}/api/v1/customers/me"
    start = threading.Barrier(WRITERS)
    results: dict[int, tuple[int, dict]] = {}

    def write(n: int) -> None:
        body = {"nickname": f"writer {n}", "lastName": f"Writer{n}"}
        start.wait()
        results[n] = patch_over_http(url, token, body)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    statuses = sorted(status for status, _ in results.values())
    assert statuses == [200] + [409] * (WRITERS - 1)
    winner = next(n for n, (status, _) in results.items() if status == 200)
    losers = [body for status, body in results.values() if status == 409]
    assert {body["code"] for body in losers} == {"version_conflict"}
    stored = Customer.objects.get(pk=customer.pk)
    assert stored.version == 2
    assert stored.nickname == f"writer {winner}"
    assert stored.last_name == f"Writer{winner}"
    assert results[winner][1]["customer"]["nickname"] == f"writer {winner}"

"""Fill the database with realistic demo customers.

    python manage.py seed_customers --count 100000

Profiles are built with the test factories (valid phones and countries) and
written with bulk inserts. Each run tags its emails with a fresh batch id,
so seeding twice adds customers instead of colliding with the first run.
"""

import time
import uuid

import factory.random
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from customers.factories import CustomerFactory
from customers.models import Customer

BATCH_SIZE = 2000


class Command(BaseCommand):
    help = "Create realistic demo customers for demos and benchmarks."

    def add_arguments(self, parser):
        parser.add_argument("--count", type=int, default=1000)
        parser.add_argument(
            "--seed", type=int, help="Make the generated data repeatable."
        )

    def handle(self, *args, count: int, seed: int | None, **options):
        if count < 1:
            raise CommandError("--count must be at least 1.")
        if seed is not None:
            factory.random.reseed_random(seed)

        batch = uuid.uuid4().hex[:8]
        started = time.perf_counter()
        for start in range(0, count, BATCH_SIZE):
            size = min(BATCH_SIZE, count - start)
            customers = CustomerFactory.build_batch(size)
            for offset, customer in enumerate(customers, start=start):
                customer.email = f"demo.{batch}.{offset}@example.com"
            with transaction.atomic():
                Customer.objects.bulk_create(customers, batch_size=BATCH_SIZE)

        elapsed = time.perf_counter() - started
        self.stdout.write(
            f"Created {count} customers in {elapsed:.1f}s "
            f"({count / elapsed:,.0f} per second)."
        )

import importlib
import os

from django.core.management.base import BaseCommand

from audits.demo import (
    COMPANY_NAME_EN,
    COMPANY_NAME_ZH,
    DEMO_PASSWORD,
    USERS,
    DemoOrganisation,
    demo_organisation_seed,
)

VISITS_MODULE = "audits.demo_visits"


class Command(BaseCommand):
    help = (
        "Create or update the Demo Bank demo data (organisation, users, visits). Safe to run again."
    )

    def handle(self, *args, **options):
        organisation = demo_organisation_seed()
        self.stdout.write(
            f"organisation: {COMPANY_NAME_EN} / {COMPANY_NAME_ZH}, "
            f"{len(organisation.regions)} regions, {len(organisation.branches)} branches, "
            f"{len(organisation.users)} users"
        )
        self.seed_visits_hook(organisation=organisation)
        self.print_logins()

    def seed_visits_hook(self, *, organisation: DemoOrganisation) -> None:
        """Hand over to the visits seeding when `audits.demo_visits` exists."""
        try:
            demo_visits = importlib.import_module(VISITS_MODULE)
        except ImportError as error:
            # Only the module's absence is expected; a broken import inside it is a bug.
            if error.name != VISITS_MODULE:
                raise
            self.stdout.write(f"visits: skipped ({VISITS_MODULE} is not there yet)")
            return
        demo_visits.demo_visits_seed(organisation=organisation)
        self.stdout.write("visits: seeded")

    def print_logins(self) -> None:
        base_url = f"http://127.0.0.1:{os.environ.get('PORT') or '8000'}"
        rows = [("username", "role", "password", "note")]
        rows += [(spec.username, spec.role.label, DEMO_PASSWORD, spec.note) for spec in USERS]
        widths = [max(len(cell) for cell in column) for column in zip(*rows, strict=True)]
        self.stdout.write("")
        self.stdout.write("Demo logins:")
        for row in rows:
            cells = (cell.ljust(width) for cell, width in zip(row, widths, strict=True))
            self.stdout.write(("  " + "  ".join(cells)).rstrip())
        self.stdout.write("")
        self.stdout.write(f"Web:       {base_url}/")
        self.stdout.write(
            f"Phone app: {base_url}/app/  (sign in as shopper1, shopper2 or shopper3)"
        )
        self.stdout.write(f"Admin:     {base_url}/admin/")
        self.stdout.write(f"API docs:  {base_url}/api/docs/")

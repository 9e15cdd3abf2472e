from django.core.management.base import BaseCommand

from grants.demo import DEMO_PASSWORD, DEMO_USERS, load_demo
from grants.models import Application, Grant, Organisation, Round
from grants.tasks.opendata import write_release


class Command(BaseCommand):
    help = "Load the 2020 demonstration round and demo users. A second run changes nothing."

    def handle(self, *args, **options):
        built = load_demo(stdout=self.stdout)
        # The open data files, as the beat job writes them after a change (`make run` has no
        # worker; `manage.py write_open_data` writes them again after later changes).
        write_release()
        self.stdout.write(
            self.style.SUCCESS("Demonstration data loaded.")
            if built
            else "Demonstration data was already loaded; nothing changed."
        )
        self.stdout.write(
            f"Rounds: {Round.objects.count()}, organisations: {Organisation.objects.count()}, "
            f"applications: {Application.objects.count()}, grants: {Grant.objects.count()}"
        )
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for email, (name, groups, _superuser) in DEMO_USERS.items():
            self.stdout.write(f"  {email:38} {name} ({', '.join(groups) or 'applicant'})")

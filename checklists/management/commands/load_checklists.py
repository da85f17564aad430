import hashlib
import json

from django.core.management.base import BaseCommand

from checklists.selectors import LIBRARY_DIR
from checklists.services import checklist_load


class Command(BaseCommand):
    help = "Load the bundled checklist library (zh-Hans and English). Safe to run again."

    def handle(self, *args, **options):
        for path in sorted(LIBRARY_DIR.glob("*.json")):
            if path.name == "scales.json":
                continue
            raw = path.read_bytes()
            version, created = checklist_load(
                data=json.loads(raw), library_hash=hashlib.sha256(raw).hexdigest()
            )
            state = "loaded" if created else "unchanged"
            self.stdout.write(f"{state}: {version.checklist.code} v{version.number}")

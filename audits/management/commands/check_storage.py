from django.core.management.base import BaseCommand

from audits.selectors.evidence_storage import evidence_storage_report
from audits.selectors.photo_storage import PHOTOS_PREFIX, photo_storage_report
from audits.services.evidence_files import evidence_storage_repair
from audits.services.photos import photo_storage_repair


class Command(BaseCommand):
    help = (
        "Compare the photos in the database with the files in storage: received photos whose "
        f"original or copies are missing, and files under {PHOTOS_PREFIX} no photo refers to; "
        "then the evidence files of action plans and appeals (settings.EVIDENCE_STORAGE_OWNERS): "
        "missing ones, and files no evidence refers to. --fix asks for the missing copies "
        "(outbox) and deletes the orphans."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--fix", action="store_true", help="Remake missing copies and delete orphan files."
        )

    def handle(self, *args, **options):
        self._photos(fix=options["fix"])
        self._evidence(fix=options["fix"])

    def _evidence(self, *, fix: bool) -> None:
        report = evidence_storage_report()
        self.stdout.write(
            f"check_storage: {report.rows_files} evidence file(s) in the database, "
            f"{report.files} file(s) under {', '.join(report.prefixes)}"
        )
        for name in report.missing:
            self.stdout.write(f"  missing evidence file: {name}")
        for name in report.orphans:
            self.stdout.write(f"  orphan: {name}")
        if not report.missing and not report.orphans:
            self.stdout.write("check_storage: evidence storage and database agree")
            return
        self.stdout.write(
            f"check_storage: {len(report.missing)} missing evidence file(s), "
            f"{len(report.orphans)} evidence orphan(s)"
        )
        if not fix:
            if report.orphans:
                self.stdout.write("check_storage: run with --fix to delete the evidence orphans")
            return
        deleted = evidence_storage_repair(report=report)
        self.stdout.write(f"check_storage: deleted {len(deleted)} evidence orphan(s)")
        for name in deleted:
            self.stdout.write(f"  deleted: {name}")

    def _photos(self, *, fix: bool) -> None:
        report = photo_storage_report()
        self.stdout.write(
            f"check_storage: {report.photos_received} received photo(s), "
            f"{report.files} file(s) under {PHOTOS_PREFIX}"
        )
        for photo in report.missing_originals:
            self.stdout.write(
                f"  missing original: photo {photo.id} of visit {photo.visit_id} "
                f"({photo.original_name or 'no name recorded'}); its copies cannot be remade"
            )
        for photo, kinds in report.missing_copies:
            self.stdout.write(
                f"  missing copies: photo {photo.id} of visit {photo.visit_id}: {', '.join(kinds)}"
            )
        for name in report.orphans:
            self.stdout.write(f"  orphan: {name}")
        problems = len(report.missing_originals) + len(report.missing_copies) + len(report.orphans)
        if not problems:
            self.stdout.write("check_storage: storage and database agree")
            return
        self.stdout.write(
            f"check_storage: {len(report.missing_originals)} missing original(s), "
            f"{len(report.missing_copies)} photo(s) missing copies, {len(report.orphans)} orphan(s)"
        )
        if not fix:
            if report.missing_copies or report.orphans:
                self.stdout.write(
                    "check_storage: run with --fix to remake copies and delete orphans"
                )
            return
        repair = photo_storage_repair(report=report)
        self.stdout.write(
            f"check_storage: asked for the copies of {len(repair.copies_enqueued)} photo(s); "
            f"deleted {len(repair.orphans_deleted)} orphan(s)"
        )
        for name in repair.orphans_deleted:
            self.stdout.write(f"  deleted: {name}")

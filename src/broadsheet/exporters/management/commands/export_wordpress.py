import codecs
import os
import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from broadsheet.exporters.wordpress import export_wxr

_CHUNK = 64 * 1024


class Command(BaseCommand):
    help = "Export the whole site as a WordPress export file (WXR 1.2) that WordPress's importer accepts."

    def add_arguments(self, parser):
        parser.add_argument("-o", "--output", help="The file to write (default: standard output).")

    def handle(self, output=None, **options):
        to_stdout = output in (None, "", "-")
        report = self._to_stdout() if to_stdout else self._to_file(Path(output))
        # With the export on standard output, the summary goes to standard error (uncoloured: not an error).
        out = self.stderr if to_stdout else self.stdout

        def say(line):
            out.write(line, style_func=lambda text: text)

        say(f"Exported {report.summary() or 'nothing'}" + ("" if to_stdout else f" to {output}"))
        if report.control_characters_removed:
            say(f"left out {report.control_characters_removed} characters XML cannot hold (control characters)")
        for line in report.warnings:
            say(f"warning: {line}")

    def _to_file(self, target: Path):
        """Write to a temporary file beside ``target``, then rename: never a half-written file."""
        if not target.parent.is_dir():
            raise CommandError(f"{target}: the folder {target.parent} does not exist")
        descriptor, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
        try:
            with os.fdopen(descriptor, "wb") as stream:
                report = export_wxr(stream)
                stream.flush()
                os.fsync(stream.fileno())
            if target.exists():
                mode = target.stat().st_mode & 0o777
            else:
                umask = os.umask(0)
                os.umask(umask)
                mode = 0o666 & ~umask
            os.chmod(temporary, mode)
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        return report

    def _to_stdout(self):
        """Write the export to standard output once it is complete (a failure writes nothing)."""
        with tempfile.TemporaryFile() as stream:
            report = export_wxr(stream)
            stream.seek(0)
            binary = getattr(self.stdout, "buffer", None)
            self.stdout.flush()
            if binary is not None:
                while chunk := stream.read(_CHUNK):
                    binary.write(chunk)
                binary.flush()
            else:  # a text stream (StringIO in tests)
                decoder = codecs.getincrementaldecoder("utf-8")()
                while chunk := stream.read(_CHUNK):
                    self.stdout.write(decoder.decode(chunk), ending="")
                self.stdout.write(decoder.decode(b"", final=True), ending="")
                self.stdout.flush()
        return report

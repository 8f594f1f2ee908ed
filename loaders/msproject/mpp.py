"""Native MS Project ``.mpp`` files through MPXJ (joniles/mpxj, LGPL; PyPI ``mpxj`` bundles the jars and
drives them with ``JPype1``): the file is read by MPXJ's ``UniversalProjectReader`` and written back
**in memory** as MSPDI by its ``MSPDIWriter``, then read by :func:`loaders.msproject.mspdi.parse_mspdi`
— one code path for both formats, so an .mpp gives the same tasks, costs and baselines as its XML
save. One JVM per process, started on the first .mpp (about half a second); the JVM cannot be
restarted in a process, so it stays up. When Java or the packages are missing, the file is refused
with the way to enable it.
"""

from __future__ import annotations

import re
import threading

from loaders.base import Parsed, Refused

#: How to make .mpp files readable, named in every refusal that needs it.
ENABLE = (
    "the server needs Java and MPXJ: install Debian's default-jre-headless (apt-get install -y "
    "default-jre-headless) and the Python packages mpxj and JPype1 (pip install -r requirements.txt), "
    "then restart the app. Until then, open the plan in MS Project and save it as XML (File > Save As > XML)."
)
#: Java system properties: MPXJ logs through log4j, which has no configuration here.
JVM_OPTIONS = (
    "-Dlog4j2.loggerContextFactory=org.apache.logging.log4j.simple.SimpleLoggerContextFactory",
    "-Dlog4j2.level=OFF",
    "-Djava.awt.headless=true",
)
FORMAT = "MS Project .mpp (read with MPXJ)"
#: Task fields MPXJ's MSPDI writer omits when they are 0 (an .mpp always holds them).
ZERO_OMITTED = (
    "work_hours",
    "actual_work_hours",
    "cost",
    "actual_cost",
    "remaining_cost",
    "fixed_cost",
    "bcws",
    "bcwp",
    "acwp",
)

_lock = threading.Lock()
_failure: str | None = None


def _jvm():
    """The ``jpype`` module with the JVM running (started once, on first use); Refused when Java or
    the packages are missing."""
    global _failure
    with _lock:
        if _failure:
            raise Refused(_failure)
        try:
            import jpype
            import mpxj  # noqa: F401  (puts MPXJ's jars on the class path)
        except ImportError as err:
            _failure = f"reading .mpp files is not enabled ({err.name} is not installed): {ENABLE}"
            raise Refused(_failure) from None
        if not jpype.isJVMStarted():
            try:
                jpype.startJVM(*JVM_OPTIONS, convertStrings=False)
            except (jpype.JVMNotFoundException, jpype.JVMNotSupportedException, OSError) as err:
                _failure = f"reading .mpp files is not enabled (no Java runtime: {err}): {ENABLE}"
                raise Refused(_failure) from None
        return jpype


def to_mspdi(data: bytes, file_name: str) -> bytes:
    """An .mpp (or any file MPXJ reads) -> MSPDI XML bytes, in memory."""
    jpype = _jvm()
    from java.io import ByteArrayInputStream, ByteArrayOutputStream
    from java.time import LocalDateTime
    from org.mpxj.mspdi import MSPDIWriter
    from org.mpxj.reader import UniversalProjectReader

    started = LocalDateTime.now()
    try:
        project = UniversalProjectReader().read(ByteArrayInputStream(jpype.JArray(jpype.JByte)(data)))
    except jpype.JException as err:
        raise Refused(
            f"{file_name}: this .mpp file cannot be read ({err.getMessage()}); open it in MS Project and "
            "save it as XML (File > Save As > XML), then upload that file."
        ) from None
    if project is None:
        raise Refused(
            f"{file_name}: MPXJ does not recognise this file as a project plan; open it in MS Project and "
            "save it as XML (File > Save As > XML), then upload that file."
        )
    current = project.getProjectProperties().getCurrentDate()
    out = ByteArrayOutputStream()
    MSPDIWriter().write(project, out)
    xml = bytes(out.toByteArray())
    if current is not None and not current.isBefore(started.minusMinutes(1)):
        # MPXJ's stand-in "now" for a current date the .mpp does not hold: not the file's date
        xml = re.sub(rb"<CurrentDate>[^<]*</CurrentDate>", b"", xml, count=1)
    return xml


def parse_mpp(data: bytes, file_name: str) -> Parsed:
    """A native .mpp -> Parsed, through MSPDI (see the module docstring)."""
    from loaders.msproject.mspdi import parse_mspdi

    parsed = parse_mspdi(to_mspdi(data, file_name), file_name)
    parsed.format = FORMAT
    tasks = parsed.tables["tasks"]
    for column in ZERO_OMITTED:  # an .mpp holds every field; MPXJ's writer leaves the zeros out
        tasks[column] = tasks[column].fillna(0.0)
    summary = parsed.meta.get("project_summary")
    if summary:
        summary.update({k: 0.0 for k in ZERO_OMITTED if k in summary and summary[k] is None})
    return parsed

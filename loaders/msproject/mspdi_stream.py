"""Streaming an MSPDI file record by record (lxml iterparse, entities and network off)."""

from __future__ import annotations

import io
import re
from operator import itemgetter

import numpy as np
import pandas as pd

from loaders.base import Refused
from loaders.msproject.sniffing import xml_head


def local_name(tag) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


# a leaf as lxml serialises it: an open tag without attributes, its text, then the next tag (a
# look-ahead, so "<Task><UID>1</UID>" of a namespace-less file still yields UID)
_LEAF = re.compile(r"<([A-Za-z_][\w.-]*)>([^<]*)(?=<)")


_LEAF_PREFIXED = re.compile(r"<(?:[A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)>([^<]*)(?=<)")


_NESTED_NAMES = ("ExtendedAttribute", "Baseline", "PredecessorLink", "TimephasedData")


def _leaves(text: str, pattern: re.Pattern = _LEAF) -> dict[str, str]:
    """``<Name>text</Name>`` leaves of serialised XML (nested blocks already cut out) -> dict,
    XML escapes decoded."""
    fields = dict(pattern.findall(text))
    if "&" in text:
        from html import unescape

        fields = {k: unescape(v) if "&" in v else v for k, v in fields.items()}
    return fields


def _cut_blocks(text: str, prefix: str, names=_NESTED_NAMES) -> tuple[str, list[tuple[str, str]]]:
    """Cut ``<Name>...</Name>`` blocks out of serialised XML -> (rest, [(name, body)])."""
    found = []
    for name in names:
        opening, closing = f"<{prefix}{name}>", f"</{prefix}{name}>"
        if opening not in text:
            continue
        out, pos = [], 0
        while True:
            i = text.find(opening, pos)
            j = text.find(closing, i) if i >= 0 else -1
            if j < 0:
                break
            found.append((name, text[i + len(opening) : j]))
            out.append(text[pos:i])
            pos = j + len(closing)
        out.append(text[pos:])
        text = "".join(out)
    return text, found


def iter_mspdi(data: bytes, file_name: str):
    """Stream an MSPDI file: yields ``(kind, fields, baselines, links, timephased)`` for each
    ``Task``/``Resource``/``Assignment`` and finally ``("Project", fields, [], [], [])``.

    lxml ``iterparse`` (entities and network off) stops only at record elements; each record is
    serialised by lxml and its leaves read with one regular expression (C speed, no Python object
    per child element), then cleared and detached, so memory stays bounded by one record.
    The project's calendar (see :mod:`loaders.msproject.calendars`) is ``fields["_calendar"]``
    of the final record.
    """
    from lxml import etree

    from loaders.msproject.calendars import project_calendar

    try:
        context = etree.iterparse(
            io.BytesIO(data),
            events=("end",),
            tag=("{*}Task", "{*}Resource", "{*}Assignment"),
            resolve_entities=False,
            no_network=True,
            load_dtd=False,
            huge_tree=True,
            remove_comments=True,
            remove_pis=True,
        )
        for _event, el in context:
            parent = el.getparent()
            if parent is None or local_name(parent.tag) not in ("Tasks", "Resources", "Assignments"):
                continue
            text = etree.tostring(el, encoding="unicode", with_tail=False)
            prefix = f"{el.prefix}:" if el.prefix else ""
            pattern = _LEAF_PREFIXED if prefix else _LEAF
            el.clear(keep_tail=False)
            parent.remove(el)
            baselines, links, phased = [], [], []
            text, nested = _cut_blocks(text, prefix)
            for name, body in nested:
                if name == "Baseline":
                    body, inner = _cut_blocks(body, prefix, ("TimephasedData",))
                    phased.extend(_leaves(b, pattern) for _n, b in inner)
                    baselines.append(_leaves(body, pattern))
                elif name == "PredecessorLink":
                    links.append(_leaves(body, pattern))
                elif name == "TimephasedData":
                    phased.append(_leaves(body, pattern))
            yield local_name(el.tag), _leaves(text, pattern), baselines, links, phased
        root = context.root
    except etree.XMLSyntaxError as err:
        if re.search(r"<!(?:DOCTYPE|ENTITY)\b", xml_head(data)):
            raise Refused(
                f"{file_name}: the file contains a DOCTYPE with entity declarations, which are not accepted for "
                "safety (MS Project never writes them); save the plan as XML from MS Project again."
            ) from None
        raise Refused(
            f"{file_name}: the XML is damaged ({err.msg}, line {err.lineno}); save the plan as XML again."
        ) from None
    if root is None or local_name(root.tag) != "Project":
        raise Refused(f"{file_name}: the XML root is not <Project>; save the plan from MS Project as XML (MSPDI).")
    project = {local_name(c.tag): c.text for c in root if isinstance(c.tag, str) and len(c) == 0}
    calendars = next((c for c in root if isinstance(c.tag, str) and local_name(c.tag) == "Calendars"), None)
    project["_calendar"] = project_calendar(calendars, (project.get("CalendarUID") or "").strip() or None)
    yield "Project", project, [], [], []


def text_columns(records: list[dict], keys=None) -> pd.DataFrame:
    """Records -> frame of raw text columns (object dtype), only ``keys`` when given."""
    if not records:
        return pd.DataFrame()
    if keys is None:
        keys = list(dict.fromkeys(k for r in records[:1000] for k in r))
        keys += [k for k in {k for r in records for k in r} if k not in keys]
    keys = list(keys)
    defaults = dict.fromkeys(keys)
    getter = itemgetter(*keys) if len(keys) > 1 else (lambda r: (r[keys[0]],))

    def pick(record):
        try:
            return getter(record)  # C-level: one tuple per record
        except KeyError:
            return getter({**defaults, **record})

    rows = list(map(pick, records))
    data = {}
    for k, column in zip(keys, zip(*rows, strict=True), strict=True):
        if any(x is not None for x in column):
            data[k] = np.array(column, dtype=object)
    return pd.DataFrame(data, dtype="object")

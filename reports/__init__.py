"""The executive status pack: the week's portfolio story for leadership, from the same numbers
and the same Altair charts as the pages.

``content`` gathers what the pack says (a frozen :class:`~reports.content.Pack`), ``images``
renders the charts to PNG with vl-convert, and ``deck`` (PowerPoint, python-pptx), ``workbook``
(Excel, xlsxwriter) and ``document`` (PDF, reportlab) lay the same content out. CLI:
``python -m reports pack --out FILE.pptx|FILE.xlsx|FILE.pdf``.
"""

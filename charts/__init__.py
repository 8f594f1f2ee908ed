"""Chart builders: frame -> alt.Chart, pure (no streamlit), tested through ``to_dict()``.

Colour rule: red, amber and green mean status only (``STATUS_COLORS``); series use ``SERIES``.
"""

STATUS_COLORS = {"green": "#2e7d32", "amber": "#f9a825", "red": "#c62828", "unknown": "#9e9e9e"}
SERIES = ["#1f4e79", "#5b9bd5", "#7f7f7f", "#8064a2", "#4bacc6", "#a5a5a5"]

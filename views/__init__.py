"""Page view-models: what a page shows (tiles, captions, column sets), computed from metric results
without streamlit, so pages only lay out."""

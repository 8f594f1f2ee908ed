"""Notifications: the channels escalations go to, a test message, what a run would post, what was sent."""

import os

import streamlit as st

import ui
from notify import channels as ch
from notify import run
from notify.messages import test_message
from notify.webhook import post

settings = ui.settings()
st.title("Notifications")
st.caption(
    "Projects that turn red (or leave red) and escalated risks are posted once to Microsoft Teams or Slack by "
    "`python -m notify escalations`, run on a schedule. Webhook URLs are secrets: they are never shown in full."
)

try:
    config = ch.load()
except ch.ConfigError as err:
    st.error(str(err))
    config = None

if config and config.channels:
    st.subheader("Configured channels")
    st.dataframe(
        [
            {
                "channel": c.name,
                "format": c.format,
                "webhook": c.shown_webhook,
                "programs": ", ".join(c.programs) or "all",
                "portfolios": ", ".join(c.portfolios) or "all",
            }
            for c in config.channels
        ],
        hide_index=True,
    )
    channels = list(config.channels)
    base_url = config.base_url
else:
    st.info(
        "No channel file is configured (set `PMO_NOTIFY_CONFIG` to a TOML file; see the README). "
        "Paste a webhook below to try one: it is used for this page only and not stored."
    )
    base_url = os.environ.get("PMO_BASE_URL") or ch.DEFAULT_BASE_URL
    left, right = st.columns([3, 1])
    url = left.text_input("Webhook URL", type="password", placeholder="https://…")
    fmt = right.selectbox("Format", ch.FORMATS)
    channels = [ch.from_webhook(url, fmt, base_url).channels[0]] if url else []

if channels:
    names = {c.name: c for c in channels}
    chosen = names[st.selectbox("Channel", list(names))]
    if st.button("Send test message", icon=":material/send:"):
        result = post(chosen.webhook, test_message(chosen.format, base_url))
        (st.success if result.ok else st.error)(f"{chosen.name} ({chosen.shown_webhook}): {result.detail}")
    st.subheader("What the next run would post")
    pending = run.preview(ui.store(), chosen, base_url=base_url, as_of=settings.as_of)
    if pending.empty:
        st.caption("Nothing new to escalate for this channel.")
    else:
        st.dataframe(pending, hide_index=True, width="stretch")

st.subheader("Sent")
sent = run.history(ui.store())
if sent.empty:
    st.caption("No notification has been posted yet.")
else:
    st.dataframe(sent, hide_index=True, width="stretch")

"""Private messages: when new ones are announced, and how many a member may send."""

from .environment import env_int

# Unread messages are announced once the oldest has waited this long, at most once per
# member per interval (seconds): a lively conversation sends one e-mail, not one per message.
MESSAGE_NOTIFY_DELAY_SECONDS = env_int("MESSAGE_NOTIFY_DELAY_SECONDS", default=120)
MESSAGE_NOTIFY_INTERVAL_SECONDS = env_int("MESSAGE_NOTIFY_INTERVAL_SECONDS", default=600)
# Per member: messages per window, and new conversations per day.
MESSAGE_RATE_LIMIT = env_int("MESSAGE_RATE_LIMIT", default=30)
MESSAGE_RATE_WINDOW_SECONDS = env_int("MESSAGE_RATE_WINDOW_SECONDS", default=600)
CONVERSATION_RATE_LIMIT = env_int("CONVERSATION_RATE_LIMIT", default=10)
# A mairie's targeted message to at most this many web members writes their conversations
# while the mairie waits; to more (a whole town), a worker writes them just after.
OFFICIAL_INLINE_CONVERSATIONS = env_int("OFFICIAL_INLINE_CONVERSATIONS", default=500)

"""How long personal data lives (GDPR, CNIL): alerts, private messages, inactive accounts.

Each period is applied by a periodic task named in ``tasks.py``'s beat schedule.
"""

from .environment import env_int

# Texts of alerts are erased after this many days (statistics stay); identifying details
# (number plates, names: data about suspected offences, GDPR art. 10) much sooner.
ALERT_RETENTION_DAYS = env_int("ALERT_RETENTION_DAYS", default=365)
ALERT_DETAILS_RETENTION_DAYS = env_int("ALERT_DETAILS_RETENTION_DAYS", default=30)
# Private messages are deleted after this many days (12 months).
MESSAGE_RETENTION_DAYS = env_int("MESSAGE_RETENTION_DAYS", default=365)
# CNIL: accounts without activity are warned after ~23 months, erased after 24 (see
# accounts/inactivity.py; staff accounts are warned, never erased automatically).
ACCOUNT_INACTIVITY_WARN_DAYS = env_int("ACCOUNT_INACTIVITY_WARN_DAYS", default=700)
ACCOUNT_INACTIVITY_ERASE_DAYS = env_int("ACCOUNT_INACTIVITY_ERASE_DAYS", default=730)
ACCOUNT_INACTIVITY_NOTICE_DAYS = env_int("ACCOUNT_INACTIVITY_NOTICE_DAYS", default=30)

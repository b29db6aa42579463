"""The outbox's channels: one small class per way of reaching a member (SMS, e-mail, push).

Each has ``send(delivery)``, which hands one delivery to its provider and raises
``ChannelError`` (permanent or transient) when the provider refuses, and ``send_many``,
which a channel overrides to send a batch faster (SMS concurrently, push to every device
at once, e-mail over one connection). Neither writes the delivery row: the outbox
(``notifications.sending``) claims it before and records the outcome after.
"""

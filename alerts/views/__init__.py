"""The alert pages of a commune's site: residents, police municipale and mairie staff.

Views stay thin. Which alerts a user sees is ``Alert.objects.visible_to`` narrowed to the
commune whose site answers (``scope``: an alert of another commune is a 404 whatever the
user's rights elsewhere); what they may see of one and do with it is
``alerts.permissions``; every write is a service of ``alerts.services``.

- ``pages``: the running and ended lists, an alert's page and its progress (JSON);
- ``post``: the resident's alert form;
- ``actions``: follow-up, end and report of one alert;
- ``police``: the police municipale's feed and its "prise en charge";
- ``staff``: the call list of members an alert did not reach.
"""

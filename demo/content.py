"""The demo's communes, people and municipal pages (French, with some English translations).

Everything here is fictitious. Phone numbers are French mobile numbers in the +3361… range.
"""

from datetime import timedelta

DEMO_PASSWORD = "demo-password-2026"  # noqa: S105 (documented demo credential)

COMMUNES = [
    {
        "name": "Cadaujac",
        "insee_code": "33080",
        "hostname": "cadaujac.localhost",
        "sms_sender_name": "Cadaujac",
        "sms_budget": "50.00",
        "primary_colour": "#1d4e89",
        "logo_colour": (29, 78, 137),
        "address": "Place de la Mairie\n33140 Cadaujac",
        "phone": "05 56 00 00 80",
        "email": "mairie@cadaujac.demo.invalid",
        "opening_hours": "Du lundi au vendredi, 8h30–12h et 13h30–17h30\nLe samedi, 9h–12h",
        "communities": [
            ("Centre-bourg", "quartier", "Autour de la place de la mairie et de l'église."),
            ("Les Graves", "quartier", "Les lotissements au sud de la route de Bordeaux."),
            ("Le Port", "hameau", "Le long de la Garonne, chemin du Port."),
            ("Résidence des Vignes", "residence", "Les trois bâtiments de la résidence."),
        ],
        "hero_title": "Bienvenue à Cadaujac",
        "hero_intro": "Voisins vigilants et solidaires : la mairie et les habitants veillent "
        "ensemble sur les quartiers, et s'entraident au quotidien.",
        "hero_title_en": "Welcome to Cadaujac",
        "hero_intro_en": "Watchful and caring neighbours: the town hall and residents look "
        "after the neighbourhoods together and help each other every day.",
    },
    {
        "name": "Didenheim",
        "insee_code": "68074",
        "hostname": "didenheim.localhost",
        "sms_sender_name": "Didenheim",
        "sms_budget": "30.00",
        "primary_colour": "#6b2c5f",
        "logo_colour": (107, 44, 95),
        "address": "1 rue de Morschwiller\n68350 Didenheim",
        "phone": "03 89 00 00 74",
        "email": "mairie@didenheim.demo.invalid",
        "opening_hours": "Lundi, mercredi et vendredi, 9h–12h et 14h–18h",
        "communities": [
            ("Village", "quartier", "Le cœur du village, autour de la mairie."),
            ("Les Vergers", "quartier", "Le quartier des Vergers et la rue des Prés."),
            ("Quartier de la Gare", "quartier", "De la gare au canal."),
        ],
        "hero_title": "Bienvenue à Didenheim",
        "hero_intro": "Entre l'Ill et le canal, aux portes de Mulhouse : les habitants du "
        "village veillent les uns sur les autres et s'entraident, avec la mairie.",
        "hero_title_en": "Welcome to Didenheim",
        "hero_intro_en": "Between the Ill and the canal, at Mulhouse's door: the villagers "
        "look out for one another and help each other, with the town hall.",
    },
]


# Each demo community's boundary, drawn after the real places' layout (approximately: the
# demo is fictitious), as GeoJSON polygons of [longitude, latitude] corners.
def _polygon(*corners):
    return {"type": "Polygon", "coordinates": [[*map(list, corners), list(corners[0])]]}


BOUNDARIES = {
    ("33080", "Centre-bourg"): _polygon(
        (-0.5400, 44.7500),
        (-0.5270, 44.7500),
        (-0.5250, 44.7570),
        (-0.5320, 44.7600),
        (-0.5410, 44.7570),
    ),
    ("33080", "Les Graves"): _polygon(
        (-0.5450, 44.7380),
        (-0.5250, 44.7380),
        (-0.5270, 44.7500),
        (-0.5400, 44.7500),
        (-0.5470, 44.7460),
    ),
    ("33080", "Le Port"): _polygon(
        (-0.5250, 44.7500),
        (-0.5050, 44.7520),
        (-0.5000, 44.7620),
        (-0.5150, 44.7650),
        (-0.5250, 44.7570),
    ),
    ("33080", "Résidence des Vignes"): _polygon(
        (-0.5465, 44.7550),
        (-0.5425, 44.7550),
        (-0.5425, 44.7580),
        (-0.5465, 44.7580),
    ),
    ("68074", "Village"): _polygon(
        (7.2960, 47.7140),
        (7.3090, 47.7140),
        (7.3100, 47.7210),
        (7.2980, 47.7220),
        (7.2940, 47.7180),
    ),
    ("68074", "Les Vergers"): _polygon(
        (7.2860, 47.7060),
        (7.3000, 47.7060),
        (7.3090, 47.7140),
        (7.2960, 47.7140),
        (7.2870, 47.7110),
    ),
    ("68074", "Quartier de la Gare"): _polygon(
        (7.3090, 47.7140),
        (7.3200, 47.7160),
        (7.3220, 47.7250),
        (7.3100, 47.7240),
        (7.3100, 47.7210),
    ),
}

# (e-mail, first name, last name, phone, commune INSEE or None, staff roles, community name)
PEOPLE = [
    ("platform@demo.invalid", "Équipe", "Plateforme", None, None, "superuser", None),
    (
        "mairie@cadaujac.demo.invalid",
        "Sophie",
        "Mairie-Cadaujac",
        "+33610000001",
        "33080",
        ["administrator", "editor", "moderator", "broadcaster"],
        None,
    ),
    (
        "police@cadaujac.demo.invalid",
        "Karim",
        "Police-Cadaujac",
        "+33610000002",
        "33080",
        ["police"],
        None,
    ),
    (
        "mairie@didenheim.demo.invalid",
        "Thierry",
        "Mairie-Didenheim",
        "+33610000003",
        "68074",
        ["administrator", "editor", "moderator", "broadcaster"],
        None,
    ),
    (
        "police@didenheim.demo.invalid",
        "Léa",
        "Police-Didenheim",
        "+33610000004",
        "68074",
        ["police"],
        None,
    ),
    (
        "jean-yves@cadaujac.demo.invalid",
        "Jean-Yves",
        "Martin",
        "+33611000001",
        "33080",
        [],
        "Centre-bourg",
    ),
    ("marie@cadaujac.demo.invalid", "Marie", "Dubois", "+33611000002", "33080", [], "Les Graves"),
    (
        "pending@cadaujac.demo.invalid",
        "Paul",
        "Nouveau",
        "+33611000003",
        "33080",
        [],
        "Centre-bourg",
    ),
    (
        "claudette@didenheim.demo.invalid",
        "Claudette",
        "Schmitt",
        "+33611000004",
        "68074",
        [],
        "Village",
    ),
]

# Memberships of the residents above (the pending one has a proof awaiting moderation).
RESIDENTS = {
    "jean-yves@cadaujac.demo.invalid": {
        "community": "Centre-bourg",
        "address": "12 rue de la Mairie, 33140 Cadaujac",
        "role": "referent",
        "interests": "Bricolage, je peux prêter une échelle et une perceuse",
        "bio": "Retraité, dans le quartier depuis 1987.",
    },
    "marie@cadaujac.demo.invalid": {
        "community": "Les Graves",
        "address": "4 allée des Graves, 33140 Cadaujac",
        "interests": "Jardinage, covoiturage vers Bordeaux",
    },
    "pending@cadaujac.demo.invalid": {
        "community": "Centre-bourg",
        "address": "7 place de l'Église, 33140 Cadaujac",
        "status": "pending",
    },
    "claudette@didenheim.demo.invalid": {
        "community": "Village",
        "address": "3 rue du Moulin, 68350 Didenheim",
        "interests": "Réunions de quartier, pâtisserie",
    },
}


# Each commune's own pages, announcements and events, by INSEE code: Cadaujac, a Gironde
# commune of 6,000 on the Garonne south of Bordeaux; Didenheim, an Alsatian village of
# 2,000 by the Ill and the Rhône-Rhine canal, at Mulhouse's door. Slugs are shared so that
# the same path on each host serves that commune's own page.
_VIGILANCE_EN = [
    ("heading", {"text": "Watch out, not watch over", "level": "h2"}),
    (
        "paragraph",
        "<p>Neighbours spot unusual events (a vehicle scouting the area, a suspicious "
        "door-to-door seller, an open window at an absent neighbour's) and warn their "
        "neighbourhood, the town hall and the municipal police. They do not replace the "
        "police: in immediate danger, dial 17.</p>",
    ),
]

STANDARD_PAGES = {
    "33080": [
        {
            "slug": "voisins-vigilants",
            "title": "Voisins vigilants et solidaires",
            "intro": "Comment fonctionne le réseau de voisinage de Cadaujac.",
            "body": [
                ("heading", {"text": "Veiller, pas surveiller", "level": "h2"}),
                (
                    "paragraph",
                    "<p>Les voisins repèrent les faits inhabituels (véhicule en repérage, "
                    "démarcheur suspect, fenêtre ouverte chez un absent) et préviennent leur "
                    "quartier, la mairie et la police municipale. Ils ne remplacent pas les "
                    "forces de l'ordre : en cas de danger immédiat, composez le 17.</p>",
                ),
                ("heading", {"text": "S'entraider", "level": "h2"}),
                (
                    "paragraph",
                    "<p>Du centre-bourg au Port, des Graves à la résidence des Vignes : prêt "
                    "d'outils, covoiturage vers Bordeaux, nouvelles d'un voisin âgé, fête des "
                    "voisins. La gazette du quartier est là pour ça.</p>",
                ),
            ],
            "en": {
                "title": "Watchful and caring neighbours",
                "intro": "How the neighbourhood network of Cadaujac works.",
                "body": _VIGILANCE_EN,
            },
        },
        {
            "slug": "contacts",
            "title": "Contacts utiles",
            "intro": "Les numéros à garder sous la main.",
            "body": [
                (
                    "contact_card",
                    {
                        "name": "Accueil de la mairie",
                        "role": "Standard et état civil",
                        "phone": "05 56 00 00 80",
                        "hours": "Du lundi au vendredi, 8h30–12h et 13h30–17h30",
                    },
                ),
                (
                    "contact_card",
                    {
                        "name": "Police municipale",
                        "phone": "05 56 00 00 17",
                        "hours": "Du lundi au samedi, 7h–19h",
                    },
                ),
                (
                    "paragraph",
                    "<p>Urgences : <b>17</b> (police), <b>18</b> (pompiers), <b>15</b> "
                    "(SAMU), <b>112</b> (numéro d'urgence européen).</p>",
                ),
            ],
        },
    ],
    "68074": [
        {
            "slug": "voisins-vigilants",
            "title": "Voisins vigilants et solidaires",
            "intro": "Comment fonctionne le réseau de voisinage de Didenheim.",
            "body": [
                ("heading", {"text": "Un village où l'on se connaît", "level": "h2"}),
                (
                    "paragraph",
                    "<p>Didenheim compte un peu plus de 2 000 habitants, entre l'Ill et le "
                    "canal du Rhône au Rhin, aux portes de Mulhouse. Le réseau relie le "
                    "village, les Vergers et le quartier de la Gare pour que chacun garde un "
                    "œil bienveillant sur ses voisins, surtout sur les plus âgés.</p>",
                ),
                ("heading", {"text": "Prévenir, pas intervenir", "level": "h2"}),
                (
                    "paragraph",
                    "<p>Un démarcheur insistant, une voiture qui tourne près de l'école, des "
                    "volets restés fermés chez une voisine seule : prévenez votre quartier et "
                    "la mairie, qui transmet à la police municipale. N'intervenez jamais "
                    "vous-même ; en cas de danger immédiat, composez le 17.</p>",
                ),
            ],
            "en": {
                "title": "Watchful and caring neighbours",
                "intro": "How the neighbourhood network of Didenheim works.",
                "body": [
                    ("heading", {"text": "A village where people know each other", "level": "h2"}),
                    (
                        "paragraph",
                        "<p>Didenheim is a village of some 2,000 people between the Ill and "
                        "the Rhône-Rhine canal, at Mulhouse's door. The network links the "
                        "village, Les Vergers and the station quarter so that everyone keeps "
                        "a kind eye on their neighbours, the elderly first.</p>",
                    ),
                    ("heading", {"text": "Warn, do not intervene", "level": "h2"}),
                    (
                        "paragraph",
                        "<p>Warn your neighbourhood and the town hall, which tells the "
                        "municipal police. Never step in yourself; in immediate danger, "
                        "dial 17.</p>",
                    ),
                ],
            },
        },
        {
            "slug": "contacts",
            "title": "Contacts utiles",
            "intro": "La mairie, la police municipale et les urgences.",
            "body": [
                (
                    "contact_card",
                    {
                        "name": "Secrétariat de la mairie",
                        "role": "Accueil, état civil et urbanisme",
                        "phone": "03 89 00 00 74",
                        "hours": "Lundi, mercredi et vendredi, 9h–12h et 14h–18h",
                    },
                ),
                (
                    "contact_card",
                    {
                        "name": "Police municipale",
                        "role": "Brigade intercommunale",
                        "phone": "03 89 00 00 17",
                        "hours": "Du lundi au vendredi, 8h–18h",
                    },
                ),
                (
                    "paragraph",
                    "<p>Urgences : <b>17</b> (police), <b>18</b> (pompiers), <b>15</b> "
                    "(SAMU), <b>112</b> (numéro d'urgence européen). Pharmacie de garde : "
                    "<b>3237</b>.</p>",
                ),
            ],
        },
    ],
}

# The roadworks announcement and the mairie's roadworks broadcast (``demo.alerts``) tell
# the same works; the mairie's gazette posts (``demo.gazette``) speak of other things.
ANNOUNCEMENTS = {
    "33080": [
        {
            "slug": "travaux-route-de-bordeaux",
            "title": "Travaux de voirie route de Bordeaux",
            "days_ago": 2,
            "summary": "Circulation alternée route de Bordeaux de lundi à mercredi, de 8 h à "
            "17 h, pendant la réfection de la chaussée.",
            "body": "<p>Prévoyez quelques minutes de plus ; l'accès aux riverains reste "
            "ouvert. Merci de votre patience.</p>",
            "en": {
                "title": "Roadworks on the route de Bordeaux",
                "summary": "Alternating traffic on the route de Bordeaux from Monday to "
                "Wednesday, 8 am to 5 pm, while the road is resurfaced.",
                "body": "<p>Allow a few extra minutes; residents keep their access. Thank you "
                "for your patience.</p>",
            },
        },
        {
            "slug": "operation-tranquillite-vacances",
            "title": "Opération tranquillité vacances",
            "days_ago": 6,
            "summary": "Pendant vos absences, la police municipale peut passer devant chez vous. "
            "Inscription à l'accueil de la mairie.",
            "body": "<p>Le formulaire est disponible à l'accueil. Vos dates d'absence restent "
            "entre vous et la police municipale : ne les publiez jamais sur la plateforme.</p>",
        },
        {
            "slug": "collecte-encombrants",
            "title": "Collecte des encombrants",
            "days_ago": 12,
            "summary": "La prochaine collecte des encombrants à Cadaujac a lieu le premier "
            "mardi du mois.",
            "body": "<p>Inscrivez-vous auprès de la mairie au plus tard le vendredi précédent.</p>",
        },
    ],
    "68074": [
        {
            "slug": "permanence-du-maire",
            "title": "Permanence du maire le samedi matin",
            "days_ago": 1,
            "summary": "Le maire reçoit sans rendez-vous chaque samedi de 10 h à 12 h, à la "
            "mairie.",
            "body": "<p>Une question sur le village, un projet, une difficulté : passez le "
            "voir, ou appelez le secrétariat pour un autre créneau.</p>",
            "en": {
                "title": "The mayor's Saturday surgery",
                "summary": "The mayor sees residents without appointment every Saturday, "
                "10 am to noon, at the town hall.",
                "body": "<p>A question about the village, a project, a difficulty: drop in, "
                "or call the office for another time.</p>",
            },
        },
        {
            "slug": "dechets-verts",
            "title": "Déchets verts : la benne revient",
            "days_ago": 5,
            "summary": "La benne à déchets verts est installée près des ateliers municipaux, "
            "rue de la Gare, le premier samedi de chaque mois.",
            "body": "<p>Tontes, tailles de haies et feuilles uniquement ; le brûlage des "
            "déchets verts reste interdit.</p>",
        },
        {
            "slug": "bibliotheque-horaires",
            "title": "Nouveaux horaires de la bibliothèque",
            "days_ago": 14,
            "summary": "La bibliothèque du village ouvre désormais le mercredi après-midi et le "
            "samedi matin.",
            "body": "<p>Les bénévoles portent aussi des livres aux habitants qui ne peuvent plus "
            "se déplacer : demandez-le au secrétariat de la mairie.</p>",
        },
    ],
}

EVENTS = {
    "33080": [
        {
            "slug": "reunion-voisins-vigilants",
            "title": "Réunion publique Voisins vigilants et solidaires",
            "starts_in": timedelta(days=9, hours=18, minutes=30),
            "duration": timedelta(hours=2),
            "location": "Salle des fêtes",
            "summary": "Présentation du dispositif, rencontre avec la police municipale et "
            "les référents de quartier. Chacun apporte de quoi boire et manger !",
            "en": {
                "title": "Public meeting: watchful and caring neighbours",
                "location": "Village hall",
                "summary": "An introduction to the scheme, with the municipal police and the "
                "neighbourhood referents. Everyone brings something to eat and drink!",
            },
        },
        {
            "slug": "marche-de-noel",
            "title": "Marché de Noël",
            "starts_in": timedelta(days=20, hours=10),
            "duration": timedelta(hours=8),
            "location": "Place de la mairie",
            "summary": "Producteurs locaux et associations de Cadaujac, vin chaud et "
            "animations pour les enfants.",
        },
        {
            "slug": "fete-des-voisins-2026",
            "title": "Fête des voisins",
            "starts_in": timedelta(days=-150, hours=19),
            "duration": timedelta(hours=4),
            "location": "Dans chaque quartier",
            "summary": "Retour sur la dernière fête des voisins : merci à tous !",
        },
    ],
    "68074": [
        {
            "slug": "reunion-voisins-vigilants",
            "title": "Réunion publique Voisins vigilants et solidaires",
            "starts_in": timedelta(days=12, hours=19),
            "duration": timedelta(hours=2),
            "location": "Salle polyvalente",
            "summary": "Le réseau présenté aux habitants du village, des Vergers et du quartier "
            "de la Gare, avec la police municipale. Suivi d'un verre de l'amitié.",
            "en": {
                "title": "Public meeting: watchful and caring neighbours",
                "location": "Community hall",
                "summary": "The network presented to the residents of the village, Les Vergers "
                "and the station quarter, with the municipal police. Drinks afterwards.",
            },
        },
        {
            "slug": "bredalas-a-la-bibliotheque",
            "title": "Atelier bredalas à la bibliothèque",
            "starts_in": timedelta(days=16, hours=14),
            "duration": timedelta(hours=3),
            "location": "Bibliothèque du village",
            "summary": "Petits gâteaux de Noël alsaciens à préparer en famille ; les "
            "emporte-pièces sont fournis.",
        },
        {
            "slug": "osterputz",
            "title": "Osterputz : nettoyage de printemps",
            "starts_in": timedelta(days=-200, hours=9),
            "duration": timedelta(hours=3),
            "location": "Départ devant la mairie",
            "summary": "Retour sur le dernier nettoyage des berges de l'Ill et du canal : "
            "quarante bénévoles, merci à tous !",
        },
    ],
}


# More verified neighbours, so that every community has members and alerts reach people.
# Those without an e-mail take part by SMS alone (elderly neighbours registered by a
# referent); the others sign in with the demo password.
# (first name, last name, phone, e-mail or None, commune INSEE, community, address)
NEIGHBOURS = [
    ("Germaine", "Lafon", "+33611000101", None, "33080", "Centre-bourg", "2 rue du Lavoir"),
    (
        "Hugo",
        "Bernard",
        "+33611000102",
        "hugo@cadaujac.demo.invalid",
        "33080",
        "Centre-bourg",
        "18 rue de la Mairie",
    ),
    (
        "Nadia",
        "Haddad",
        "+33611000103",
        "nadia@cadaujac.demo.invalid",
        "33080",
        "Les Graves",
        "9 allée des Graves",
    ),
    ("Louis", "Garnier", "+33611000104", None, "33080", "Le Port", "5 chemin du Port"),
    (
        "Inès",
        "Roux",
        "+33611000105",
        "ines@cadaujac.demo.invalid",
        "33080",
        "Le Port",
        "11 chemin du Port",
    ),
    (
        "Marc",
        "Petit",
        "+33611000106",
        "marc@cadaujac.demo.invalid",
        "33080",
        "Résidence des Vignes",
        "Bâtiment B, résidence des Vignes",
    ),
    (
        "Odile",
        "Faure",
        "+33611000107",
        None,
        "33080",
        "Résidence des Vignes",
        "Bâtiment A, résidence des Vignes",
    ),
    ("Joseph", "Meyer", "+33611000201", None, "68074", "Village", "8 rue de l'Église"),
    (
        "Anne",
        "Muller",
        "+33611000202",
        "anne@didenheim.demo.invalid",
        "68074",
        "Les Vergers",
        "14 rue des Prés",
    ),
    (
        "Lucas",
        "Weber",
        "+33611000203",
        "lucas@didenheim.demo.invalid",
        "68074",
        "Les Vergers",
        "2 rue des Vergers",
    ),
    (
        "Sarah",
        "Klein",
        "+33611000204",
        "sarah@didenheim.demo.invalid",
        "68074",
        "Quartier de la Gare",
        "6 rue de la Gare",
    ),
    ("René", "Huber", "+33611000205", None, "68074", "Quartier de la Gare", "1 quai du Canal"),
]

"""Demo gazette: posts of every category and audience in both communes, comments, a report.

Built through the same services as the site (``gazette_post_create``, ``comment_create``,
``report_create``); idempotent: a post whose title already exists in the commune is kept.
"""

import io

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw

from gazette.models import Comment, GazetteCategory, GazettePost
from gazette.services.comments import comment_create
from gazette.services.photos import PhotoUpload
from gazette.services.posts import gazette_post_create
from moderation.reportables import report_create

C = GazetteCategory
# (author e-mail, category, title, text, audience, photo colour or None, alt text)
POSTS = {
    "33080": [
        (
            "jean-yves@cadaujac.demo.invalid",
            C.LOST_FOUND,
            "Chat tigré perdu rue de la Mairie",
            "Notre chat Filou, tigré roux aux yeux verts, n'est pas rentré depuis hier soir.\n"
            "Regardez vos garages et abris de jardin, merci !",
            "community",
            "#c8782a",
            "Un chat tigré roux couché sur un muret",
        ),
        (
            "jean-yves@cadaujac.demo.invalid",
            C.LOAN,
            "Je prête mon échelle de 4 mètres",
            "Échelle télescopique en bon état, à venir chercher au centre-bourg.",
            "community",
            None,
            "",
        ),
        (
            "hugo@cadaujac.demo.invalid",
            C.CLASSIFIED,
            "Vends vélo enfant 20 pouces",
            "Vélo bleu, freins révisés, 40 €. Visible le soir après 18 h.",
            "commune",
            "#2a6fc8",
            "Un vélo d'enfant bleu",
        ),
        (
            "marie@cadaujac.demo.invalid",
            C.HELP,
            "Qui peut m'aider à porter une armoire ?",
            "Deux bras de plus pour monter une armoire à l'étage, samedi matin. Café offert !",
            "community",
            None,
            "",
        ),
        (
            "marie@cadaujac.demo.invalid",
            C.CARPOOL,
            "Covoiturage vers Bordeaux en semaine",
            "Je pars vers 7 h 30 pour la gare Saint-Jean, deux places libres.",
            "commune",
            None,
            "",
        ),
        (
            "hugo@cadaujac.demo.invalid",
            C.NEIGHBOURHOOD_EVENT,
            "Repas partagé place de l'Église",
            "Dimanche midi, chacun apporte un plat ou une boisson ; la mairie prête les tables.",
            "commune",
            None,
            "",
        ),
        (
            "jean-yves@cadaujac.demo.invalid",
            C.MINUTES,
            "Compte rendu de la réunion du comité de quartier",
            "Points abordés : éclairage du chemin des Vignes, ralentisseurs, repas de quartier.\n"
            "Prochaine réunion à la salle des fêtes.",
            "community",
            None,
            "",
        ),
        (
            "marie@cadaujac.demo.invalid",
            C.OTHER,
            "Boîte à livres des Graves",
            "La boîte à livres du lotissement est installée : servez-vous, déposez-en !",
            "community",
            None,
            "",
        ),
        (
            "mairie@cadaujac.demo.invalid",
            C.MAIRIE,
            "Composteurs offerts aux habitants",
            "La mairie offre un composteur de jardin à chaque foyer qui le demande : "
            "inscrivez-vous à l'accueil, retrait aux services techniques le samedi matin.",
            "commune",
            None,
            "",
        ),
    ],
    "68074": [
        (
            "claudette@didenheim.demo.invalid",
            C.LOST_FOUND,
            "Trousseau de clés trouvé près de la boulangerie",
            "Trois clés et un porte-clés rouge. Je le garde, décrivez-le pour le récupérer.",
            "community",
            "#b02a2a",
            "Un trousseau de trois clés avec un porte-clés rouge",
        ),
        (
            "claudette@didenheim.demo.invalid",
            C.HELP,
            "Cours de tablette entre voisins",
            "Je cherche quelqu'un de patient pour m'apprendre les appels vidéo.",
            "commune",
            None,
            "",
        ),
        (
            "mairie@didenheim.demo.invalid",
            C.MAIRIE,
            "Travaux rue des Prés",
            "La rue des Prés est fermée à la circulation pendant la réfection de la chaussée.",
            "commune",
            None,
            "",
        ),
    ],
}
COMMENTS = [
    (
        "Chat tigré perdu rue de la Mairie",
        "hugo@cadaujac.demo.invalid",
        "J'ai cru le voir ce matin près du lavoir, je regarde ce soir.",
    ),
    (
        "Vends vélo enfant 20 pouces",
        "marie@cadaujac.demo.invalid",
        "Il est encore disponible ? Ma fille a 7 ans.",
    ),
    (
        "Repas partagé place de l'Église",
        "jean-yves@cadaujac.demo.invalid",
        "Je m'occupe de la musique !",
    ),
]
REPORT = (
    "Covoiturage vers Bordeaux en semaine",
    "hugo@cadaujac.demo.invalid",
    "Démonstration : annonce à vérifier par la modération.",
)


def _photo(colour: str) -> SimpleUploadedFile:
    canvas = Image.new("RGB", (960, 720), "#f3efe6")
    draw = ImageDraw.Draw(canvas)
    draw.ellipse((280, 160, 680, 560), fill=colour)
    draw.rectangle((120, 600, 840, 640), fill="#555555")
    buffer = io.BytesIO()
    canvas.save(buffer, "JPEG", quality=85)
    return SimpleUploadedFile("photo.jpg", buffer.getvalue(), content_type="image/jpeg")


def demo_gazette_load(communes: dict) -> None:
    users = get_user_model().objects
    for insee, posts in POSTS.items():
        commune = communes[insee]
        for email, category, title, body, audience, colour, alt in posts:
            author = users.filter(email=email).first()
            if author is None or GazettePost.objects.filter(commune=commune, title=title).exists():
                continue
            gazette_post_create(
                author=author,
                commune=commune,
                category=category,
                title=title,
                body=body,
                audience=audience,
                photos=[PhotoUpload(file=_photo(colour), alt_text=alt)] if colour else [],
            )
    for title, email, text in COMMENTS:
        post = GazettePost.objects.filter(title=title).first()
        author = users.filter(email=email).first()
        if post and author and not Comment.objects.filter(post=post, author=author).exists():
            comment_create(post=post, author=author, text=text)
    title, email, reason = REPORT
    post = GazettePost.objects.filter(title=title).first()
    reporter = users.filter(email=email).first()
    if post and reporter:
        from moderation.reportables import reported_by

        if not reported_by(content=post, user=reporter):
            report_create(content=post, reporter=reporter, reason=reason)
